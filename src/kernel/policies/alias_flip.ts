// x86 style (cpa_process_alias, R23) on arm64: for a vmalloc VA, flip the
// vmalloc PTE and its linear-map alias together, page by page, each with
// break-before-make. Catalin's cost worry: one linear-map break, flush and
// remake per page.

import type { Policy } from '../policy.js';
import type { Cpu, KGen } from '../../model/cpu.js';
import { PTE_NS, PTE_VALID } from '../../model/pte.js';
import { C } from '../../check/counters.js';
import { __set_memory_enc_dec, __is_lm_address, is_realm_world } from '../pageattr.js';
import { __change_memory_common } from '../pgtable.js';
import { rsi_set_memory_range_enc_dec } from '../rsi.js';
import { vmalloc_to_pages, vm_unmap_aliases } from '../vmalloc.js';

function* set_memory_enc_dec_aliases(cpu: Cpu, va: number, n: number, encrypt: boolean): KGen<number> {
  if (!is_realm_world(cpu)) return 0;
  if (__is_lm_address(cpu, va)) return yield* __set_memory_enc_dec(cpu, va, n, encrypt);
  vm_unmap_aliases(cpu);
  const pages = vmalloc_to_pages(cpu, va, n);
  const set = encrypt ? 0 : PTE_NS;
  const clear = encrypt ? PTE_NS : 0;
  for (let i = 0; i < n; i++) {
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
  set_memory_decrypted: (cpu, vpn, n) => set_memory_enc_dec_aliases(cpu, vpn, n, false),
  set_memory_encrypted: (cpu, vpn, n) => set_memory_enc_dec_aliases(cpu, vpn, n, true),
};
