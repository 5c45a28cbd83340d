// arch/arm64/mm/pageattr.c as merged (v7, R11–R14): break-before-make on the
// linear map only, vmalloc addresses rejected.

import { H } from '../model/realm.js';
import { PTE_NS, PTE_VALID } from '../model/pte.js';
import { Ev } from '../check/events.js';
import type { KernelCtx, KGen } from './context.js';
import { PAGE_SIZE, __is_lm_address, __virt_to_phys } from './memory.js';
import { __change_memory_common } from './pgtable.js';
import { rsi_set_memory_range_enc_dec } from './rsi.js';
import { EINVAL } from './errno.js';

export { __is_lm_address } from './memory.js';

/** PROT_NS_SHARED as a pgprot: the descriptor bit that selects the shared IPA alias (R1). */
export const PROT_NS_SHARED = PTE_NS;

export const is_realm_world = (ctx: KernelCtx): boolean => ctx.realm.header(H.REALM_WORLD) === 1;

/** The pgprot a flip sets and clears (besides the PTE_VALID of break and make). */
export const enc_dec_masks = (encrypt: boolean): { set: number; clear: number } =>
  encrypt ? { set: 0, clear: PROT_NS_SHARED } : { set: PROT_NS_SHARED, clear: 0 };

/**
 * __set_memory_enc_dec(addr, numpages, encrypt):
 * break (flip NS, clear VALID, flush) -> RSI loop -> make (set VALID, no TLBI).
 * On an RSI error the PTEs are left invalid with NS already flipped (R12).
 */
export function* __set_memory_enc_dec(ctx: KernelCtx, addr: number, numpages: number, encrypt: boolean): KGen<number> {
  if (!is_realm_world(ctx)) return 0;
  if (!__is_lm_address(ctx, addr)) {
    ctx.note(Ev.VMALLOC_EINVAL, addr / PAGE_SIZE, 0); // silently: the WARN is in realm_set_memory_*
    return EINVAL;
  }
  const start = __virt_to_phys(addr);
  const end = start + numpages * PAGE_SIZE;
  const { set, clear } = enc_dec_masks(encrypt);
  // "Break the mapping before we make any changes to avoid stale TLB entries or
  // Synchronous External Aborts caused by RIPAS_EMPTY"
  let ret = yield __change_memory_common(ctx, addr, PAGE_SIZE * numpages, set, clear | PTE_VALID);
  if (ret) return ret;
  ret = yield rsi_set_memory_range_enc_dec(ctx, start, end, encrypt);
  if (ret) return ret;
  return yield __change_memory_common(ctx, addr, PAGE_SIZE * numpages, PTE_VALID, 0);
}
