// Kernel page-table updates: set_pte, split_kernel_leaf_mapping() and
// __change_memory_common() (arch/arm64/mm/pageattr.c, mmu.c). Every descriptor
// write is one step: the primitives yield, their callers only `yield*`.

import { PTRS_PER_PTE } from '../model/config.js';
import { STEP } from '../model/cpu.js';
import { walk } from '../model/mmu.js';
import { PMD_SECT, PMD_SPLITTING, PTE_NS, PTE_PFN_MASK, PTE_VALID, pte_at_str, pte_str } from '../model/pte.js';
import { Ev, fnId } from '../check/events.js';
import type { KernelCtx, KGen, KPath } from './context.js';
import { noStep, stepDone } from '../model/actor_stack.js';
import { PAGE_SIZE, virt_to_pfn } from './memory.js';
import { flush_tlb_kernel_range } from './tlbflush.js';

const FN_CHANGE = fnId('__change_memory_common');
const FN_SPLIT = fnId('split_kernel_leaf_mapping');

/**
 * A descriptor write seen by the architecture: a live change of a valid
 * descriptor's output address without break + TLBI is a bbm-violation (R31); an
 * invalid->valid write opens the window in which walks may still fault (R29).
 */
function descriptor_written(ctx: KernelCtx, fn: string, vpn: number, span: number, old: number, desc: number): void {
  const r = ctx.realm;
  const v = span === 1 ? r.bbmPte.written(vpn, desc) : r.bbmPmd.written(vpn / span, desc);
  if (v) {
    const shown = (oa: number): string => (span === 1 ? pte_at_str(vpn, oa | PTE_VALID) : `pmd ${pte_str(oa | PTE_VALID)}`);
    ctx.die('bbm-violation', fn, 'live change of a valid descriptor\'s output address without break-before-make',
      `VA page ${vpn}${span > 1 ? ' (2 MiB block)' : ''}: ${shown(v.oldOa)} -> ${shown(v.newOa)} with no invalid write + TLBI between`);
  }
  if (!(old & PTE_VALID) && desc & PTE_VALID) for (let i = 0; i < span; i++) r.tlb.madeValid(vpn + i);
}

/** One descriptor store, counted and charged (a make: invalid -> valid with nothing else changed). */
function write_pte(ctx: KernelCtx, vpn: number, pte: number, make: boolean): void {
  const old = ctx.realm.xchg_pte(vpn, pte);
  ctx.note(Ev.PTE_WRITE, vpn, make ? 1 : 0);
  ctx.ev(Ev.PTE_SET, vpn, pte);
  descriptor_written(ctx, 'set_pte', vpn, 1, old, pte);
}

/** set_pte(ptep of addr, pte): write the last-level descriptor of addr. One step (a plain function: no generator). */
export function set_pte(ctx: KernelCtx, addr: number, pte: number): KPath {
  write_pte(ctx, virt_to_pfn(addr), pte, false);
  return stepDone(undefined);
}

/** Split one 2 MiB block leaf into a PTE table (BBML2_NOABORT: no break window). One step. */
function* split_pmd(ctx: KernelCtx, block: number): KGen {
  const r = ctx.realm;
  for (;;) {
    const pmd = r.pmd(block);
    if (!(pmd & PMD_SECT)) return; // already a table
    if (!(pmd & PMD_SPLITTING) && r.cmpxchg_pmd(block, pmd, pmd | PMD_SPLITTING) === pmd) {
      const attrs = pmd & (PTE_VALID | PTE_NS);
      const first = block * PTRS_PER_PTE;
      for (let i = 0; i < PTRS_PER_PTE; i++) {
        r.set_pte(first + i, (first + i) | attrs);
        r.bbmPte.written(first + i, (first + i) | attrs, false); // same output address per page: BBML2 allows it
      }
      r.set_pmd(block, 0); // now a table: walks use the PTEs, which translate identically
      ctx.ev(Ev.PMD_SPLIT, block, 0);
      yield STEP;
      return;
    }
    // Another CPU holds pgtable_split_lock for this block.
    ctx.noProgress('split_kernel_leaf_mapping', 'pgtable_split_lock never released');
    yield STEP;
  }
}

/**
 * split_kernel_leaf_mapping(start, end): split block leaves only at the range
 * boundaries. Nothing to do (a PTE-mapped linear map, a vmalloc range) takes
 * no step and makes no generator.
 */
export function split_kernel_leaf_mapping(ctx: KernelCtx, start: number, end: number): KPath {
  const r = ctx.realm;
  if (r.cfg.linearMap !== 'block' || virt_to_pfn(start) >= r.lmPages) return noStep(undefined);
  return split_boundaries(ctx, virt_to_pfn(start), virt_to_pfn(end));
}

function* split_boundaries(ctx: KernelCtx, s: number, e: number): KGen {
  const r = ctx.realm;
  ctx.ev(Ev.CALL, FN_SPLIT, s);
  if (s % PTRS_PER_PTE !== 0) yield split_pmd(ctx, (s / PTRS_PER_PTE) | 0);
  if (e % PTRS_PER_PTE !== 0 && e < r.lmPages) yield split_pmd(ctx, (e / PTRS_PER_PTE) | 0);
  ctx.ev(Ev.RET, FN_SPLIT, 0);
}

/**
 * update_range_prot(start, size, set, clear): split at the range boundaries,
 * then rewrite every leaf (a whole block leaf at once). One step per leaf, no
 * TLB maintenance.
 */
export function* update_range_prot(ctx: KernelCtx, start: number, size: number, set: number, clear: number): KGen {
  const r = ctx.realm;
  const end = virt_to_pfn(start + size);
  let vpn = virt_to_pfn(start);
  if (vpn < r.lmPages) yield split_kernel_leaf_mapping(ctx, start, start + size);
  const make = set === PTE_VALID && clear === 0;
  const blocks = r.cfg.linearMap === 'block';
  while (vpn < end) {
    if (blocks && vpn < r.lmPages && vpn % PTRS_PER_PTE === 0 && vpn + PTRS_PER_PTE <= end) {
      const block = vpn / PTRS_PER_PTE;
      const pmd = r.pmd(block);
      if (pmd & PMD_SECT) {
        r.set_pmd(block, (pmd & ~clear) | set);
        ctx.note(Ev.PTE_WRITE, vpn, make ? 1 : 0);
        ctx.ev(Ev.PTE_SET, vpn, (pmd & ~clear & ~PMD_SECT) | set);
        descriptor_written(ctx, 'set_pmd', vpn, PTRS_PER_PTE, pmd & ~PMD_SECT, (pmd & ~clear & ~PMD_SECT) | set);
        yield STEP;
        vpn += PTRS_PER_PTE;
        continue;
      }
    }
    const old = walk(r, vpn);
    write_pte(ctx, vpn, ((old & ~clear) | set) & (PTE_PFN_MASK | PTE_VALID | PTE_NS), make);
    yield STEP;
    vpn++;
  }
}

/**
 * __change_memory_common(start, size, set_mask, clear_mask): update every
 * leaf, then flush the range unless the change is exactly "set VALID, clear
 * nothing" (R16).
 */
export function* __change_memory_common(ctx: KernelCtx, start: number, size: number, set: number, clear: number): KGen<number> {
  ctx.ev(Ev.CALL, FN_CHANGE, size / PAGE_SIZE);
  yield update_range_prot(ctx, start, size, set, clear);
  if (!(set === PTE_VALID && clear === 0)) yield flush_tlb_kernel_range(ctx, start, start + size);
  ctx.ev(Ev.RET, FN_CHANGE, 0);
  return 0;
}
