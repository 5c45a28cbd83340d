// __GFP_DECRYPTED served from a decrypted pool: shared memory comes already
// shared from the allocator, vmalloc maps pool pages with pgprot_decrypted(),
// and set_memory_* is never called on a vmalloc VA.

import type { Policy } from '../policy.js';
import { __set_memory_enc_dec } from '../pageattr.js';
import { decrypted_pool_alloc, decrypted_pool_free } from '../decrypted_pool.js';
import { vmap, vunmap } from '../vmalloc.js';
import { ENOMEM } from '../rsi.js';
import { Ev, fnId } from '../../check/events.js';

const FN_VMAP_DEC = fnId('vmap_pages_decrypted');

export const gfp_decrypted: Policy = {
  name: 'gfp-decrypted',
  description: '__GFP_DECRYPTED pool: shared pages concentrated in one 2 MiB block, flipped a 64-page chunk at a time; vmalloc maps them with pgprot_decrypted',
  expect: [],
  set_memory_decrypted: (cpu, vpn, n) => __set_memory_enc_dec(cpu, vpn, n, false),
  set_memory_encrypted: (cpu, vpn, n) => __set_memory_enc_dec(cpu, vpn, n, true),
  alloc_decrypted: (cpu, order) => decrypted_pool_alloc(cpu, 1 << order),
  free_decrypted: (cpu, p, order) => decrypted_pool_free(cpu, p, 1 << order),
  *vmalloc_decrypted(cpu, n) {
    cpu.ev(Ev.CALL, FN_VMAP_DEC, n);
    const pages: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = yield* decrypted_pool_alloc(cpu, 1);
      if (p < 0) {
        for (const q of pages) yield* decrypted_pool_free(cpu, q, 1);
        return ENOMEM;
      }
      pages.push(p);
    }
    const va = yield* vmap(cpu, pages, true);
    if (va < 0) for (const q of pages) yield* decrypted_pool_free(cpu, q, 1);
    return va;
  },
  *vfree_decrypted(cpu, va, n) {
    const pages = yield* vunmap(cpu, va, n);
    for (const p of pages) yield* decrypted_pool_free(cpu, p, 1);
  },
};
