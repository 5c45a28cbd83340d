// arch/arm64/include/asm/tlbflush.h. Every invalidation follows the template
// "DSB ISHST; TLBI ...IS; DSB ISH; ISB": the model has no store buffer or
// pipeline, so DSB ISHST and ISB are not modelled. Broadcast invalidation
// only, no IPIs. Each TLBI and the completing DSB is one step.

import { MAX_DVM_OPS, MAX_TLBI_RANGE_PAGES } from '../model/config.js';
import { STEP } from '../model/cpu.js';
import { dsb_ish, tlbi_rvaale1is, tlbi_vaale1is, tlbi_vmalle1is } from '../model/mmu.js';
import { Ev, fnId } from '../check/events.js';
import { chargeTlbi, flushBegin, flushEnd } from '../cost/charge.js';
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

/** One TLBI VAALE1IS of a flush of `pages` pages. */
function __tlbi_vaale1is(ctx: KernelCtx, vpn: number, pages: number): void {
  tlbi_vaale1is(ctx, vpn);
  chargeTlbi(ctx, false, pages);
  ctx.ev(Ev.TLBI_VA, vpn, 0);
}

/** The completing DSB ISH. */
function __tlbi_sync(ctx: KernelCtx): void {
  dsb_ish(ctx);
  flushEnd(ctx);
  ctx.ev(Ev.DSB, 0, 0);
}

export function* flush_tlb_all(ctx: KernelCtx): KGen {
  ctx.ev(Ev.CALL, FN_ALL, 0);
  flushBegin(ctx);
  tlbi_vmalle1is(ctx);
  chargeTlbi(ctx, true, 0);
  ctx.ev(Ev.TLBI_ALL, 0, 0);
  yield STEP;
  __tlbi_sync(ctx);
  yield STEP;
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
  flushBegin(ctx);
  if (!ctx.realm.cfg.tlbiRange) {
    for (let i = 0; i < pages; i++) {
      __tlbi_vaale1is(ctx, first + i, pages);
      yield STEP;
    }
  } else {
    tlbi_rvaale1is(ctx, first, pages);
    chargeTlbi(ctx, false, pages);
    ctx.ev(Ev.TLBI_RANGE, first, pages);
    yield STEP;
  }
  __tlbi_sync(ctx);
  yield STEP;
}

/** A batched flush of scattered pages (not a kernel function: what a paced flipper would add). */
export function* flush_tlb_kernel_pages(ctx: KernelCtx, addrs: number[]): KGen {
  ctx.ev(Ev.CALL, FN_RANGE, addrs.length);
  flushBegin(ctx);
  for (const addr of addrs) {
    __tlbi_vaale1is(ctx, virt_to_pfn(addr), addrs.length);
    yield STEP;
  }
  __tlbi_sync(ctx);
  yield STEP;
}
