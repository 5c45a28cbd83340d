// Donthineni's "arm64: Add encrypt/decrypt support for vmalloc regions"
// (20250811005036.714274-3): vmalloc VAs accepted, the enc/dec path run per page
// on the vmalloc VA only. The linear alias stays valid and protected while the
// granule is RIPAS_EMPTY: a load_unaligned_zeropad() spill from the preceding
// linear page takes an SEA (Kelley, 7 Jun 2024).

import type { Policy } from '../policy.js';
import type { Cpu, KGen } from '../../model/cpu.js';
import { PTE_NS, PTE_VALID } from '../../model/pte.js';
import { C } from '../../check/counters.js';
import { __set_memory_enc_dec, __is_lm_address, is_realm_world } from '../pageattr.js';
import { __change_memory_common } from '../pgtable.js';
import { rsi_set_memory_range_enc_dec } from '../rsi.js';
import { vmalloc_to_pages } from '../vmalloc.js';

function* set_memory_enc_dec_vmalloc(cpu: Cpu, va: number, n: number, encrypt: boolean): KGen<number> {
  if (!is_realm_world(cpu)) return 0;
  if (__is_lm_address(cpu, va)) return yield* __set_memory_enc_dec(cpu, va, n, encrypt);
  const pages = vmalloc_to_pages(cpu, va, n);
  for (let i = 0; i < n; i++) {
    const pa = pages[i] * 4096;
    let ret = yield* __change_memory_common(cpu, va + i, 1, encrypt ? 0 : PTE_NS, (encrypt ? PTE_NS : 0) | PTE_VALID);
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
  set_memory_decrypted: (cpu, vpn, n) => set_memory_enc_dec_vmalloc(cpu, vpn, n, false),
  set_memory_encrypted: (cpu, vpn, n) => set_memory_enc_dec_vmalloc(cpu, vpn, n, true),
};
