// The policy author's API (published as src/api.ts): everything a policy may
// use, and nothing else. It lives in kernel/ so that built-in policies import
// it without reaching above their layer.
// A policy module's default export is a policy object, or a factory that
// receives this module and returns one (see README "Policies").
//
//   export default (k) => ({
//     name: 'my-design', expect: [],
//     ops: {
//       *set_memory_decrypted(ctx, addr, numpages) { return yield* k.__set_memory_enc_dec(ctx, addr, numpages, false); },
//       *set_memory_encrypted(ctx, addr, numpages) { return yield* k.__set_memory_enc_dec(ctx, addr, numpages, true); },
//     },
//   });
//
// Addresses are byte VAs. Every primitive that reads or changes shared state is
// a step point by itself: a policy only `yield*`s primitives, never yields on
// its own, and counts nothing (the primitives record their events; flips,
// flushes and cost are counted and priced from them by the execution's
// observers).

export type { KernelCtx, KGen } from './context.js';
export type { Policy, PolicyModule, MemCryptOps } from './policy.js';
export type { FindingKind } from '../check/finding.js';

// Addresses (asm/memory.h).
export {
  PAGE_SHIFT, PAGE_SIZE, PAGE_ALIGNED, __is_lm_address, is_vmalloc_addr, __virt_to_phys, __phys_to_virt,
  virt_to_pfn, virt_to_page, page_address, page_to_phys, pfn_to_virt,
} from './memory.js';
export { PTRS_PER_PTE, MAX_DVM_OPS, MAX_TLBI_RANGE_PAGES } from '../model/config.js';

// Descriptor bits and pgprot masks.
export { PTE_VALID, PTE_NS, PTE_PRESENT_INVALID, mk_pte, pte_pfn, pte_valid, pte_ns } from '../model/pte.js';
export { PROT_NS_SHARED, enc_dec_masks, is_realm_world, __set_memory_enc_dec } from './pageattr.js';

// Primitives (each one or more step points).
export { set_pte, update_range_prot, __change_memory_common, split_kernel_leaf_mapping } from './pgtable.js';
export { flush_tlb_kernel_range, flush_tlb_all, flush_tlb_kernel_pages, flush_tlb_range_limit_excess, __tlbi, dsb_ishst, isb } from './tlbflush.js';
export {
  rsi_set_memory_range, rsi_set_memory_range_shared, rsi_set_memory_range_protected,
  rsi_set_memory_range_protected_safe, rsi_set_memory_range_enc_dec,
} from './rsi.js';
export { alloc_pages, __free_pages, __get_free_pages, free_pages, leak_pages } from './page_alloc.js';
export { vmalloc, vfree, vmap, vunmap, vmalloc_to_page, vm_unmap_aliases } from './vmalloc.js';
export { decrypted_pool_alloc, decrypted_pool_free, POOL_LOW_WATER } from './decrypted_pool.js';
export { kernel_load, kernel_store, load_unaligned_zeropad } from './fault.js';
export { EINVAL, ENOMEM, EPERM } from './errno.js';

// Runtime values of the enums a policy reads or traces with.
export { Ripas, G_RIPAS_MASK, G_ASSIGNED } from '../model/granule.js';
export { RSI_SUCCESS, RSI_ERROR_INPUT, RSI_INCOMPLETE, RSI_ACCEPT, RSI_REJECT, RSI_CHANGE_DESTROYED, RSI_NO_CHANGE_DESTROYED } from '../model/rmm.js';
export { H, Chunk, POOL_CHUNK_PAGES } from '../model/realm.js';
export { Ev, Res, FN, fnId } from '../check/events.js';
export { FINDING_KINDS } from '../check/finding.js';
