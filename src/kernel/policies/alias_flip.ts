// x86 style (cpa_process_alias): a vmalloc flip also flips the linear alias of
// every page, page by page, each with break-before-make on both mappings.

import {
  type KernelCtx, type KGen, type Policy, PAGE_SIZE, PTE_VALID, __change_memory_common, __phys_to_virt,
  __set_memory_enc_dec, enc_dec_masks, is_vmalloc_addr, page_to_phys, rsi_set_memory_range_enc_dec,
  vm_unmap_aliases, vmalloc_to_page,
} from '../api.js';

function* __set_memory_enc_dec_alias(ctx: KernelCtx, addr: number, numpages: number, encrypt: boolean): KGen<number> {
  if (!is_vmalloc_addr(ctx, addr)) return yield* __set_memory_enc_dec(ctx, addr, numpages, encrypt);
  vm_unmap_aliases(ctx);
  const { set, clear } = enc_dec_masks(encrypt);
  for (let i = 0; i < numpages; i++) {
    const va = addr + i * PAGE_SIZE;
    const pa = page_to_phys(vmalloc_to_page(ctx, va));
    const alias = __phys_to_virt(pa); // the linear-map alias
    let ret = yield* __change_memory_common(ctx, va, PAGE_SIZE, set, clear | PTE_VALID);
    if (ret) return ret;
    ret = yield* __change_memory_common(ctx, alias, PAGE_SIZE, set, clear | PTE_VALID);
    if (ret) return ret;
    ret = yield* rsi_set_memory_range_enc_dec(ctx, pa, pa + PAGE_SIZE, encrypt);
    if (ret) return ret;
    yield* __change_memory_common(ctx, alias, PAGE_SIZE, PTE_VALID, 0);
    yield* __change_memory_common(ctx, va, PAGE_SIZE, PTE_VALID, 0);
  }
  return 0;
}

export const alias_flip: Policy = {
  name: 'alias-flip',
  description: 'x86 style: a vmalloc flip also flips the linear alias, page by page, each with break-before-make',
  expect: [],
  ops: {
    set_memory_decrypted: (ctx, addr, numpages) => __set_memory_enc_dec_alias(ctx, addr, numpages, false),
    set_memory_encrypted: (ctx, addr, numpages) => __set_memory_enc_dec_alias(ctx, addr, numpages, true),
  },
};
