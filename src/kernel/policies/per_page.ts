// Mainline's protocol, but one page at a time: every page gets its own break,
// flush (TLBI + DSB), RSI call and make. The cost comparison for Catalin's
// per-page worry (10 Jun 2024) against mainline's one range flip.

import { type KernelCtx, type KGen, type Policy, PAGE_SIZE, __set_memory_enc_dec } from '../api.js';

function* per_page(ctx: KernelCtx, addr: number, numpages: number, encrypt: boolean): KGen<number> {
  for (let i = 0; i < numpages; i++) {
    const ret = yield* __set_memory_enc_dec(ctx, addr + i * PAGE_SIZE, 1, encrypt);
    if (ret) return ret;
  }
  return 0;
}

export const mainline_per_page: Policy = {
  name: 'mainline-per-page',
  description: 'mainline break-before-make, but page by page: a flush, an RSI call and a make per page',
  expect: [],
  ops: {
    set_memory_decrypted: (ctx, addr, numpages) => per_page(ctx, addr, numpages, false),
    set_memory_encrypted: (ctx, addr, numpages) => per_page(ctx, addr, numpages, true),
  },
};
