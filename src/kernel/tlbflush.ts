// arch/arm64/include/asm/tlbflush.h: DSB ISHST; TLBI ...IS; DSB ISH; ISB.
// Broadcast invalidation only, no IPIs. Each TLBI and the completing DSB is one step.

import { MAX_DVM_OPS, MAX_TLBI_RANGE_PAGES } from '../model/config.js';
import { Cpu, KGen, STEP } from '../model/cpu.js';
import { dsb_ish, tlbi_rvaale1is, tlbi_vaale1is, tlbi_vmalle1is } from '../model/mmu.js';
import { Ev, fnId } from '../check/events.js';
import { chargeTlbi, flushBegin, flushEnd } from '../cost/charge.js';

const FN_RANGE = fnId('flush_tlb_kernel_range');
const FN_ALL = fnId('flush_tlb_all');

/** __flush_tlb_range_limit_excess(), v6.13: too many pages for per-page (or range) TLBIs (R15). */
export function flush_tlb_range_limit_excess(cpu: Cpu, pages: number): boolean {
  if (!cpu.realm.cfg.flushAllThreshold) return false;
  if (!cpu.realm.cfg.tlbiRange && pages >= MAX_DVM_OPS) return true;
  return pages > MAX_TLBI_RANGE_PAGES;
}

export function* flush_tlb_all(cpu: Cpu): KGen {
  cpu.ev(Ev.CALL, FN_ALL, 0);
  flushBegin(cpu);
  tlbi_vmalle1is(cpu);
  chargeTlbi(cpu, true, 0);
  cpu.ev(Ev.TLBI_ALL, 0, 0);
  yield STEP;
  dsb_ish(cpu);
  flushEnd(cpu);
  cpu.ev(Ev.DSB, 0, 0);
  yield STEP;
}

/** flush_tlb_kernel_range(start, end) over VA pages [start, end). */
export function* flush_tlb_kernel_range(cpu: Cpu, start: number, end: number): KGen {
  const pages = end - start;
  if (pages <= 0) return;
  if (flush_tlb_range_limit_excess(cpu, pages)) {
    yield* flush_tlb_all(cpu);
    return;
  }
  cpu.ev(Ev.CALL, FN_RANGE, pages);
  if (!cpu.realm.cfg.tlbiRange) return yield* tlbi_each_then_dsb(cpu, pages, (i) => start + i);
  flushBegin(cpu);
  tlbi_rvaale1is(cpu, start, pages);
  chargeTlbi(cpu, false, pages);
  cpu.ev(Ev.TLBI_RANGE, start, pages);
  yield STEP;
  dsb_ish(cpu);
  flushEnd(cpu);
  cpu.ev(Ev.DSB, 0, 0);
  yield STEP;
}

/** One TLBI VAALE1IS per page (a step each), then one DSB ISH that completes them all. */
function* tlbi_each_then_dsb(cpu: Cpu, n: number, vpnAt: (i: number) => number): KGen {
  flushBegin(cpu);
  for (let i = 0; i < n; i++) {
    const vpn = vpnAt(i);
    tlbi_vaale1is(cpu, vpn);
    chargeTlbi(cpu, false, n);
    cpu.ev(Ev.TLBI_VA, vpn, 0);
    yield STEP;
  }
  dsb_ish(cpu);
  flushEnd(cpu);
  cpu.ev(Ev.DSB, 0, 0);
  yield STEP;
}

/** A batched flush of scattered pages (not a kernel function: what a paced flipper would add). */
export function* flush_tlb_kernel_pages(cpu: Cpu, vpns: number[]): KGen {
  cpu.ev(Ev.CALL, FN_RANGE, vpns.length);
  yield* tlbi_each_then_dsb(cpu, vpns.length, (i) => vpns[i]);
}
