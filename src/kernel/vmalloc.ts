// mm/vmalloc.c: vmalloc()/vmap() map scattered linear-map pages at a contiguous
// vmalloc VA (with a guard page); vfree() unmaps, flushes and frees. The linear
// alias of every page stays mapped: that is the alias the review thread is about.

import { STEP } from '../model/cpu.js';
import { mk_pte, pte_pfn } from '../model/pte.js';
import { walk } from '../model/mmu.js';
import { Ev, fnId } from '../check/events.js';
import type { KernelCtx, KGen } from './context.js';
import { PAGE_SIZE, page_address, virt_to_pfn } from './memory.js';
import { alloc_pages, __free_pages } from './page_alloc.js';
import { set_pte } from './pgtable.js';
import { flush_tlb_kernel_range } from './tlbflush.js';
import { ENOMEM } from './errno.js';

const FN_VMALLOC = fnId('vmalloc');
const FN_VFREE = fnId('vfree');
const FN_VM_UNMAP_ALIASES = fnId('vm_unmap_aliases');
const VM_TRIES = 8;

const pages_of = (size: number): number => Math.ceil(size / PAGE_SIZE);

/** Reserve n VA pages plus a guard page in the vmalloc area. One step per try. */
function* get_vm_area(ctx: KernelCtx, n: number): KGen<number> {
  const r = ctx.realm;
  const span = n + 1;
  const me = ctx.id + 1;
  for (let t = 0; t < VM_TRIES; t++) {
    const slot = ctx.randInt(r.vmPages - span + 1);
    let got = 0;
    while (got < span && r.cmpxchg_vm_owner(slot + got, 0, me) === 0) got++;
    yield STEP;
    if (got === span) return page_address(r.vmBase + slot);
    for (let i = 0; i < got; i++) r.set_vm_owner(slot + i, 0);
  }
  return ENOMEM;
}

function free_vm_area(ctx: KernelCtx, addr: number, n: number): void {
  const r = ctx.realm;
  const slot = virt_to_pfn(addr) - r.vmBase;
  for (let i = 0; i <= n; i++) r.set_vm_owner(slot + i, 0);
}

/**
 * vmap(pages, count, prot): map the given pages at a new vmalloc address, with
 * or without PROT_NS_SHARED (pgprot_decrypted). One step per PTE.
 */
export function* vmap(ctx: KernelCtx, pages: number[], decrypted: boolean): KGen<number> {
  const addr = yield get_vm_area(ctx, pages.length);
  if (addr < 0) return addr;
  for (let i = 0; i < pages.length; i++) {
    ctx.ev(Ev.VMAP, virt_to_pfn(addr) + i, pages[i]);
    yield set_pte(ctx, addr + i * PAGE_SIZE, mk_pte(pages[i], true, decrypted));
  }
  return addr;
}

/** vmalloc(size): order-0 pages from the page allocator, mapped protected. */
export function* vmalloc(ctx: KernelCtx, size: number): KGen<number> {
  const n = pages_of(size);
  ctx.ev(Ev.CALL, FN_VMALLOC, n);
  const pages: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = yield alloc_pages(ctx, 0);
    if (p < 0) {
      for (const q of pages) yield __free_pages(ctx, q, 0);
      ctx.ev(Ev.RET, FN_VMALLOC, ENOMEM);
      return ENOMEM;
    }
    pages.push(p);
  }
  const addr = yield vmap(ctx, pages, false);
  if (addr < 0) for (const q of pages) yield __free_pages(ctx, q, 0);
  ctx.ev(Ev.RET, FN_VMALLOC, addr);
  return addr;
}

/**
 * vm_unmap_aliases(): purge lazily-freed vmap areas. vfree() flushes eagerly in
 * this model, so there is nothing to purge: a marker in the trace.
 */
export function vm_unmap_aliases(ctx: KernelCtx): void {
  ctx.ev(Ev.CALL, FN_VM_UNMAP_ALIASES, 0);
  ctx.ev(Ev.RET, FN_VM_UNMAP_ALIASES, 0);
}

/**
 * vmalloc_to_page(addr): the page mapped at a vmalloc address. Not a step
 * point: only the mapping's owner changes its output address.
 */
export const vmalloc_to_page = (ctx: KernelCtx, addr: number): number => pte_pfn(walk(ctx.realm, virt_to_pfn(addr)));

/** vunmap(addr, size): clear the PTEs and flush the range (eager, not the lazy purge). Returns the pages. */
export function* vunmap(ctx: KernelCtx, addr: number, size: number): KGen<number[]> {
  const n = pages_of(size);
  const pages: number[] = [];
  for (let i = 0; i < n; i++) pages.push(vmalloc_to_page(ctx, addr + i * PAGE_SIZE));
  for (let i = 0; i < n; i++) yield set_pte(ctx, addr + i * PAGE_SIZE, 0);
  yield flush_tlb_kernel_range(ctx, addr, addr + n * PAGE_SIZE);
  free_vm_area(ctx, addr, n);
  return pages;
}

/** vfree(addr, size): vunmap, then free every page. */
export function* vfree(ctx: KernelCtx, addr: number, size: number): KGen {
  ctx.ev(Ev.CALL, FN_VFREE, pages_of(size));
  const pages = yield vunmap(ctx, addr, size);
  for (const p of pages) yield __free_pages(ctx, p, 0);
  ctx.ev(Ev.RET, FN_VFREE, 0);
}
