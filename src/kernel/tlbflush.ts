// arch/arm64/include/asm/tlbflush.h: DSB ISHST; TLBI ...IS; DSB ISH; ISB.
// Broadcast invalidation only, no IPIs. Each TLBI is one step (the DSB ISHST
// goes with the first), the completing DSB ISH and the ISB one more: the TLBIs
// stay pending until that DSB (R25), the ISB ends the issuer's shadow (R27).

import { MAX_DVM_OPS, MAX_TLBI_RANGE_PAGES } from '../model/config.js';
import { STEP } from '../model/cpu.js';
import { dsb_ish, dsb_ishst, isb as isb_insn, tlbi_rvaale1is, tlbi_vaale1, tlbi_vaale1is, tlbi_vmalle1, tlbi_vmalle1is } from '../model/mmu.js';
import { Ev, fnId } from '../check/events.js';
import type { KernelCtx, KGen } from './context.js';
import { PAGE_SIZE, virt_to_pfn } from './memory.js';

const FN_RANGE = fnId('flush_tlb_kernel_range');
const FN_ALL = fnId('flush_tlb_all');

/** __flush_tlb_range_limit_excess(), v6.13: too many pages for per-page (or range) TLBIs (R15). */
export function flush_tlb_range_limit_excess(ctx: KernelCtx, pages: number): boolean {
  if (!ctx.realm.cfg.flushAllThreshold) return false;
  if (!ctx.realm.cfg.tlbiRange && pages >= MAX_DVM_OPS) return true;
  return pages > MAX_TLBI_RANGE_PAGES;
}

// The two halves of every flush; the flush functions yield after each (a step each).

/** One TLBI VAALE1IS of a flush (priced by the cost observer from the flush's CALL: its size). */
function __tlbi_vaale1is(ctx: KernelCtx, vpn: number): void {
  tlbi_vaale1is(ctx, vpn);
}

/** The end of every kernel flush: DSB ISH completes the TLBIs on all PEs, ISB synchronises this one. */
function __tlbi_sync(ctx: KernelCtx): void {
  dsb_ish(ctx);
  isb_insn(ctx);
}

export function* flush_tlb_all(ctx: KernelCtx): KGen {
  ctx.ev(Ev.CALL, FN_ALL, 0);
  dsb_ishst(ctx);
  tlbi_vmalle1is(ctx);
  yield STEP;
  __tlbi_sync(ctx);
  yield STEP;
  ctx.ev(Ev.RET, FN_ALL, 0);
}

/** flush_tlb_kernel_range(start, end). */
export function* flush_tlb_kernel_range(ctx: KernelCtx, start: number, end: number): KGen {
  const pages = (end - start) / PAGE_SIZE;
  if (pages <= 0) return;
  if (flush_tlb_range_limit_excess(ctx, pages)) {
    yield flush_tlb_all(ctx);
    return;
  }
  ctx.ev(Ev.CALL, FN_RANGE, pages);
  const first = virt_to_pfn(start);
  dsb_ishst(ctx);
  if (!ctx.realm.cfg.tlbiRange) {
    for (let i = 0; i < pages; i++) {
      __tlbi_vaale1is(ctx, first + i);
      yield STEP;
    }
  } else {
    tlbi_rvaale1is(ctx, first, pages);
    yield STEP;
  }
  __tlbi_sync(ctx);
  yield STEP;
  ctx.ev(Ev.RET, FN_RANGE, 0);
}

/** A batched flush of scattered pages (not a kernel function: what a paced flipper would add). */
export function* flush_tlb_kernel_pages(ctx: KernelCtx, addrs: number[]): KGen {
  ctx.ev(Ev.CALL, FN_RANGE, addrs.length);
  dsb_ishst(ctx);
  for (const addr of addrs) {
    __tlbi_vaale1is(ctx, virt_to_pfn(addr));
    yield STEP;
  }
  __tlbi_sync(ctx);
  yield STEP;
  ctx.ev(Ev.RET, FN_RANGE, 0);
}

// The template's instructions one by one, for a policy that builds its own
// sequence (the no-dsb bug variant): a TLBI alone stays pending until this CPU's
// next DSB ISH (R25), which only the flushes above issue.

/** __tlbi(op, addr) of asm/tlbflush.h: one TLB maintenance instruction (addr unused for the vmalle1 forms). One step. */
export function* __tlbi(ctx: KernelCtx, op: 'vaale1is' | 'vaale1' | 'vmalle1is' | 'vmalle1', addr = 0): KGen {
  const vpn = virt_to_pfn(addr);
  switch (op) {
    case 'vaale1is': tlbi_vaale1is(ctx, vpn); break;
    case 'vaale1': tlbi_vaale1(ctx, vpn); break;
    case 'vmalle1is': tlbi_vmalle1is(ctx); break;
    case 'vmalle1': tlbi_vmalle1(ctx); break;
  }
  yield STEP;
}

/** dsb(ishst): earlier PTE writes visible to every walker. Not a step (data accesses are SC in the model: it changes nothing shared). */
export { dsb_ishst };

/** isb(): context synchronisation of this CPU (R27). One step. */
export function* isb(ctx: KernelCtx): KGen {
  isb_insn(ctx);
  yield STEP;
}
