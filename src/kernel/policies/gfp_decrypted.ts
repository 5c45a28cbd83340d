// __GFP_DECRYPTED served from a decrypted pool: shared memory comes already
// shared from the allocator, vmalloc maps pool pages with pgprot_decrypted(),
// and set_memory_* is never called on a vmalloc VA.

import {
  type Policy, PAGE_SIZE, ENOMEM, Ev, __set_memory_enc_dec, decrypted_pool_alloc, decrypted_pool_free, fnId,
  page_address, virt_to_page, vmap, vunmap,
} from '../api.js';

const FN_VMAP_DEC = fnId('vmap_pages_decrypted');

export const gfp_decrypted: Policy = {
  name: 'gfp-decrypted',
  description: '__GFP_DECRYPTED pool: shared pages concentrated in one 2 MiB block, flipped a 64-page chunk at a time; vmalloc maps them with pgprot_decrypted',
  expect: [],
  ops: {
    set_memory_decrypted: (ctx, addr, numpages) => __set_memory_enc_dec(ctx, addr, numpages, false),
    set_memory_encrypted: (ctx, addr, numpages) => __set_memory_enc_dec(ctx, addr, numpages, true),
    alloc_decrypted: (ctx, order) => decrypted_pool_alloc(ctx, 1 << order),
    free_decrypted: (ctx, addr, order) => decrypted_pool_free(ctx, addr, 1 << order),
    *vmalloc_decrypted(ctx, size) {
      const n = Math.ceil(size / PAGE_SIZE);
      ctx.ev(Ev.CALL, FN_VMAP_DEC, n);
      const pages: number[] = [];
      for (let i = 0; i < n; i++) {
        const addr = yield* decrypted_pool_alloc(ctx, 1);
        if (addr < 0) {
          for (const q of pages) yield* decrypted_pool_free(ctx, page_address(q), 1);
          ctx.ev(Ev.RET, FN_VMAP_DEC, ENOMEM);
          return ENOMEM;
        }
        pages.push(virt_to_page(addr));
      }
      const va = yield* vmap(ctx, pages, true);
      if (va < 0) for (const q of pages) yield* decrypted_pool_free(ctx, page_address(q), 1);
      ctx.ev(Ev.RET, FN_VMAP_DEC, va);
      return va;
    },
    *vfree_decrypted(ctx, addr, size) {
      const pages = yield* vunmap(ctx, addr, size);
      for (const p of pages) yield* decrypted_pool_free(ctx, page_address(p), 1);
    },
  },
};
