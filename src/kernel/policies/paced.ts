// alias-flip, paced (Kelley, 17 Jun 2024: "even if the code needed to pace
// itself to avoid hammering the TLBs"): for a vmalloc range, break every
// vmalloc PTE and every linear alias first, complete them with one batched
// flush (one DSB for all the TLBIs), then the RSI calls, then all the makes.
// Still safe: no alias is valid while its granule changes.

import type { Policy } from '../policy.js';
import type { Cpu, KGen } from '../../model/cpu.js';
import { PTE_VALID } from '../../model/pte.js';
import { C } from '../../check/counters.js';
import { enc_dec_masks, set_memory_enc_dec_any } from '../pageattr.js';
import { update_range_prot } from '../pgtable.js';
import { rsi_set_memory_range_enc_dec } from '../rsi.js';
import { vm_unmap_aliases } from '../vmalloc.js';
import { flush_tlb_kernel_pages } from '../tlbflush.js';

function* flip_vmalloc_and_aliases_paced(cpu: Cpu, va: number, pages: number[], encrypt: boolean): KGen<number> {
  const n = pages.length;
  vm_unmap_aliases(cpu);
  const { set, clear } = enc_dec_masks(encrypt);
  // Break everything first...
  for (let i = 0; i < n; i++) {
    yield* update_range_prot(cpu, va + i, 1, set, clear | PTE_VALID);
    yield* update_range_prot(cpu, pages[i], 1, set, clear | PTE_VALID);
  }
  // ...complete all the invalidations with one DSB...
  yield* flush_tlb_kernel_pages(cpu, [...Array.from({ length: n }, (_, i) => va + i), ...pages]);
  // ...change the granules...
  for (const pfn of pages) {
    const pa = pfn * 4096;
    const ret = yield* rsi_set_memory_range_enc_dec(cpu, pa, pa + 4096, encrypt);
    if (ret) return ret;
    cpu.count(C.flipped_pages);
  }
  // ...and make everything valid again (no TLBI: invalid entries are never cached).
  for (let i = 0; i < n; i++) {
    yield* update_range_prot(cpu, pages[i], 1, PTE_VALID, 0);
    yield* update_range_prot(cpu, va + i, 1, PTE_VALID, 0);
  }
  return 0;
}

export const paced: Policy = {
  name: 'paced',
  description: 'alias-flip with the flushes batched: break all vmalloc PTEs and linear aliases, one DSB for all TLBIs, RSI, then make all',
  expect: [],
  set_memory_decrypted: (cpu, vpn, n) => set_memory_enc_dec_any(cpu, vpn, n, false, (pages) => flip_vmalloc_and_aliases_paced(cpu, vpn, pages, false)),
  set_memory_encrypted: (cpu, vpn, n) => set_memory_enc_dec_any(cpu, vpn, n, true, (pages) => flip_vmalloc_and_aliases_paced(cpu, vpn, pages, true)),
};
