// The page allocator: alloc_pages()/__free_pages() over the linear map outside
// the decrypted-pool carve-out, and the address-returning __get_free_pages()/
// free_pages() callers use. Pages are claimed with compare-and-exchange on the
// owner word, so it is safe with real threads and deterministic when controlled.

import { STEP } from '../model/cpu.js';
import { OWNER_FREE, OWNER_LEAKED } from '../model/realm.js';
import { Ev, fnId } from '../check/events.js';
import type { KernelCtx, KGen, KPath } from './context.js';
import { stepDone } from '../model/actor_stack.js';
import { page_address, virt_to_page } from './memory.js';
import { ENOMEM } from './errno.js';

const FN_ALLOC = fnId('alloc_pages');
const FN_FREE = fnId('__free_pages');
const TRIES = 8;

/**
 * Claim 2^order free pages, naturally aligned; returns the first page or
 * -ENOMEM. One step per try (a plain function when the first try succeeds).
 */
export function alloc_pages(ctx: KernelCtx, order: number): KPath<number> {
  ctx.ev(Ev.CALL, FN_ALLOC, order);
  const first = alloc_pages_try(ctx, order);
  if (first < 0) return alloc_pages_retry(ctx, order);
  ctx.ev(Ev.RET, FN_ALLOC, first);
  return stepDone(first);
}

/** Tries 2..TRIES, one step each, after a first that failed. */
function* alloc_pages_retry(ctx: KernelCtx, order: number): KGen<number> {
  for (let t = 1; t < TRIES; t++) {
    yield STEP;
    const first = alloc_pages_try(ctx, order);
    if (first >= 0) {
      ctx.ev(Ev.RET, FN_ALLOC, first);
      yield STEP;
      return first;
    }
  }
  yield STEP;
  ctx.note(Ev.ALLOC_FAIL, 1 << order, 0);
  ctx.ev(Ev.RET, FN_ALLOC, ENOMEM);
  return ENOMEM;
}

/** One try: claim 2^order pages at a random aligned slot, all or none. Returns the first page or -1. */
function alloc_pages_try(ctx: KernelCtx, order: number): number {
  const r = ctx.realm;
  const n = 1 << order;
  const me = ctx.id + 1;
  const first = ctx.randInt(Math.floor(r.poolBase / n)) * n;
  let got = 0;
  while (got < n && r.cmpxchg_owner(first + got, OWNER_FREE, me) === OWNER_FREE) got++;
  if (got === n) {
    ctx.ev(Ev.ALLOC, first, n);
    return first;
  }
  for (let i = 0; i < got; i++) r.set_owner(first + i, OWNER_FREE);
  return -1;
}

/**
 * Hand pages this CPU owns to a new owner (the free list, the pool). Giving
 * back a page this CPU does not own is an invariant violation (double free).
 */
export function release_pages(ctx: KernelCtx, page: number, n: number, to: number, fn: string): void {
  const r = ctx.realm;
  const me = ctx.id + 1;
  for (let i = 0; i < n; i++) {
    const was = r.cmpxchg_owner(page + i, me, to);
    if (was !== me) ctx.die('invariant', fn, 'freeing a page this CPU does not own', `page ${page + i} owner ${was}`);
  }
  ctx.ev(Ev.FREE, page, n);
}

/** __free_pages(page, order): back to the page allocator. One step (a plain function). */
export function __free_pages(ctx: KernelCtx, page: number, order: number): KPath {
  const n = 1 << order;
  ctx.ev(Ev.CALL, FN_FREE, n);
  release_pages(ctx, page, n, OWNER_FREE, '__free_pages');
  ctx.ev(Ev.RET, FN_FREE, 0);
  return stepDone(undefined);
}

/** __get_free_pages(order): the linear-map address of 2^order new pages, or -ENOMEM. */
export function* __get_free_pages(ctx: KernelCtx, order: number): KGen<number> {
  const page = yield alloc_pages(ctx, order);
  return page < 0 ? page : page_address(page);
}

/** free_pages(addr, order). */
export const free_pages = (ctx: KernelCtx, addr: number, order: number): KPath => __free_pages(ctx, virt_to_page(addr), order);

/**
 * The caller gives up on pages it can no longer trust (a failed flip, R12):
 * they are never reused. Not a step point: only their owner touches them.
 */
export function leak_pages(ctx: KernelCtx, page: number, n: number): void {
  for (let i = 0; i < n; i++) ctx.realm.set_owner(page + i, OWNER_LEAKED);
  ctx.note(Ev.LEAK, page, n);
}
