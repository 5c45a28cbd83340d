// A policy is the guest kernel design under test: how set_memory_decrypted/
// encrypted work and, optionally, how decrypted memory is allocated. Built-in
// policies live in ./policies; users load their own with --policy ./file.js.

import type { Cpu, KGen } from '../model/cpu.js';
import type { FindingKind } from '../check/finding.js';

export interface Policy {
  name: string;
  description: string;
  /** Finding kinds this design is known to produce. Empty: it must run clean. */
  expect: FindingKind[];
  /** Flip VA pages [vpn, vpn+numpages) to shared. 0 or -errno. Called only in a realm, with an aligned address. */
  set_memory_decrypted(cpu: Cpu, vpn: number, numpages: number): KGen<number>;
  set_memory_encrypted(cpu: Cpu, vpn: number, numpages: number): KGen<number>;
  /** alloc_pages(__GFP_DECRYPTED): first linear page or -errno. Default: alloc_pages + set_memory_decrypted. */
  alloc_decrypted?(cpu: Cpu, order: number): KGen<number>;
  free_decrypted?(cpu: Cpu, vpn: number, order: number): KGen<void>;
  /** vmalloc of n shared pages (netvsc_init_buf). Default: vmalloc + set_memory_decrypted on the vmalloc VA. */
  vmalloc_decrypted?(cpu: Cpu, n: number): KGen<number>;
  vfree_decrypted?(cpu: Cpu, va: number, n: number): KGen<void>;
}
