// x86 style (cpa_process_alias, R23) on arm64: for a vmalloc VA, flip the
// vmalloc PTE and its linear-map alias together, page by page, each with
// break-before-make. Catalin's cost worry: one linear-map break, flush and
// remake per page.

import type { Policy } from '../policy.js';
import type { Cpu, KGen } from '../../model/cpu.js';
import { PTE_VALID } from '../../model/pte.js';
import { C } from '../../check/counters.js';
import { enc_dec_masks, set_memory_enc_dec_any } from '../pageattr.js';
import { __change_memory_common } from '../pgtable.js';
import { rsi_set_memory_range_enc_dec } from '../rsi.js';
import { vm_unmap_aliases } from '../vmalloc.js';

function* flip_vmalloc_and_aliases(cpu: Cpu, va: number, pages: number[], encrypt: boolean): KGen<number> {
  vm_unmap_aliases(cpu);
  const { set, clear } = enc_dec_masks(encrypt);
  for (let i = 0; i < pages.length; i++) {
    const pfn = pages[i];
    let ret = yield* __change_memory_common(cpu, va + i, 1, set, clear | PTE_VALID);
    if (ret) return ret;
    ret = yield* __change_memory_common(cpu, pfn, 1, set, clear | PTE_VALID); // the linear alias
    if (ret) return ret;
    const pa = pfn * 4096;
    ret = yield* rsi_set_memory_range_enc_dec(cpu, pa, pa + 4096, encrypt);
    if (ret) return ret;
    cpu.count(C.flipped_pages);
    yield* __change_memory_common(cpu, pfn, 1, PTE_VALID, 0);
    yield* __change_memory_common(cpu, va + i, 1, PTE_VALID, 0);
  }
  return 0;
}

export const alias_flip: Policy = {
  name: 'alias-flip',
  description: 'x86 style: a vmalloc flip also flips the linear alias, page by page, each with break-before-make',
  expect: [],
  set_memory_decrypted: (cpu, vpn, n) => set_memory_enc_dec_any(cpu, vpn, n, false, (pages) => flip_vmalloc_and_aliases(cpu, vpn, pages, false)),
  set_memory_encrypted: (cpu, vpn, n) => set_memory_enc_dec_any(cpu, vpn, n, true, (pages) => flip_vmalloc_and_aliases(cpu, vpn, pages, true)),
};
