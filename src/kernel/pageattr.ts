// arch/arm64/mm/pageattr.c as merged (v7, R11–R14): break-before-make on the
// linear map only, vmalloc addresses rejected.

import { Cpu, KGen } from '../model/cpu.js';
import { H } from '../model/realm.js';
import { PTE_NS, PTE_VALID } from '../model/pte.js';
import { C } from '../check/counters.js';
import { __change_memory_common } from './pgtable.js';
import { EINVAL, rsi_set_memory_range_enc_dec } from './rsi.js';
import { vmalloc_to_pages } from './vmalloc.js';

export const is_realm_world = (cpu: Cpu): boolean => Atomics.load(cpu.i32, H.REALM_WORLD) === 1;
export const __is_lm_address = (cpu: Cpu, vpn: number): boolean => vpn >= 0 && vpn < cpu.realm.lmPages;

/** The PTE bits a flip sets and clears (besides the VALID of break and make). */
export const enc_dec_masks = (encrypt: boolean): { set: number; clear: number } =>
  encrypt ? { set: 0, clear: PTE_NS } : { set: PTE_NS, clear: 0 };

/**
 * For designs that accept vmalloc addresses: nothing outside a realm, the
 * mainline path for a linear-map address, and flip_vmalloc(pages) for a vmalloc
 * range, given the pages behind it (vmalloc_to_page).
 */
export function* set_memory_enc_dec_any(cpu: Cpu, va: number, numpages: number, encrypt: boolean, flip_vmalloc: (pages: number[]) => KGen<number>): KGen<number> {
  if (!is_realm_world(cpu)) return 0;
  if (__is_lm_address(cpu, va)) return yield* __set_memory_enc_dec(cpu, va, numpages, encrypt);
  return yield* flip_vmalloc(vmalloc_to_pages(cpu, va, numpages));
}

/**
 * __set_memory_enc_dec(addr, numpages, encrypt):
 * break (flip NS, clear VALID, flush) -> RSI loop -> make (set VALID, no TLBI).
 * On an RSI error the PTEs are left invalid with NS already flipped (R12).
 */
export function* __set_memory_enc_dec(cpu: Cpu, vpn: number, numpages: number, encrypt: boolean): KGen<number> {
  if (!is_realm_world(cpu)) return 0;
  if (!__is_lm_address(cpu, vpn)) {
    cpu.count(C.vmalloc_einval); // WARN(): non-linear-map address
    return EINVAL;
  }
  const start = vpn * 4096; // __virt_to_phys(): the linear map is offset 0
  const end = start + numpages * 4096;
  const { set, clear } = enc_dec_masks(encrypt);
  // "Break the mapping before we make any changes to avoid stale TLB entries or
  // Synchronous External Aborts caused by RIPAS_EMPTY"
  let ret = yield* __change_memory_common(cpu, vpn, numpages, set, clear | PTE_VALID);
  if (ret) return ret;
  ret = yield* rsi_set_memory_range_enc_dec(cpu, start, end, encrypt);
  if (ret) return ret;
  cpu.count(C.flipped_pages, numpages);
  return yield* __change_memory_common(cpu, vpn, numpages, PTE_VALID, 0);
}
