// The v2 posting, before "fixing set_memory_{en,de}crypted() to perform a
// break-before-make sequence": the PTE's NS bit is flipped while it stays
// valid, then RSI, then the flush. Stale TLB entries and fresh walks both reach
// a protected IPA whose RIPAS is EMPTY: SEA.

import type { Policy } from '../policy.js';
import type { Cpu, KGen } from '../../model/cpu.js';
import { C } from '../../check/counters.js';
import { __is_lm_address, enc_dec_masks, is_realm_world } from '../pageattr.js';
import { EINVAL, rsi_set_memory_range_enc_dec } from '../rsi.js';
import { flush_tlb_kernel_range } from '../tlbflush.js';
import { update_range_prot } from '../pgtable.js';

function* set_memory_enc_dec_in_place(cpu: Cpu, vpn: number, n: number, encrypt: boolean): KGen<number> {
  if (!is_realm_world(cpu)) return 0;
  if (!__is_lm_address(cpu, vpn)) {
    cpu.count(C.vmalloc_einval);
    return EINVAL;
  }
  // Live change of the output address, no break and no flush yet.
  const { set, clear } = enc_dec_masks(encrypt);
  yield* update_range_prot(cpu, vpn, n, set, clear);
  const start = vpn * 4096;
  const end = start + n * 4096;
  const ret = yield* rsi_set_memory_range_enc_dec(cpu, start, end, encrypt);
  if (ret) return ret;
  cpu.count(C.flipped_pages, n);
  yield* flush_tlb_kernel_range(cpu, vpn, vpn + n);
  return 0;
}

export const v2_no_bbm: Policy = {
  name: 'v2-no-bbm',
  description: 'v2 posting: NS bit flipped in the live PTE, then RSI, then flush (no break-before-make)',
  expect: ['SEA'],
  set_memory_decrypted: (cpu, vpn, n) => set_memory_enc_dec_in_place(cpu, vpn, n, false),
  set_memory_encrypted: (cpu, vpn, n) => set_memory_enc_dec_in_place(cpu, vpn, n, true),
};
