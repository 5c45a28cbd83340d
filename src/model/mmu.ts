// Stage-1 translation as a PE sees it: a private TLB per vCPU that caches valid
// descriptors on walk and keeps them across PTE changes until a broadcast TLBI
// removes them (R16: invalid entries are never cached). Completion (DSB ISH)
// waits for translations already in flight on other PEs.

import { PTRS_PER_PTE } from './config.js';
import { PMD_SECT, PTE_NS, PTE_VALID } from './pte.js';
import type { Cpu } from './cpu.js';
import { type Realm, INFLIGHT_STRIDE } from './realm.js';
import { C } from '../check/counters.js';

/** Current page-table descriptor for a VA page (no TLB), or 0 if nothing is mapped. */
export function walk(r: Realm, vpn: number): number {
  if (vpn < r.lmPages) {
    if (vpn < 0) return 0;
    if (r.cfg.linearMap === 'block') {
      const pmd = Atomics.load(r.i32, r.oPmd + ((vpn / PTRS_PER_PTE) | 0));
      // A block leaf: the output page is the linear offset, attributes come from the PMD.
      if (pmd & PMD_SECT) return vpn | (pmd & (PTE_VALID | PTE_NS));
    }
    return Atomics.load(r.i32, r.oPte + vpn);
  }
  if (vpn < r.vaPages) return Atomics.load(r.i32, r.oPte + vpn);
  return 0;
}

/** What the TLB currently holds for vpn on this CPU (0 if nothing). */
export function tlb_peek(cpu: Cpu, vpn: number): number {
  const r = cpu.realm;
  const slot = cpu.id * r.cfg.tlbEntries + (vpn & r.tlbMask);
  if (Atomics.load(r.i32, r.oTlbTag + slot) !== vpn + 1) return 0;
  return Atomics.load(r.i32, r.oTlbDesc + slot);
}

/**
 * Translate vpn for this CPU: TLB hit, or walk and fill. Returns the valid
 * descriptor used, or 0 for a translation fault.
 */
export function translate(cpu: Cpu, vpn: number): number {
  const r = cpu.realm;
  const a = r.i32;
  const slot = cpu.id * r.cfg.tlbEntries + (vpn & r.tlbMask);
  if (Atomics.load(a, r.oTlbTag + slot) === vpn + 1) {
    const d = Atomics.load(a, r.oTlbDesc + slot);
    if (d & PTE_VALID) return d;
  }
  const d = walk(r, vpn);
  if (!(d & PTE_VALID)) return 0;
  Atomics.store(a, r.oTlbDesc + slot, d);
  Atomics.store(a, r.oTlbTag + slot, vpn + 1);
  // A PTE update that raced with this walk may already have sent its TLBI: drop
  // the fill rather than keep an entry the updater believes it invalidated.
  if (walk(r, vpn) !== d) Atomics.compareExchange(a, r.oTlbTag + slot, vpn + 1, 0);
  return d;
}

/** TLBI VAALE1IS: invalidate vpn in every PE's TLB (broadcast, no IPI). */
export function tlbi_vaale1is(cpu: Cpu, vpn: number): void {
  const r = cpu.realm;
  const a = r.i32;
  const E = r.cfg.tlbEntries;
  let dropped = 0;
  for (let u = 0; u < r.cfg.vcpus; u++) {
    if (Atomics.compareExchange(a, r.oTlbTag + u * E + (vpn & r.tlbMask), vpn + 1, 0) === vpn + 1) dropped++;
  }
  cpu.count(C.tlbi_va);
  cpu.count(C.tlbi_targets, r.cfg.vcpus);
  cpu.count(C.tlb_entries_dropped, dropped);
}

/** TLBI RVAALE1IS (FEAT_TLBIRANGE): one broadcast op for [vpn, vpn+n). */
export function tlbi_rvaale1is(cpu: Cpu, vpn: number, n: number): void {
  const r = cpu.realm;
  const a = r.i32;
  const E = r.cfg.tlbEntries;
  let dropped = 0;
  for (let u = 0; u < r.cfg.vcpus; u++) {
    const base = r.oTlbTag + u * E;
    for (let i = 0; i < E; i++) {
      const t = Atomics.load(a, base + i) - 1;
      if (t >= vpn && t < vpn + n && Atomics.compareExchange(a, base + i, t + 1, 0) === t + 1) dropped++;
    }
  }
  cpu.count(C.tlbi_range);
  cpu.count(C.tlbi_targets, r.cfg.vcpus);
  cpu.count(C.tlb_entries_dropped, dropped);
}

/** TLBI VMALLE1IS: drop every entry in every PE's TLB. */
export function tlbi_vmalle1is(cpu: Cpu): void {
  const r = cpu.realm;
  const a = r.i32;
  const n = r.cfg.vcpus * r.cfg.tlbEntries;
  let dropped = 0;
  for (let i = 0; i < n; i++) if (Atomics.exchange(a, r.oTlbTag + i, 0) !== 0) dropped++;
  cpu.count(C.tlbi_all);
  cpu.count(C.tlbi_targets, r.cfg.vcpus);
  cpu.count(C.tlb_entries_dropped, dropped);
}

/**
 * DSB ISH after TLBIs: the invalidations are complete on all PEs once every
 * translation+access that was in flight when they were issued has finished.
 * In controlled mode nothing is ever in flight; in free mode this really waits.
 */
export function dsb_ish(cpu: Cpu): void {
  const r = cpu.realm;
  const a = r.i32;
  cpu.count(C.dsb);
  const t0 = cpu.clock?.() ?? 0;
  for (let u = 0; u < r.cfg.vcpus; u++) {
    if (u === cpu.id) continue;
    const idx = r.oInflight + u * INFLIGHT_STRIDE;
    const seq = Atomics.load(a, idx);
    if ((seq & 1) === 0) continue;
    let spins = 0;
    while (Atomics.load(a, idx) === seq) {
      // The target may be descheduled (more vCPU threads than cores): sleep, do not spin forever.
      if (++spins > 256) Atomics.wait(a, idx, seq, 0.05);
    }
  }
  if (cpu.clock) cpu.counters[C.wall_dsb_wait_ns] += cpu.clock() - t0;
}
