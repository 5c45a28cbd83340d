// The v2 posting, before "fixing set_memory_{en,de}crypted() to perform a
// break-before-make sequence": the PTE's NS bit is flipped while it stays
// valid, then RSI, then the flush. The NS bit is part of the output address
// (R1), so the first PTE write is already a bbm-violation (R31) and the run
// stops there. Past it (were the write allowed), stale TLB entries and fresh
// walks would reach a protected IPA whose RIPAS is EMPTY: SEA.

import {
  type KernelCtx, type KGen, type Policy, PAGE_SIZE, __is_lm_address, __set_memory_enc_dec, __virt_to_phys, enc_dec_masks,
  flush_tlb_kernel_range, rsi_set_memory_range_enc_dec, update_range_prot,
} from '../api.js';

function* __set_memory_enc_dec_in_place(ctx: KernelCtx, addr: number, numpages: number, encrypt: boolean): KGen<number> {
  // Linear map only: anything else is rejected as mainline does (-EINVAL).
  if (!__is_lm_address(ctx, addr)) return yield* __set_memory_enc_dec(ctx, addr, numpages, encrypt);
  const start = __virt_to_phys(addr);
  const end = start + numpages * PAGE_SIZE;
  // Live change of the output address, no break and no flush yet.
  const { set, clear } = enc_dec_masks(encrypt);
  yield* update_range_prot(ctx, addr, numpages * PAGE_SIZE, set, clear);
  const ret = yield* rsi_set_memory_range_enc_dec(ctx, start, end, encrypt);
  if (ret) return ret;
  yield* flush_tlb_kernel_range(ctx, addr, addr + numpages * PAGE_SIZE);
  return 0;
}

export const v2_no_bbm: Policy = {
  name: 'v2-no-bbm',
  description: 'v2 posting: NS bit flipped in the live PTE, then RSI, then flush (no break-before-make)',
  expect: ['bbm-violation'],
  ops: {
    set_memory_decrypted: (ctx, addr, numpages) => __set_memory_enc_dec_in_place(ctx, addr, numpages, false),
    set_memory_encrypted: (ctx, addr, numpages) => __set_memory_enc_dec_in_place(ctx, addr, numpages, true),
  },
};
