// The documented default campaign (stress/nightly.json) can be judged on
// evidence: every case plans at least the runs its verdict needs when nothing
// is found (a safe case its minSchedules complete runs; a canary the runs after
// which a miss is near-certain, from a measured catch rate or a stated
// minSchedules), so an uncaught canary is "missed" (exit 2), never left
// inconclusive for want of a measurement, and a clean night can be SUCCESS.

import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadCampaign, expandCases } from '../src/campaign/config.js';
import { caseRule, runsNeeded } from '../src/campaign/runner.js';
import { missAfter } from '../src/check/verdict.js';
import { loadPolicy } from '../src/kernel/policies/index.js';

describe('the default nightly campaign', () => {
  it('every case plans at least the runs its verdict needs; every canary, free mode too, can be called missed', async () => {
    const loaded = loadCampaign(fileURLToPath(new URL('../stress/nightly.json', import.meta.url)));
    const short: string[] = [];
    for (const k of expandCases(loaded.config)) {
      const expect_ = (await loadPolicy(k.policy)).expect;
      const r = caseRule(k);
      const needed = expect_.length ? missAfter(r.minSchedules, r.catchRate, r.minSchedulesSet === true) : r.minSchedules;
      if (!Number.isFinite(needed) || needed > k.seeds) short.push(`${k.id} needs ${needed}, plans ${k.seeds}`);
      expect(runsNeeded(k, expect_)).toBe(Math.min(k.seeds, needed));
    }
    expect(short).toEqual([]);
  });
});

describe('free-mode catch rates', () => {
  it('hold only at a measured vCPU count, with at least the measured program length, in the default realm', async () => {
    const { catchRateFor } = await import('../src/run/run_policy.js');
    const { measuredFreeCatchRate, MEASURED_FREE_OPS } = await import('../src/check/catch_rates.js');
    const { runConfig } = await import('../src/run/config.js');
    const at = (vcpus: number, ops: number, extra: Record<string, unknown> = {}) => runConfig({ realm: { vcpus, ...extra }, workload: { ops } });
    expect(measuredFreeCatchRate('vmalloc-naive', 4)).toBeGreaterThan(0.9);
    expect(catchRateFor('vmalloc-naive', 'free', at(4, MEASURED_FREE_OPS))).toBe(measuredFreeCatchRate('vmalloc-naive', 4));
    expect(catchRateFor('vmalloc-naive', 'free', at(4, 2 * MEASURED_FREE_OPS, { linearMap: 'block' }))).toBe(measuredFreeCatchRate('vmalloc-naive', 4));
    expect(catchRateFor('vmalloc-naive', 'free', at(8, MEASURED_FREE_OPS))).toBeUndefined(); // another interleaving on the host
    expect(catchRateFor('vmalloc-naive', 'free', at(4, 200))).toBeUndefined(); // shorter programs
    expect(catchRateFor('vmalloc-naive', 'free', at(4, MEASURED_FREE_OPS, { tlbEntries: 4 }))).toBeUndefined();
    expect(catchRateFor('vmalloc-naive', 'record', at(4, MEASURED_FREE_OPS))).toBeUndefined();
    expect(catchRateFor('mainline', 'free', at(4, MEASURED_FREE_OPS))).toBeUndefined();
  });
});
