// mm/vmalloc.c: vmalloc()/vmap() map scattered linear-map pages at a contiguous
// vmalloc VA (with a guard page); vfree() unmaps, flushes and frees. The linear
// alias of every page stays mapped: that is the alias the review thread is about.

import { Cpu, KGen, STEP } from '../model/cpu.js';
import { mk_pte, pte_pfn } from '../model/pte.js';
import { walk } from '../model/mmu.js';
import { Ev, fnId } from '../check/events.js';
import { alloc_pages, __free_pages } from './page_alloc.js';
import { set_pte } from './pgtable.js';
import { flush_tlb_kernel_range } from './tlbflush.js';
import { ENOMEM } from './rsi.js';

const FN_VMALLOC = fnId('vmalloc');
const FN_VFREE = fnId('vfree');
const FN_VM_UNMAP_ALIASES = fnId('vm_unmap_aliases');
const VM_TRIES = 8;

/** Reserve n VA pages plus a guard page in the vmalloc area. One step per try. */
function* get_vm_area(cpu: Cpu, n: number): KGen<number> {
  const r = cpu.realm;
  const a = r.i32;
  const span = n + 1;
  const me = cpu.id + 1;
  for (let t = 0; t < VM_TRIES; t++) {
    const slot = cpu.randInt(r.vmPages - span + 1);
    let got = 0;
    while (got < span && Atomics.compareExchange(a, r.oVmOwner + slot + got, 0, me) === 0) got++;
    yield STEP;
    if (got === span) return r.vmBase + slot;
    for (let i = 0; i < got; i++) Atomics.store(a, r.oVmOwner + slot + i, 0);
  }
  return ENOMEM;
}

function free_vm_area(cpu: Cpu, vpn: number, n: number): void {
  const r = cpu.realm;
  for (let i = 0; i <= n; i++) Atomics.store(r.i32, r.oVmOwner + vpn - r.vmBase + i, 0);
}

/**
 * Map the given linear pages at a new vmalloc VA with or without
 * PROT_NS_SHARED (pgprot_decrypted). One step per PTE.
 */
export function* vmap(cpu: Cpu, pages: number[], decrypted: boolean): KGen<number> {
  const va = yield* get_vm_area(cpu, pages.length);
  if (va < 0) return va;
  for (let i = 0; i < pages.length; i++) {
    set_pte(cpu, va + i, mk_pte(pages[i], true, decrypted));
    cpu.ev(Ev.VMAP, va + i, pages[i]);
    yield STEP;
  }
  return va;
}

/** vmalloc(n pages): order-0 pages from the page allocator, mapped protected. */
export function* vmalloc(cpu: Cpu, n: number): KGen<number> {
  cpu.ev(Ev.CALL, FN_VMALLOC, n);
  const pages: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = yield* alloc_pages(cpu, 0);
    if (p < 0) {
      for (const q of pages) yield* __free_pages(cpu, q, 1);
      return ENOMEM;
    }
    pages.push(p);
  }
  const va = yield* vmap(cpu, pages, false);
  if (va < 0) for (const q of pages) yield* __free_pages(cpu, q, 1);
  return va;
}

/**
 * vm_unmap_aliases(): purge lazily-freed vmap areas. vfree() flushes eagerly in
 * this model, so there is nothing to purge: a marker in the trace.
 */
export function vm_unmap_aliases(cpu: Cpu): void {
  cpu.ev(Ev.CALL, FN_VM_UNMAP_ALIASES, 0);
}

/** vmalloc_to_page() for each page of [va, va+n). */
export function vmalloc_to_pages(cpu: Cpu, va: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(pte_pfn(walk(cpu.realm, va + i)));
  return out;
}

/** vunmap(): clear the PTEs and flush the range (eager, not the lazy purge). Returns the pages. */
export function* vunmap(cpu: Cpu, va: number, n: number): KGen<number[]> {
  const pages = vmalloc_to_pages(cpu, va, n);
  for (let i = 0; i < n; i++) {
    set_pte(cpu, va + i, 0);
    yield STEP;
  }
  yield* flush_tlb_kernel_range(cpu, va, va + n);
  free_vm_area(cpu, va, n);
  return pages;
}

/** vfree(): vunmap, then free every page. */
export function* vfree(cpu: Cpu, va: number, n: number): KGen {
  cpu.ev(Ev.CALL, FN_VFREE, n);
  const pages = yield* vunmap(cpu, va, n);
  for (const p of pages) yield* __free_pages(cpu, p, 1);
}
