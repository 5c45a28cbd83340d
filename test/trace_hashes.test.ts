// The trace hash of one controlled schedule of every built-in policy, pinned:
// any change to what the model or a kernel path records (events, their order,
// their words) shows here. Re-pin only in a commit that says why the traces
// changed (and re-measure src/check/catch_rates.ts if the schedules did).
// Pinned when every kernel CALL got its RET (0.1's hashes, without those RETs,
// are reproduced by re-hashing the log with them left out).

import { describe, expect, it } from 'vitest';
import { ALL_POLICIES } from '../src/kernel/policies/index.js';
import { ControlledRunner } from '../src/run/controlled.js';
import { runConfig } from '../src/run/config.js';
import { scheduleSeed } from '../src/run/seeds.js';

const PINNED: Record<string, [hash: string, steps: number]> = {
  'v2-no-bbm': ['0bd1017b5e040519', 4],
  mainline: ['447fdbdf0c0ab079', 2880],
  'vmalloc-naive': ['8383d63047ca8613', 5388],
  'alias-flip': ['7a3853d925537e74', 6489],
  'gfp-decrypted': ['1f3fef62c530cfd5', 3762],
  'mainline-per-page': ['46b0a1af34933706', 3208],
  paced: ['2aed6129401c1cef', 6051],
  'no-dsb': ['22209b8a7c1f0441', 629],
};

describe('pinned trace hashes', () => {
  it('every built-in policy has a pin', () => {
    expect(Object.keys(PINNED).sort()).toEqual(ALL_POLICIES.map((p) => p.name).sort());
  });
  for (const p of ALL_POLICIES) {
    it(`${p.name}: schedule 0 of seed 0x9a55 (default config, 100 ops) has its pinned trace hash`, () => {
      const x = new ControlledRunner(runConfig({ workload: { ops: 100 } }), p).runOne(scheduleSeed('0x9a55', 0));
      expect([x.traceHash, x.steps]).toEqual(PINNED[p.name]);
    });
  }
});
