// The page allocator: alloc_pages()/__free_pages() over the linear map outside
// the decrypted-pool carve-out. Pages are claimed with compareExchange on the
// owner word, so it is safe with real threads and deterministic when controlled.

import { Cpu, KGen, STEP } from '../model/cpu.js';
import { OWNER_FREE, OWNER_LEAKED } from '../model/realm.js';
import { Ev, fnId } from '../check/events.js';
import { C } from '../check/counters.js';
import { ENOMEM } from './rsi.js';

const FN_ALLOC = fnId('alloc_pages');
const FN_FREE = fnId('__free_pages');
const TRIES = 8;

/** Claim 2^order free pages, naturally aligned; returns the first linear page or -ENOMEM. One step per try. */
export function* alloc_pages(cpu: Cpu, order: number): KGen<number> {
  const r = cpu.realm;
  const a = r.i32;
  const n = 1 << order;
  const slots = Math.floor(r.poolBase / n);
  const me = cpu.id + 1;
  cpu.ev(Ev.CALL, FN_ALLOC, order);
  for (let t = 0; t < TRIES; t++) {
    const first = cpu.randInt(slots) * n;
    let got = 0;
    while (got < n && Atomics.compareExchange(a, r.oOwner + first + got, OWNER_FREE, me) === OWNER_FREE) got++;
    if (got === n) {
      cpu.ev(Ev.ALLOC, first, n);
      yield STEP;
      return first;
    }
    for (let i = 0; i < got; i++) Atomics.store(a, r.oOwner + first + i, OWNER_FREE);
    yield STEP;
  }
  cpu.count(C.alloc_fail);
  return ENOMEM;
}

/**
 * Hand pages this CPU owns to a new owner (the free list, the pool). Giving
 * back a page this CPU does not own is an invariant violation (double free).
 */
export function release_pages(cpu: Cpu, first: number, n: number, to: number, fn: string): void {
  const r = cpu.realm;
  const me = cpu.id + 1;
  for (let i = 0; i < n; i++) {
    const was = Atomics.compareExchange(r.i32, r.oOwner + first + i, me, to);
    if (was !== me) cpu.die('invariant', fn, 'freeing a page this CPU does not own', `page ${first + i} owner ${was}`);
  }
  cpu.ev(Ev.FREE, first, n);
}

/** __free_pages(): back to the page allocator. One step. */
export function* __free_pages(cpu: Cpu, first: number, n: number): KGen {
  cpu.ev(Ev.CALL, FN_FREE, n);
  release_pages(cpu, first, n, OWNER_FREE, '__free_pages');
  yield STEP;
}

/** The caller gives up on pages it can no longer trust (a failed flip, R12): they are never reused. */
export function leak_pages(cpu: Cpu, first: number, n: number): void {
  const r = cpu.realm;
  for (let i = 0; i < n; i++) Atomics.store(r.i32, r.oOwner + first + i, OWNER_LEAKED);
  cpu.count(C.leaked_pages, n);
}
