// Every CALL has its RET: every built-in policy (bug variants included), over a
// few controlled schedules with the event log on, logs kernel calls that nest
// per actor, on every return path (error returns included). A finding is the
// one exception (KernelDeath unwinds the stack): the calls open then are what
// the trace view reports unfinished.

import { describe, expect, it } from 'vitest';
import { ALL_POLICIES, BUG_VARIANTS } from '../src/kernel/policies/index.js';
import { ControlledRunner } from '../src/run/controlled.js';
import { runConfig } from '../src/run/config.js';
import { scheduleSeed } from '../src/run/seeds.js';
import { callNesting } from '../src/check/calls.js';
import { Ev, FN, fnId } from '../src/check/events.js';
import { traceView } from '../src/report/trace_view.js';
import { functionSpans } from '../src/report/trace_html.js';

const NO_FLIPS = { d_hash: 50, kmalloc: 25, kfree: 25, dma_buffer: 0, netvsc_buffer: 0 };
const CONFIGS = [
  runConfig({ workload: { ops: 60 } }),
  // Error returns: the host stops early and REJECTs often (EPERM from the RSI loop, leaked pages).
  runConfig({ realm: { vcpus: 2, linearMap: 'block', host: { partialRate: 0.6, rejectRate: 0.6 } }, workload: { ops: 60 } }),
  runConfig({ realm: { vcpus: 1, flush: 'ipi', tlbiRange: true }, workload: { ops: 60 } }),
  // No flips: even a policy whose every flip is a finding completes schedules.
  runConfig({ realm: { vcpus: 2 }, workload: { ops: 60, mix: NO_FLIPS } }),
];
const SEEDS = 4;

describe('every CALL has its RET', () => {
  const called = new Set<string>();
  const returnedError = new Set<string>();

  for (const policy of ALL_POLICIES) {
    it(`${policy.name}${BUG_VARIANTS.includes(policy) ? ' (bug variant)' : ''}: calls nest per actor; at a finding the open calls are the view's unfinished spans`, () => {
      let complete = 0;
      for (const [ci, cfg] of CONFIGS.entries()) {
        const runner = new ControlledRunner(cfg, policy);
        for (let i = 0; i < SEEDS; i++) {
          const r = runner.runOne(scheduleSeed('0xca11', ci * 100 + i), { log: true });
          const log = r.log!;
          const actors = cfg.realm.vcpus + 1;
          const { open, errors } = callNesting(log, actors);
          expect(errors, `${policy.name} config ${ci} schedule ${i}`).toEqual([]);
          for (let k = 0; k < log.length; k += 5) {
            if (log[k + 2] === Ev.CALL) called.add(FN[log[k + 3]]);
            if (log[k + 2] === Ev.RET && log[k + 4] < 0) returnedError.add(FN[log[k + 3]]);
          }
          const stillOpen = open.flat().length;
          if (r.stop === 'complete') {
            complete++;
            expect(open.map((s) => s.map((c) => FN[c.fn])), `${policy.name} config ${ci} schedule ${i}`).toEqual(open.map(() => []));
          } else {
            expect(r.finding).not.toBeNull();
            // The dying actor was inside at least the call it died in, unless it died outside any kernel call.
            const view = traceView('t', cfg.realm.vcpus, log, r.finding, r.steps, r.traceHash);
            const unfinished = functionSpans(view).filter((s) => s.unfinished);
            const openAfterBoot = open.flat().filter((c) => c.step >= 0).length;
            expect(unfinished.length).toBe(openAfterBoot);
            expect(stillOpen).toBeGreaterThanOrEqual(openAfterBoot);
          }
        }
      }
      expect(complete, `${policy.name}: no complete schedule to check`).toBeGreaterThan(0);
    }, 60_000);
  }

  it('the schedules reach every kernel function the built-in policies log, and error returns', () => {
    for (const fn of ['set_memory_decrypted', 'set_memory_encrypted', '__change_memory_common', 'flush_tlb_kernel_range',
      'rsi_set_memory_range', 'split_kernel_leaf_mapping', 'alloc_pages', '__free_pages', 'vmalloc', 'vfree',
      'decrypted_pool_alloc', 'decrypted_pool_free', 'decrypted_pool_refill', 'host_virtio_io', 'arm64_rsi_setup_memory',
      'vmap_pages_decrypted']) expect(called, fn).toContain(fn);
    expect(returnedError).toContain('rsi_set_memory_range');
  });

  it('the check itself can fail: a missing or crossed RET is reported, an open CALL is kept', () => {
    const C = Ev.CALL, R = Ev.RET, a = fnId('set_memory_decrypted'), b = fnId('__change_memory_common');
    expect(callNesting([0, 0, C, a, 0, 1, 0, C, b, 0, 2, 0, R, a, 0], 1).errors).toHaveLength(1);
    expect(callNesting([0, 0, R, a, 0], 1).errors).toHaveLength(1);
    const n = callNesting([0, 0, C, a, 0, 1, 0, C, b, 0, 2, 0, R, b, 0], 1);
    expect(n.errors).toEqual([]);
    expect(n.open[0].map((c) => c.fn)).toEqual([a]);
  });
});
