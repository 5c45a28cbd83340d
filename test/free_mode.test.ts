// Free mode: one worker thread per vCPU (plus the host agent) racing on one
// SharedArrayBuffer. Workers load JavaScript, so this uses the build in dist/.
// Budgets are bounds, not timings: each unsafe policy stops at its first finding.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
// @ts-ignore -- the compiled runner (workers need JavaScript)
import { runPolicyFree } from '../dist/src/run/run_policy.js';
// @ts-ignore -- the compiled pool (workers need JavaScript)
import { ActorPool } from '../dist/src/run/free.js';
import { BUILTIN_POLICIES } from '../src/kernel/policies/index.js';
import { runConfig } from '../src/run/config.js';
import type { PolicyOutcome } from '../src/run/outcome.js';

// Flip-heavy programs: many shared-buffer flips next to many zeropad reads.
const cfg = runConfig({ realm: { vcpus: 4 }, workload: { ops: 1000, mix: { d_hash: 50, kmalloc: 10, kfree: 5, dma_buffer: 25, netvsc_buffer: 10 } } });

describe('free mode, 4 vCPU threads', () => {
  // One set of threads (4 vCPUs and the host agent) for every policy, as `realmrace run --mode free` does.
  let actors: { close: () => Promise<void> };
  beforeAll(() => { actors = new ActorPool(cfg.realm.vcpus + 1); });
  afterAll(() => actors.close());
  for (const p of BUILTIN_POLICIES) {
    if (p.expect.length) {
      it(`${p.name}: real threads hit its expected finding (${p.expect.join(', ')})`, async () => {
        const o: PolicyOutcome = await runPolicyFree(p, p.name, cfg, '0xf4ee', { seconds: 60, stopOnFirst: true }, false, undefined, actors);
        expect(o.verdict).toBe('met');
        expect(p.expect).toContain(o.buckets[0].kind);
        expect(o.buckets[0].first.lastEvents).toHaveLength(5); // every actor's last events
      }, 90_000);
    } else {
      it(`${p.name}: real threads find nothing`, async () => {
        const o: PolicyOutcome = await runPolicyFree(p, p.name, cfg, '0xf4ee', { schedules: 12 }, false, undefined, actors);
        expect(o.buckets.map((b) => b.signature)).toEqual([]);
        expect(o.clean).toBe(12);
        expect(o.counts.ops).toBeGreaterThan(12 * 4 * 900);
      }, 90_000);
    }
  }
});

describe('free and record mode give the ExecutionResult controlled mode gives', () => {
  it('same fields, a stop reason, per-vCPU ns; record mode adds the schedule with its choices', async () => {
    // @ts-ignore -- compiled runners (workers need JavaScript)
    const { FreeRunner } = await import('../dist/src/run/free.js');
    const { ControlledRunner } = await import('../src/run/controlled.js');
    const { builtinPolicy } = await import('../src/kernel/policies/index.js');
    const small = runConfig({ workload: { ops: 20 } });
    const controlled = new ControlledRunner(small, builtinPolicy('mainline')!).runOne('0x77', { record: true });
    const fr = new FreeRunner(small, 'mainline');
    try {
      const free = await fr.runOne('0x77');
      const rec = await fr.runOne('0x77', { record: true });
      const fields = (r: object) => Object.keys(r).filter((k) => (r as Record<string, unknown>)[k] !== undefined).sort();
      expect(fields(rec)).toEqual(fields(controlled));
      expect(fields(free)).toEqual(fields(controlled).filter((k) => k !== 'schedule'));
      for (const r of [free, rec]) {
        expect(r.stop).toBe('complete');
        expect(r.completed).toBe(true);
        expect(r.vcpuNs).toHaveLength(4);
      }
      expect(rec.schedule.actors).toHaveLength(rec.steps);
      expect(rec.schedule.choices.length).toBeGreaterThan(0);
    } finally {
      await fr.close();
    }
  }, 60_000);
});
