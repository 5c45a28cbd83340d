// arch/arm64/mm/mem_encrypt.c: the set_memory_{de,en}crypted() dispatcher, plus
// the generic callers' side of allocating shared memory: Catalin's
// post_alloc_hook()/free_pages_prepare() (__GFP_DECRYPTED) and the
// vzalloc+set_memory_decrypted pattern of vmbus/netvsc. A policy may override
// any of the allocation hooks. The dispatcher does the bookkeeping (calls,
// modelled and measured time), so policies never count anything.

import { Ev, fnId } from '../check/events.js';
import type { KernelCtx, KGen } from './context.js';
import type { Policy } from './policy.js';
import { PAGE_ALIGNED, PAGE_SIZE, virt_to_page, virt_to_pfn } from './memory.js';
import { is_realm_world } from './pageattr.js';
import { __get_free_pages, free_pages, leak_pages } from './page_alloc.js';
import { vfree, vmalloc, vmalloc_to_page } from './vmalloc.js';

const FN_DEC = fnId('set_memory_decrypted');
const FN_ENC = fnId('set_memory_encrypted');

/**
 * The dispatcher: a no-op outside a realm; an unaligned address gets a WARN
 * and returns 0 having done nothing (R13); otherwise the policy does the flip.
 */
function* set_memory_enc_dec(ctx: KernelCtx, policy: Policy, addr: number, numpages: number, encrypt: boolean): KGen<number> {
  if (!is_realm_world(ctx)) return 0;
  if (!PAGE_ALIGNED(addr)) {
    ctx.note(Ev.WARN_UNALIGNED, addr, 0);
    return 0;
  }
  const fn = encrypt ? FN_ENC : FN_DEC;
  ctx.ev(Ev.CALL, fn, virt_to_pfn(addr));
  const ops = policy.ops;
  const ret = yield flip_accounted(ctx, encrypt, encrypt ? ops.set_memory_encrypted(ctx, addr, numpages) : ops.set_memory_decrypted(ctx, addr, numpages));
  ctx.ev(Ev.RET, fn, ret);
  return ret;
}

/**
 * Run one flip (a set_memory_* call, or a pool's own range flip) between
 * FLIP_BEGIN and FLIP_END notes: the observers count the call, its modelled ns
 * and its measured time from them.
 */
export function* flip_accounted(ctx: KernelCtx, encrypt: boolean, flip: KGen<number>): KGen<number> {
  ctx.note(Ev.FLIP_BEGIN, encrypt ? 1 : 0, 0);
  const ret = yield flip;
  ctx.note(Ev.FLIP_END, encrypt ? 1 : 0, ret);
  return ret;
}

/** set_memory_decrypted(addr, numpages). */
export const set_memory_decrypted = (ctx: KernelCtx, policy: Policy, addr: number, numpages: number): KGen<number> =>
  set_memory_enc_dec(ctx, policy, addr, numpages, false);

/** set_memory_encrypted(addr, numpages). */
export const set_memory_encrypted = (ctx: KernelCtx, policy: Policy, addr: number, numpages: number): KGen<number> =>
  set_memory_enc_dec(ctx, policy, addr, numpages, true);

/** __get_free_pages(gfp | __GFP_DECRYPTED, order): linear-map address of shared memory, or -errno. */
export function* alloc_pages_decrypted(ctx: KernelCtx, policy: Policy, order: number): KGen<number> {
  if (policy.ops.alloc_decrypted) return yield policy.ops.alloc_decrypted(ctx, order);
  const addr = yield __get_free_pages(ctx, order);
  if (addr < 0) return addr;
  const ret = yield set_memory_decrypted(ctx, policy, addr, 1 << order);
  if (ret) {
    leak_pages(ctx, virt_to_page(addr), 1 << order); // WARN: "%d pages will be leaked"
    return ret;
  }
  return addr;
}

/** free_pages_prepare() for decrypted pages: re-encrypt, then free; leak on failure (R12). */
export function* free_pages_decrypted(ctx: KernelCtx, policy: Policy, addr: number, order: number): KGen {
  if (policy.ops.free_decrypted) return yield policy.ops.free_decrypted(ctx, addr, order);
  const ret = yield set_memory_encrypted(ctx, policy, addr, 1 << order);
  if (ret) leak_pages(ctx, virt_to_page(addr), 1 << order);
  else yield free_pages(ctx, addr, order);
}

/** Leak every page behind a vmalloc range (gpadl->decrypted stays true: never freed). */
function leak_vmalloc(ctx: KernelCtx, addr: number, n: number): void {
  for (let i = 0; i < n; i++) leak_pages(ctx, vmalloc_to_page(ctx, addr + i * PAGE_SIZE), 1);
}

/** vzalloc(size) then set_memory_decrypted() on the vmalloc address (__vmbus_establish_gpadl). */
export function* vmalloc_decrypted(ctx: KernelCtx, policy: Policy, size: number): KGen<number> {
  if (policy.ops.vmalloc_decrypted) return yield policy.ops.vmalloc_decrypted(ctx, size);
  const n = Math.ceil(size / PAGE_SIZE);
  const addr = yield vmalloc(ctx, size);
  if (addr < 0) return addr;
  const ret = yield set_memory_decrypted(ctx, policy, addr, n);
  if (ret) {
    leak_vmalloc(ctx, addr, n);
    return ret;
  }
  return addr;
}

export function* vfree_decrypted(ctx: KernelCtx, policy: Policy, addr: number, size: number): KGen {
  if (policy.ops.vfree_decrypted) return yield policy.ops.vfree_decrypted(ctx, addr, size);
  const n = Math.ceil(size / PAGE_SIZE);
  const ret = yield set_memory_encrypted(ctx, policy, addr, n);
  if (ret) {
    leak_vmalloc(ctx, addr, n);
    return;
  }
  yield vfree(ctx, addr, size);
}
