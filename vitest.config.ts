import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The files that take longest (each file runs whole in one fork), started first so that
// the forks finish together. A clean clone has no timing cache, and vitest's fallback
// order (larger files first) started the longest file a third of the way through the run,
// so that it could end alone. Longest first; the rest follow in vitest's order.
const LONGEST_FIRST = [
  'hostile', 'policy_expectations', 'nightly_interrupt', 'nightly', 'free_mode', 'cli', 'model_tlb_kernel', 'output_layout',
  'replay', 'shrink', 'replay_lines', 'campaign_dir', 'trace_views', 'determinism.cross', 'policy_contract', 'run_verdict',
].map((f) => `/test/${f}.test.ts`);

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = LONGEST_FIRST.findIndex((end) => f.moduleId.endsWith(end));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b)); // stable: ties keep vitest's order
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000, // bounds against a hang on a loaded machine, not timings
    hookTimeout: 180_000,
    // Forks, not threads: the in-process CLI tests chdir (test/cli_helpers.ts), which worker threads cannot.
    pool: 'forks',
    // Three files at a time on two cores (vitest's default is cores - 1, so one): many files
    // wait part of the time (a thread stopped after a lockup deadline, a napping campaign, a
    // child process's start-up), and a third fork fills those waits (measured: 57-61 s wall
    // against 62-64 s with two, the same CPU seconds).
    maxWorkers: 3,
    // One fork runs many files: src modules load and warm up once, not once per file
    // (about 0.5 s of CPU a file). So a test file must leave no global state behind:
    // no vi.mock, restore chdir and process listeners, close its pools.
    isolate: false,
    globalSetup: ['test/global_setup.ts'],
    // After each file: end the worker threads its in-process commands shared (test/cli_helpers.ts).
    setupFiles: ['test/lent_threads.ts'],
    sequence: { sequencer: LongestFirst },
  },
});
