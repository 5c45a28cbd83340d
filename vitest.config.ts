import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000, // bounds against a hang on a loaded machine, not timings
    hookTimeout: 180_000,
    // Forks, not threads: the in-process CLI tests chdir (test/cli_helpers.ts), which worker threads cannot.
    pool: 'forks',
    // Two files at a time on two cores (vitest's default is cores - 1, so one).
    maxWorkers: 2,
    // One fork runs many files: src modules load and warm up once, not once per file
    // (about 0.5 s of CPU a file). So a test file must leave no global state behind:
    // no vi.mock, restore chdir and process listeners, close its pools.
    isolate: false,
    globalSetup: ['test/global_setup.ts'],
  },
});
