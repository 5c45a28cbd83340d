// Donthineni's "arm64: Add encrypt/decrypt support for vmalloc regions"
// (20250811005036.714274-3): vmalloc VAs accepted, the enc/dec path run per page
// on the vmalloc VA only. The linear alias stays valid and protected while the
// granule is RIPAS_EMPTY: a load_unaligned_zeropad() spill from the preceding
// linear page takes an SEA (Kelley, 7 Jun 2024).

import type { Policy } from '../policy.js';
import type { Cpu, KGen } from '../../model/cpu.js';
import { PTE_VALID } from '../../model/pte.js';
import { C } from '../../check/counters.js';
import { enc_dec_masks, set_memory_enc_dec_any } from '../pageattr.js';
import { __change_memory_common } from '../pgtable.js';
import { rsi_set_memory_range_enc_dec } from '../rsi.js';

function* flip_vmalloc_pte_only(cpu: Cpu, va: number, pages: number[], encrypt: boolean): KGen<number> {
  const { set, clear } = enc_dec_masks(encrypt);
  for (let i = 0; i < pages.length; i++) {
    const pa = pages[i] * 4096;
    let ret = yield* __change_memory_common(cpu, va + i, 1, set, clear | PTE_VALID);
    if (ret) return ret;
    ret = yield* rsi_set_memory_range_enc_dec(cpu, pa, pa + 4096, encrypt);
    if (ret) return ret;
    cpu.count(C.flipped_pages);
    yield* __change_memory_common(cpu, va + i, 1, PTE_VALID, 0);
  }
  return 0;
}

export const vmalloc_naive: Policy = {
  name: 'vmalloc-naive',
  description: 'accepts vmalloc VAs and flips only the vmalloc PTE per page; the linear alias stays valid and protected',
  expect: ['SEA'],
  set_memory_decrypted: (cpu, vpn, n) => set_memory_enc_dec_any(cpu, vpn, n, false, (pages) => flip_vmalloc_pte_only(cpu, vpn, pages, false)),
  set_memory_encrypted: (cpu, vpn, n) => set_memory_enc_dec_any(cpu, vpn, n, true, (pages) => flip_vmalloc_pte_only(cpu, vpn, pages, true)),
};
