// Same seed + config => same trace hash across processes and across threads.

import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { ControlledRunner } from '../src/run/controlled.js';
import { runConfig } from '../src/run/config.js';
import { BUILTIN_POLICIES } from '../src/kernel/policies/index.js';
import { scheduleSeed } from '../src/run/seeds.js';
import { realmraceIn } from './cli_helpers.js';

const CLI = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
// The runs write reproducers to ./realmrace-repro: a scratch cwd, not the repository.
const CWD = mkdtempSync(join(tmpdir(), 'realmrace-cross-'));
const WORKER = new URL('../dist/workers/schedule.cjs', import.meta.url).href;

type RunJson = { outcomes: { policy: string; runHash: string; steps: number }[] };
/** `realmrace run --json` in a fresh node process. */
function spawnedJson(...args: string[]): RunJson {
  const r = spawnSync(process.execPath, [CLI, 'run', '--json', ...args], { encoding: 'utf8', timeout: 120_000, cwd: CWD });
  return JSON.parse(r.stdout);
}
/** The same in this test process (main() of the built CLI), which has run other test files before. */
async function inProcessJson(...args: string[]): Promise<RunJson> {
  return JSON.parse((await realmraceIn(CWD, 'run', '--json', ...args)).out);
}

describe('determinism beyond one process', () => {
  it('two processes with the same seed and config produce the same run hash for every policy', async () => {
    const args = ['--policy', 'all', '--schedules', '20', '--seed', '0xabc', '--vcpus', '3'];
    const a = spawnedJson(...args);
    const b = await inProcessJson(...args);
    expect(a.outcomes.length).toBeGreaterThan(1);
    expect(a.outcomes.map((o) => o.runHash)).toEqual(b.outcomes.map((o) => o.runHash));
    expect(a.outcomes.map((o) => o.steps)).toEqual(b.outcomes.map((o) => o.steps));
    const c = await inProcessJson('--policy', 'all', '--schedules', '20', '--seed', '0xabd', '--vcpus', '3');
    expect(c.outcomes.map((o) => o.runHash)).not.toEqual(a.outcomes.map((o) => o.runHash));
  });

  it('a schedule run in a piscina worker thread has the same trace hash as in the main thread', async () => {
    const cfg = runConfig({ workload: { ops: 100 } });
    const pool = new Piscina({ filename: WORKER, minThreads: 2, maxThreads: 2 });
    try {
      for (const p of BUILTIN_POLICIES) {
        const here = new ControlledRunner(cfg, p);
        const seeds = [0, 1, 2, 3].map((i) => scheduleSeed('0x77', i));
        const there = await Promise.all(seeds.map((seed) => pool.run({ cfg, policy: p.name, seed })));
        for (let i = 0; i < seeds.length; i++) {
          const mine = here.runOne(seeds[i]);
          expect(there[i].traceHash).toBe(mine.traceHash);
          expect(there[i].steps).toBe(mine.steps);
          expect(there[i].finding?.signature ?? null).toBe(mine.finding?.signature ?? null);
        }
      }
    } finally {
      await pool.destroy();
    }
  });
});
