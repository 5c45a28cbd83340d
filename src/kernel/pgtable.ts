// Kernel page-table updates: set_pte, split_kernel_leaf_mapping() and
// __change_memory_common() (arch/arm64/mm/pageattr.c, mmu.c).

import { PTRS_PER_PTE } from '../model/config.js';
import { Cpu, KGen, STEP } from '../model/cpu.js';
import { walk } from '../model/mmu.js';
import { PMD_SECT, PMD_SPLITTING, PTE_NS, PTE_PFN_MASK, PTE_VALID } from '../model/pte.js';
import { Ev, fnId } from '../check/events.js';
import { C } from '../check/counters.js';
import { flush_tlb_kernel_range } from './tlbflush.js';
import { chargePte, chargeSplit } from '../cost/charge.js';

const FN_CHANGE = fnId('__change_memory_common');
const FN_SPLIT = fnId('split_kernel_leaf_mapping');

/** Write one PTE (not a step by itself: callers yield after it). */
export function set_pte(cpu: Cpu, vpn: number, desc: number, make = false): void {
  const r = cpu.realm;
  Atomics.store(r.i32, r.oPte + vpn, desc);
  cpu.count(C.pte_writes);
  chargePte(cpu, make);
  cpu.ev(Ev.PTE_SET, vpn, desc);
}

/** Split one 2 MiB block leaf into a PTE table (BBML2_NOABORT: no break window). One step. */
function* split_pmd(cpu: Cpu, block: number): KGen {
  const r = cpu.realm;
  const a = r.i32;
  const at = r.oPmd + block;
  for (;;) {
    const pmd = Atomics.load(a, at);
    if (!(pmd & PMD_SECT)) return; // already a table
    if (!(pmd & PMD_SPLITTING) && Atomics.compareExchange(a, at, pmd, pmd | PMD_SPLITTING) === pmd) {
      const attrs = pmd & (PTE_VALID | PTE_NS);
      const first = block * PTRS_PER_PTE;
      for (let i = 0; i < PTRS_PER_PTE; i++) Atomics.store(a, r.oPte + first + i, (first + i) | attrs);
      Atomics.store(a, at, 0); // now a table: walks use the PTEs, which translate identically
      cpu.count(C.splits);
      chargeSplit(cpu);
      cpu.ev(Ev.PMD_SPLIT, block, 0);
      yield STEP;
      return;
    }
    // Another CPU holds pgtable_split_lock for this block.
    cpu.noProgress('split_kernel_leaf_mapping', 'pgtable_split_lock never released');
    yield STEP;
  }
}

/** split_kernel_leaf_mapping(start, end): split block leaves only at the range boundaries. */
export function* split_kernel_leaf_mapping(cpu: Cpu, start: number, end: number): KGen {
  const r = cpu.realm;
  if (r.cfg.linearMap !== 'block' || start >= r.lmPages) return;
  cpu.ev(Ev.CALL, FN_SPLIT, start);
  if (start % PTRS_PER_PTE !== 0) yield* split_pmd(cpu, (start / PTRS_PER_PTE) | 0);
  if (end % PTRS_PER_PTE !== 0 && end < r.lmPages) yield* split_pmd(cpu, (end / PTRS_PER_PTE) | 0);
}

/**
 * update_range_prot(): split at the range boundaries, then rewrite every leaf
 * of VA pages [start, start+n) (a whole block leaf at once). One step per leaf,
 * no TLB maintenance.
 */
export function* update_range_prot(cpu: Cpu, start: number, n: number, set: number, clear: number): KGen {
  const r = cpu.realm;
  const a = r.i32;
  const end = start + n;
  if (start < r.lmPages) yield* split_kernel_leaf_mapping(cpu, start, end);
  const make = set === PTE_VALID && clear === 0;
  let vpn = start;
  while (vpn < end) {
    if (vpn < r.lmPages && r.cfg.linearMap === 'block' && vpn % PTRS_PER_PTE === 0 && vpn + PTRS_PER_PTE <= end) {
      const at = r.oPmd + vpn / PTRS_PER_PTE;
      const pmd = Atomics.load(a, at);
      if (pmd & PMD_SECT) {
        Atomics.store(a, at, (pmd & ~clear) | set);
        cpu.count(C.pte_writes);
        chargePte(cpu, make);
        cpu.ev(Ev.PTE_SET, vpn, (pmd & ~clear & ~PMD_SECT) | set);
        yield STEP;
        vpn += PTRS_PER_PTE;
        continue;
      }
    }
    const old = walk(r, vpn);
    set_pte(cpu, vpn, ((old & ~clear) | set) & (PTE_PFN_MASK | PTE_VALID | PTE_NS), make);
    yield STEP;
    vpn++;
  }
}

/**
 * __change_memory_common(addr, size, set_mask, clear_mask) over VA pages
 * [start, start+n): update every leaf, then flush the range unless the change
 * is exactly "set VALID, clear nothing" (R16).
 */
export function* __change_memory_common(cpu: Cpu, start: number, n: number, set: number, clear: number): KGen<number> {
  cpu.ev(Ev.CALL, FN_CHANGE, n);
  yield* update_range_prot(cpu, start, n, set, clear);
  if (!(set === PTE_VALID && clear === 0)) yield* flush_tlb_kernel_range(cpu, start, start + n);
  return 0;
}
