// Every built-in policy meets its declared expectation within a bounded number
// of controlled schedules: the unsafe ones are caught, the safe ones run clean.

import { describe, it, expect } from 'vitest';
import { BUILTIN_POLICIES } from '../src/kernel/policies/index.js';
import { runPolicyControlled } from '../src/run/run_policy.js';
import { runConfig } from '../src/run/config.js';

const SCHEDULES = 300;

describe('built-in policies under controlled schedules', () => {
  for (const linearMap of ['pte', 'block'] as const) {
    for (const p of BUILTIN_POLICIES) {
      const want = p.expect.length ? `finds ${p.expect.join(',')}` : 'runs clean';
      it(`${p.name} ${want} within ${SCHEDULES} schedules (${linearMap} linear map)`, () => {
        const cfg = runConfig({ realm: { linearMap } });
        const o = runPolicyControlled(p, cfg, '0x5eed', { schedules: SCHEDULES, stopOnFirst: p.expect.length > 0 });
        expect(o.unexpected).toEqual([]);
        expect(o.missed).toEqual([]);
        expect(o.verdict).toBe('met');
        if (p.expect.length === 0) {
          expect(o.schedules).toBe(SCHEDULES);
          expect(o.clean).toBe(SCHEDULES); // every schedule ran to the end
        }
      });
    }
  }

  it('vmalloc-naive dies through a zeropad spill onto the still-valid linear alias (the review-thread race)', () => {
    const p = BUILTIN_POLICIES.find((q) => q.name === 'vmalloc-naive')!;
    const o = runPolicyControlled(p, runConfig(), '0x1', { schedules: 100 });
    expect(o.buckets.map((b) => b.signature)).toContain(
      'SEA in d_hash > load_unaligned_zeropad (spill into next page): valid linear alias of a vmalloc-mapped page (protected IPA, RIPAS_EMPTY)',
    );
  });

  it('mainline counts benign events: zeropad fixups in the break window, RSI partial progress, host rejects, vmalloc -EINVAL', () => {
    const p = BUILTIN_POLICIES.find((q) => q.name === 'mainline')!;
    const o = runPolicyControlled(p, runConfig(), '0x2', { schedules: 100 });
    expect(o.buckets).toEqual([]);
    expect(o.counts.zeropad_fixups).toBeGreaterThan(0);
    expect(o.counts.rsi_partial).toBeGreaterThan(0);
    expect(o.counts.rsi_reject).toBeGreaterThan(0);
    expect(o.counts.vmalloc_einval).toBeGreaterThan(0);
    expect(o.counts.leaked_pages).toBeGreaterThan(0);
  });

  it('gfp-decrypted splits fewer blocks and issues fewer flushes than per-allocation flips for the same workload', () => {
    const cfg = runConfig({ realm: { linearMap: 'block', lmPages: 4096 }, workload: { mix: { d_hash: 40, kmalloc: 15, kfree: 10, dma_buffer: 35, netvsc_buffer: 0 } } });
    const pool = runPolicyControlled(BUILTIN_POLICIES.find((q) => q.name === 'gfp-decrypted')!, cfg, '0x3', { schedules: 20 });
    const mainline = runPolicyControlled(BUILTIN_POLICIES.find((q) => q.name === 'mainline')!, cfg, '0x3', { schedules: 20 });
    expect(pool.verdict).toBe('met');
    expect(mainline.verdict).toBe('met');
    expect(pool.counts.splits).toBeLessThan(mainline.counts.splits);
    const flushes = (o: typeof pool): number => o.counts.dsb;
    expect(flushes(pool)).toBeLessThan(flushes(mainline));
  });
});
