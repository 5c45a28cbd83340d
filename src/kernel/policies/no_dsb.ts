// Mainline's break-before-make with the classic bug of this code: the flush
// issues its TLBIs (and the ISB) but never the DSB ISH that completes them. The
// invalidations stay pending (R25): another PE keeps hitting the old protected
// entry after RIPAS_EMPTY (SEA), and the issuer's own stale shared entry
// outlives the re-encryption (private data through the NS alias).

import {
  type KernelCtx, type KGen, type Policy, PAGE_SIZE, PTE_VALID, __is_lm_address, __set_memory_enc_dec, __virt_to_phys,
  enc_dec_masks, is_realm_world, flush_tlb_range_limit_excess, rsi_set_memory_range_enc_dec, update_range_prot,
  __tlbi, dsb_ishst, isb,
} from '../api.js';

/** flush_tlb_kernel_range() without its completing DSB ISH: DSB ISHST; TLBI...; ISB. */
function* flush_tlb_kernel_range_no_dsb(ctx: KernelCtx, start: number, end: number): KGen {
  dsb_ishst(ctx);
  if (flush_tlb_range_limit_excess(ctx, (end - start) / PAGE_SIZE)) {
    yield* __tlbi(ctx, 'vmalle1is');
  } else {
    for (let addr = start; addr < end; addr += PAGE_SIZE) yield* __tlbi(ctx, 'vaale1is', addr);
  }
  yield* isb(ctx); // the missing DSB ISH belongs before this
}

function* change_memory_no_dsb(ctx: KernelCtx, addr: number, size: number, set: number, clear: number): KGen {
  yield* update_range_prot(ctx, addr, size, set, clear);
  if (!(set === PTE_VALID && clear === 0)) yield* flush_tlb_kernel_range_no_dsb(ctx, addr, addr + size);
}

/** __set_memory_enc_dec() as mainline, with the DSB-less flush in the break. */
function* set_memory_enc_dec_no_dsb(ctx: KernelCtx, addr: number, numpages: number, encrypt: boolean): KGen<number> {
  // Not a running realm, or not the linear map: exactly mainline (0, or -EINVAL).
  if (!is_realm_world(ctx) || !__is_lm_address(ctx, addr)) return yield* __set_memory_enc_dec(ctx, addr, numpages, encrypt);
  const start = __virt_to_phys(addr);
  const size = numpages * PAGE_SIZE;
  const { set, clear } = enc_dec_masks(encrypt);
  yield* change_memory_no_dsb(ctx, addr, size, set, clear | PTE_VALID);
  const ret = yield* rsi_set_memory_range_enc_dec(ctx, start, start + size, encrypt);
  if (ret) return ret;
  yield* change_memory_no_dsb(ctx, addr, size, PTE_VALID, 0);
  return 0;
}

export const no_dsb: Policy = {
  name: 'no-dsb',
  description: 'mainline, but the flush issues TLBIs without the completing DSB ISH (TLBIs stay pending)',
  expect: ['SEA', 'data-exposed'],
  ops: {
    set_memory_decrypted: (ctx, addr, numpages) => set_memory_enc_dec_no_dsb(ctx, addr, numpages, false),
    set_memory_encrypted: (ctx, addr, numpages) => set_memory_enc_dec_no_dsb(ctx, addr, numpages, true),
  },
};
