// arch/arm64/mm/mem_encrypt.c: the set_memory_{de,en}crypted() dispatcher, plus
// the generic callers' side of allocating shared memory: Catalin's
// post_alloc_hook()/free_pages_prepare() (__GFP_DECRYPTED) and the
// vzalloc+set_memory_decrypted pattern of vmbus/netvsc. A policy may override
// any of the allocation hooks.

import { Cpu, KGen } from '../model/cpu.js';
import { Ev, fnId } from '../check/events.js';
import { C } from '../check/counters.js';
import type { Policy } from './policy.js';
import { is_realm_world } from './pageattr.js';
import { alloc_pages, __free_pages, leak_pages } from './page_alloc.js';
import { vfree, vmalloc, vmalloc_to_pages } from './vmalloc.js';

const FN_DEC = fnId('set_memory_decrypted');
const FN_ENC = fnId('set_memory_encrypted');

/**
 * The dispatcher: a no-op outside a realm; an unaligned byte VA gets a WARN and
 * returns 0 having done nothing (R13); otherwise the policy does the flip.
 */
function* set_memory_enc_dec(cpu: Cpu, policy: Policy, addr: number, numpages: number, encrypt: boolean): KGen<number> {
  if (!is_realm_world(cpu)) return 0;
  if (addr % 4096 !== 0) {
    cpu.count(C.unaligned_warn);
    return 0;
  }
  const fn = encrypt ? FN_ENC : FN_DEC;
  cpu.ev(Ev.CALL, fn, addr / 4096);
  const ret = yield* flip_accounted(cpu, encrypt, encrypt ? policy.set_memory_encrypted(cpu, addr / 4096, numpages) : policy.set_memory_decrypted(cpu, addr / 4096, numpages));
  cpu.ev(Ev.RET, fn, ret);
  return ret;
}

/**
 * Run one flip (a set_memory_* call, or a pool's own range flip) and account
 * it: the call count, its modelled ns, and its measured time when timing.
 */
export function* flip_accounted(cpu: Cpu, encrypt: boolean, flip: KGen<number>): KGen<number> {
  cpu.count(encrypt ? C.set_memory_encrypted : C.set_memory_decrypted);
  const ns0 = cpu.ns;
  const wall0 = cpu.wallNs;
  const ret = yield* flip;
  cpu.count(C.ns_flip, cpu.ns - ns0);
  if (cpu.clock) cpu.recordFlipWall(cpu.wallNs - wall0, encrypt);
  return ret;
}

/** set_memory_decrypted(addr, numpages), addr a byte VA. */
export const set_memory_decrypted = (cpu: Cpu, policy: Policy, addr: number, numpages: number): KGen<number> =>
  set_memory_enc_dec(cpu, policy, addr, numpages, false);

/** set_memory_encrypted(addr, numpages), addr a byte VA. */
export const set_memory_encrypted = (cpu: Cpu, policy: Policy, addr: number, numpages: number): KGen<number> =>
  set_memory_enc_dec(cpu, policy, addr, numpages, true);

/** alloc_pages(gfp | __GFP_DECRYPTED, order): linear page of shared memory, or -errno. */
export function* alloc_pages_decrypted(cpu: Cpu, policy: Policy, order: number): KGen<number> {
  if (policy.alloc_decrypted) return yield* policy.alloc_decrypted(cpu, order);
  const p = yield* alloc_pages(cpu, order);
  if (p < 0) return p;
  const ret = yield* set_memory_decrypted(cpu, policy, p * 4096, 1 << order);
  if (ret) {
    leak_pages(cpu, p, 1 << order); // WARN: "%d pages will be leaked"
    return ret;
  }
  return p;
}

/** free_pages_prepare() for a decrypted page: re-encrypt, then free; leak on failure (R12). */
export function* free_pages_decrypted(cpu: Cpu, policy: Policy, p: number, order: number): KGen {
  if (policy.free_decrypted) return yield* policy.free_decrypted(cpu, p, order);
  const ret = yield* set_memory_encrypted(cpu, policy, p * 4096, 1 << order);
  if (ret) leak_pages(cpu, p, 1 << order);
  else yield* __free_pages(cpu, p, 1 << order);
}

/** vzalloc(n) then set_memory_decrypted() on the vmalloc VA (__vmbus_establish_gpadl). */
export function* vmalloc_decrypted(cpu: Cpu, policy: Policy, n: number): KGen<number> {
  if (policy.vmalloc_decrypted) return yield* policy.vmalloc_decrypted(cpu, n);
  const va = yield* vmalloc(cpu, n);
  if (va < 0) return va;
  const ret = yield* set_memory_decrypted(cpu, policy, va * 4096, n);
  if (ret) {
    // gpadl->decrypted stays true: the buffer is leaked rather than freed.
    for (const p of vmalloc_to_pages(cpu, va, n)) leak_pages(cpu, p, 1);
    return ret;
  }
  return va;
}

export function* vfree_decrypted(cpu: Cpu, policy: Policy, va: number, n: number): KGen {
  if (policy.vfree_decrypted) return yield* policy.vfree_decrypted(cpu, va, n);
  const ret = yield* set_memory_encrypted(cpu, policy, va * 4096, n);
  if (ret) {
    for (const p of vmalloc_to_pages(cpu, va, n)) leak_pages(cpu, p, 1);
    return;
  }
  yield* vfree(cpu, va, n);
}
