// A pool of decrypted pages for __GFP_DECRYPTED (Catalin's ZmNJdSxSz-sYpVgI idea
// with Kelley's refinement): shared pages are concentrated in one 2 MiB block
// and flipped a chunk at a time, so fewer blocks are split and fewer flushes
// are issued. Freed pages return to the pool; a fully free chunk beyond the
// low-water mark is re-encrypted.

import { STEP } from '../model/cpu.js';
import { Chunk, OWNER_POOL, OWNER_RESERVED, POOL_CHUNK_PAGES } from '../model/realm.js';
import { Ev, fnId } from '../check/events.js';
import { __set_memory_enc_dec } from './pageattr.js';
import { leak_pages, release_pages } from './page_alloc.js';
import { flip_accounted } from './mem_encrypt.js';
import { ENOMEM } from './errno.js';
import type { KernelCtx, KGen } from './context.js';
import { page_address, virt_to_page } from './memory.js';

const FN_ALLOC = fnId('decrypted_pool_alloc');
const FN_FREE = fnId('decrypted_pool_free');
const FN_REFILL = fnId('decrypted_pool_refill');
const FN_SHRINK = fnId('decrypted_pool_shrink');
/** Decrypted chunks kept even when fully free. */
export const POOL_LOW_WATER = 2;

const firstPage = (ctx: KernelCtx, c: number): number => ctx.realm.poolBase + c * POOL_CHUNK_PAGES;

/** Claim n contiguous free pool pages inside decrypted chunk c; -1 if none. */
function claim_in_chunk(ctx: KernelCtx, c: number, n: number): number {
  const r = ctx.realm;
  const me = ctx.id + 1;
  const base = firstPage(ctx, c);
  for (let off = 0; off + n <= POOL_CHUNK_PAGES; off += n) {
    let got = 0;
    while (got < n && r.cmpxchg_owner(base + off + got, OWNER_POOL, me) === OWNER_POOL) got++;
    if (got === n) return base + off;
    for (let i = 0; i < got; i++) r.set_owner(base + off + i, OWNER_POOL);
  }
  return -1;
}

/** Decrypt one more chunk with a single range flip. Returns false when no chunk is left. */
function* decrypted_pool_refill(cpu: KernelCtx): KGen<boolean> {
  const r = cpu.realm;
  for (let c = 0; c < r.poolChunks; c++) {
    if (r.cmpxchg_pool_chunk(c, Chunk.ENCRYPTED, Chunk.BUSY) !== Chunk.ENCRYPTED) continue;
    cpu.ev(Ev.CALL, FN_REFILL, c);
    const base = firstPage(cpu, c);
    const ret = yield flip_accounted(cpu, false, __set_memory_enc_dec(cpu, page_address(base), POOL_CHUNK_PAGES, false));
    if (ret) {
      leak_pages(cpu, base, POOL_CHUNK_PAGES);
      r.set_pool_chunk(c, Chunk.LEAKED);
      cpu.ev(Ev.RET, FN_REFILL, 1);
      return true;
    }
    for (let i = 0; i < POOL_CHUNK_PAGES; i++) r.set_owner(base + i, OWNER_POOL);
    r.set_pool_chunk(c, Chunk.DECRYPTED);
    cpu.note(Ev.POOL_REFILL, c, 0);
    yield STEP;
    cpu.ev(Ev.RET, FN_REFILL, 1);
    return true;
  }
  return false;
}

/** n (<= 64) contiguous shared pages from the pool: their linear-map address, or -ENOMEM. One step per chunk looked at. */
export function* decrypted_pool_alloc(cpu: KernelCtx, n: number): KGen<number> {
  const r = cpu.realm;
  if (!(n >= 1 && n <= POOL_CHUNK_PAGES)) cpu.die('invariant', 'decrypted_pool_alloc', `a pool allocation is 1..${POOL_CHUNK_PAGES} pages`, `asked for ${n} pages`);
  cpu.ev(Ev.CALL, FN_ALLOC, n);
  for (;;) {
    const start = cpu.randInt(r.poolChunks);
    for (let k = 0; k < r.poolChunks; k++) {
      const c = (start + k) % r.poolChunks;
      if (r.pool_chunk(c) !== Chunk.DECRYPTED) continue;
      const p = claim_in_chunk(cpu, c, n);
      yield STEP;
      if (p >= 0) {
        cpu.note(Ev.POOL_HIT, p, n);
        cpu.ev(Ev.ALLOC, p, n);
        cpu.ev(Ev.RET, FN_ALLOC, page_address(p));
        return page_address(p);
      }
    }
    if (!(yield decrypted_pool_refill(cpu))) {
      cpu.note(Ev.ALLOC_FAIL, n, 0);
      cpu.ev(Ev.RET, FN_ALLOC, ENOMEM);
      return ENOMEM;
    }
  }
}

/** Re-encrypt chunk c if it is entirely free and the pool is above its low-water mark. */
function* decrypted_pool_shrink(cpu: KernelCtx, c: number): KGen {
  const r = cpu.realm;
  let decrypted = 0;
  for (let k = 0; k < r.poolChunks; k++) if (r.pool_chunk(k) === Chunk.DECRYPTED) decrypted++;
  if (decrypted <= POOL_LOW_WATER) return;
  if (r.cmpxchg_pool_chunk(c, Chunk.DECRYPTED, Chunk.BUSY) !== Chunk.DECRYPTED) return;
  const base = firstPage(cpu, c);
  let got = 0;
  while (got < POOL_CHUNK_PAGES && r.cmpxchg_owner(base + got, OWNER_POOL, OWNER_RESERVED) === OWNER_POOL) got++;
  if (got < POOL_CHUNK_PAGES) {
    for (let i = 0; i < got; i++) r.set_owner(base + i, OWNER_POOL);
    r.set_pool_chunk(c, Chunk.DECRYPTED);
    yield STEP;
    return;
  }
  cpu.ev(Ev.CALL, FN_SHRINK, c);
  yield STEP;
  const ret = yield flip_accounted(cpu, true, __set_memory_enc_dec(cpu, page_address(base), POOL_CHUNK_PAGES, true));
  if (ret) {
    leak_pages(cpu, base, POOL_CHUNK_PAGES);
    r.set_pool_chunk(c, Chunk.LEAKED);
    cpu.ev(Ev.RET, FN_SHRINK, ret);
    return;
  }
  r.set_pool_chunk(c, Chunk.ENCRYPTED);
  cpu.note(Ev.POOL_SHRINK, c, 0);
  cpu.ev(Ev.RET, FN_SHRINK, 0);
}

/** Return n pages at addr to the pool (no flip). One step. */
export function* decrypted_pool_free(cpu: KernelCtx, addr: number, n: number): KGen {
  const r = cpu.realm;
  const p = virt_to_page(addr);
  cpu.ev(Ev.CALL, FN_FREE, n);
  release_pages(cpu, p, n, OWNER_POOL, 'decrypted_pool_free');
  yield STEP;
  yield decrypted_pool_shrink(cpu, ((p - r.poolBase) / POOL_CHUNK_PAGES) | 0);
  cpu.ev(Ev.RET, FN_FREE, 0);
}
