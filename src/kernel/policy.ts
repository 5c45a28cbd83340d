// A policy is the guest kernel design under test: its mem_encrypt ops (how
// set_memory_decrypted/encrypted work and, optionally, how decrypted memory is
// allocated), kept apart from what the design is expected to produce.
// Built-in policies live in ./policies; users load their own with --policy ./file.js.

import type { KernelCtx, KGen } from './context.js';
import type { FindingKind } from '../check/finding.js';

/**
 * arm64_mem_crypt_ops plus the allocation hooks. Every address is a byte VA;
 * every function is a generator that only `yield*`s kernel primitives (the
 * primitives are the step points) and returns 0 or -errno (or an address).
 */
export interface MemCryptOps {
  /** Flip [addr, addr + numpages * PAGE_SIZE) to shared. Called only in a realm, with a page-aligned addr. */
  set_memory_decrypted(ctx: KernelCtx, addr: number, numpages: number): KGen<number>;
  /** Flip it back to protected. */
  set_memory_encrypted(ctx: KernelCtx, addr: number, numpages: number): KGen<number>;
  /** __get_free_pages(gfp | __GFP_DECRYPTED, order): linear-map address or -errno. Default: alloc + set_memory_decrypted. */
  alloc_decrypted?(ctx: KernelCtx, order: number): KGen<number>;
  /** free_pages() of such memory. Default: set_memory_encrypted, then free (leak if that fails). */
  free_decrypted?(ctx: KernelCtx, addr: number, order: number): KGen<void>;
  /** vzalloc(size) of shared memory (netvsc_init_buf): vmalloc address or -errno. Default: vmalloc + set_memory_decrypted. */
  vmalloc_decrypted?(ctx: KernelCtx, size: number): KGen<number>;
  vfree_decrypted?(ctx: KernelCtx, addr: number, size: number): KGen<void>;
}

export interface Policy {
  name: string;
  description: string;
  /** Finding kinds this design is known to produce. Empty: it must run clean. */
  expect: FindingKind[];
  ops: MemCryptOps;
}

/** What a policy module may export: description optional. */
export type PolicyModule = Omit<Policy, 'description'> & { description?: string };
