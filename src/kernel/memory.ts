// arch/arm64/include/asm/memory.h for the modelled address space: the linear
// map starts at VA 0 and maps RAM at PA 0 (PAGE_OFFSET = PHYS_OFFSET = 0), the
// vmalloc area follows it. Kernel code works on byte addresses; a page (struct
// page) is named by its page frame number, as page_to_pfn() would give.

import { PAGE_SHIFT, PAGE_SIZE } from '../model/config.js';
import type { KernelCtx } from './context.js';

export { PAGE_SHIFT, PAGE_SIZE };

export const PAGE_ALIGNED = (addr: number): boolean => addr % PAGE_SIZE === 0;

/** __is_lm_address(): addr lies in the linear map. */
export const __is_lm_address = (ctx: KernelCtx, addr: number): boolean => addr >= 0 && addr < ctx.realm.lmPages * PAGE_SIZE;

/** is_vmalloc_addr(): addr lies in the vmalloc area. */
export const is_vmalloc_addr = (ctx: KernelCtx, addr: number): boolean =>
  addr >= ctx.realm.vmBase * PAGE_SIZE && addr < ctx.realm.vaPages * PAGE_SIZE;

/** __virt_to_phys() of a linear-map address (the linear map is offset 0). */
export const __virt_to_phys = (addr: number): number => addr;
/** __phys_to_virt(): the linear-map address of a PA. */
export const __phys_to_virt = (pa: number): number => pa;

/** virt_to_pfn(): page frame (or VA page) number of an address. Addresses may pass 2^31: no shifts. */
export const virt_to_pfn = (addr: number): number => Math.floor(addr / PAGE_SIZE);
/** virt_to_page() of a linear-map address: the page, named by its pfn. */
export const virt_to_page = virt_to_pfn;
/** page_address(): the linear-map address of a page. */
export const page_address = (page: number): number => page * PAGE_SIZE;
/** page_to_phys(). */
export const page_to_phys = (page: number): number => page * PAGE_SIZE;
export const pfn_to_virt = page_address;
