// Donthineni's "arm64: Add encrypt/decrypt support for vmalloc regions"
// (20250811005036.714274-3): vmalloc VAs accepted, the enc/dec path run per page
// on the vmalloc VA only. The linear alias stays valid and protected while the
// granule is RIPAS_EMPTY: a load_unaligned_zeropad() spill from the preceding
// linear page takes an SEA (Kelley, 7 Jun 2024).

import {
  type KernelCtx, type KGen, type Policy, PAGE_SIZE, PTE_VALID, __change_memory_common, __set_memory_enc_dec,
  enc_dec_masks, is_vmalloc_addr, page_to_phys, rsi_set_memory_range_enc_dec, vmalloc_to_page,
} from '../api.js';

function* __set_memory_enc_dec_vmalloc(ctx: KernelCtx, addr: number, numpages: number, encrypt: boolean): KGen<number> {
  if (!is_vmalloc_addr(ctx, addr)) return yield* __set_memory_enc_dec(ctx, addr, numpages, encrypt);
  const { set, clear } = enc_dec_masks(encrypt);
  for (let i = 0; i < numpages; i++) {
    const va = addr + i * PAGE_SIZE;
    const pa = page_to_phys(vmalloc_to_page(ctx, va));
    let ret = yield* __change_memory_common(ctx, va, PAGE_SIZE, set, clear | PTE_VALID);
    if (ret) return ret;
    ret = yield* rsi_set_memory_range_enc_dec(ctx, pa, pa + PAGE_SIZE, encrypt);
    if (ret) return ret;
    yield* __change_memory_common(ctx, va, PAGE_SIZE, PTE_VALID, 0);
  }
  return 0;
}

export const vmalloc_naive: Policy = {
  name: 'vmalloc-naive',
  description: 'accepts vmalloc VAs and flips only the vmalloc PTE per page; the linear alias stays valid and protected',
  expect: ['SEA'],
  ops: {
    set_memory_decrypted: (ctx, addr, numpages) => __set_memory_enc_dec_vmalloc(ctx, addr, numpages, false),
    set_memory_encrypted: (ctx, addr, numpages) => __set_memory_enc_dec_vmalloc(ctx, addr, numpages, true),
  },
};
