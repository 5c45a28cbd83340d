// alias-flip, paced (Kelley, 17 Jun 2024: "even if the code needed to pace
// itself to avoid hammering the TLBs"): for a vmalloc range, break every
// vmalloc PTE and every linear alias first, complete them with one batched
// flush (one DSB for all the TLBIs), then the RSI calls, then all the makes.
// Still safe: no alias is valid while its granule changes.

import {
  type KernelCtx, type KGen, type Policy, PAGE_SIZE, PTE_VALID, __phys_to_virt, __set_memory_enc_dec,
  enc_dec_masks, flush_tlb_kernel_pages, is_vmalloc_addr, page_to_phys, rsi_set_memory_range_enc_dec,
  update_range_prot, vm_unmap_aliases, vmalloc_to_page,
} from '../api.js';

function* __set_memory_enc_dec_paced(ctx: KernelCtx, addr: number, numpages: number, encrypt: boolean): KGen<number> {
  if (!is_vmalloc_addr(ctx, addr)) return yield* __set_memory_enc_dec(ctx, addr, numpages, encrypt);
  vm_unmap_aliases(ctx);
  const vas: number[] = [];
  const pas: number[] = [];
  for (let i = 0; i < numpages; i++) {
    vas.push(addr + i * PAGE_SIZE);
    pas.push(page_to_phys(vmalloc_to_page(ctx, vas[i])));
  }
  const aliases = pas.map(__phys_to_virt);
  const { set, clear } = enc_dec_masks(encrypt);
  // Break everything first...
  for (let i = 0; i < numpages; i++) {
    yield* update_range_prot(ctx, vas[i], PAGE_SIZE, set, clear | PTE_VALID);
    yield* update_range_prot(ctx, aliases[i], PAGE_SIZE, set, clear | PTE_VALID);
  }
  // ...complete all the invalidations with one DSB...
  yield* flush_tlb_kernel_pages(ctx, [...vas, ...aliases]);
  // ...change the granules...
  for (const pa of pas) {
    const ret = yield* rsi_set_memory_range_enc_dec(ctx, pa, pa + PAGE_SIZE, encrypt);
    if (ret) return ret;
  }
  // ...and make everything valid again (no TLBI: invalid entries are never cached).
  for (let i = 0; i < numpages; i++) {
    yield* update_range_prot(ctx, aliases[i], PAGE_SIZE, PTE_VALID, 0);
    yield* update_range_prot(ctx, vas[i], PAGE_SIZE, PTE_VALID, 0);
  }
  return 0;
}

export const paced: Policy = {
  name: 'paced',
  description: 'alias-flip with the flushes batched: break all vmalloc PTEs and linear aliases, one DSB for all TLBIs, RSI, then make all',
  expect: [],
  ops: {
    set_memory_decrypted: (ctx, addr, numpages) => __set_memory_enc_dec_paced(ctx, addr, numpages, false),
    set_memory_encrypted: (ctx, addr, numpages) => __set_memory_enc_dec_paced(ctx, addr, numpages, true),
  },
};
