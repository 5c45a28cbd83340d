// Stage-1 translation as a PE sees it: a private TLB per vCPU that caches valid
// descriptors on walk and keeps them across PTE changes until a broadcast TLBI
// removes them (R16: invalid entries are never cached). Completion (DSB ISH)
// waits for translations already in flight on other PEs.
//
// Addresses here are VA page numbers: they index the tables.

import { PTRS_PER_PTE } from './config.js';
import { PMD_SECT, PTE_NS, PTE_VALID } from './pte.js';
import type { PE } from './pe.js';
import { type Realm, INFLIGHT_STRIDE } from './realm.js';
import { C } from '../check/counters.js';

/** Current page-table descriptor for a VA page (no TLB), or 0 if nothing is mapped. */
export function walk(r: Realm, vpn: number): number {
  if (vpn < r.lmPages) {
    if (vpn < 0) return 0;
    if (r.cfg.linearMap === 'block') {
      const pmd = r.pmd((vpn / PTRS_PER_PTE) | 0);
      // A block leaf: the output page is the linear offset, attributes come from the PMD.
      if (pmd & PMD_SECT) return vpn | (pmd & (PTE_VALID | PTE_NS));
    }
    return r.pte(vpn);
  }
  if (vpn < r.vaPages) return r.pte(vpn);
  return 0;
}

/** What the TLB currently holds for vpn on this CPU (0 if nothing). */
export function tlb_peek(cpu: PE, vpn: number): number {
  const r = cpu.realm;
  const slot = cpu.id * r.cfg.tlbEntries + (vpn & r.tlbMask);
  if (r.load(r.oTlbTag + slot) !== vpn + 1) return 0;
  return r.load(r.oTlbDesc + slot);
}

/**
 * Translate vpn for this CPU: TLB hit, or walk and fill. Returns the valid
 * descriptor used, or 0 for a translation fault.
 */
export function translate(cpu: PE, vpn: number): number {
  const r = cpu.realm;
  const slot = cpu.id * r.cfg.tlbEntries + (vpn & r.tlbMask);
  if (!r.atomic) {
    const a = r.i32;
    const tag = a[r.oTlbTag + slot];
    if (tag === vpn + 1) {
      const d = a[r.oTlbDesc + slot];
      if (d & PTE_VALID) return d;
    }
    const d = walk(r, vpn);
    if (!(d & PTE_VALID)) return 0;
    if (tag !== vpn + 1) {
      if (tag !== 0) r.tlbHolders[tag - 1]--; // the entry this fill evicts
      r.tlbHolders[vpn]++;
      a[r.oTlbTag + slot] = vpn + 1;
    }
    a[r.oTlbDesc + slot] = d;
    return d;
  }
  const a = r.i32;
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

/** Drop TLB slot `slot` (global index) if it holds tag; true if it did. */
function drop(r: Realm, slot: number, tag: number): boolean {
  if (r.atomic) return Atomics.compareExchange(r.i32, r.oTlbTag + slot, tag, 0) === tag;
  if (r.i32[r.oTlbTag + slot] !== tag) return false;
  r.i32[r.oTlbTag + slot] = 0;
  r.tlbHolders[tag - 1]--;
  return true;
}

function countTlbi(cpu: PE, kind: number, dropped: number): void {
  cpu.count(kind);
  cpu.count(C.tlbi_targets, cpu.realm.cfg.vcpus);
  cpu.count(C.tlb_entries_dropped, dropped);
}

/** TLBI VAALE1IS: invalidate vpn in every PE's TLB (broadcast, no IPI). */
export function tlbi_vaale1is(cpu: PE, vpn: number): void {
  const r = cpu.realm;
  const E = r.cfg.tlbEntries;
  const s = vpn & r.tlbMask;
  let dropped = 0;
  // Single-threaded, the holder count says whether any TLB caches vpn at all.
  if (r.atomic || r.tlbHolders[vpn] > 0) {
    for (let u = 0; u < r.cfg.vcpus; u++) if (drop(r, u * E + s, vpn + 1)) dropped++;
  }
  countTlbi(cpu, C.tlbi_va, dropped);
}

/** TLBI RVAALE1IS (FEAT_TLBIRANGE): one broadcast op for [vpn, vpn+n). */
export function tlbi_rvaale1is(cpu: PE, vpn: number, n: number): void {
  const r = cpu.realm;
  const E = r.cfg.tlbEntries;
  let dropped = 0;
  for (let u = 0; u < r.cfg.vcpus; u++) {
    const base = u * E;
    for (let i = 0; i < E; i++) {
      const t = r.load(r.oTlbTag + base + i) - 1;
      if (t >= vpn && t < vpn + n && drop(r, base + i, t + 1)) dropped++;
    }
  }
  countTlbi(cpu, C.tlbi_range, dropped);
}

/** TLBI VMALLE1IS: drop every entry in every PE's TLB. */
export function tlbi_vmalle1is(cpu: PE): void {
  const r = cpu.realm;
  const n = r.cfg.vcpus * r.cfg.tlbEntries;
  let dropped = 0;
  if (r.atomic) {
    for (let i = 0; i < n; i++) if (Atomics.exchange(r.i32, r.oTlbTag + i, 0) !== 0) dropped++;
  } else {
    const a = r.i32;
    for (let i = 0; i < n; i++) if (a[r.oTlbTag + i] !== 0) { a[r.oTlbTag + i] = 0; dropped++; }
    r.tlbHolders.fill(0);
  }
  countTlbi(cpu, C.tlbi_all, dropped);
}

/**
 * DSB ISH after TLBIs: the invalidations are complete on all PEs once every
 * translation+access that was in flight when they were issued has finished.
 * Only PEs running at the same time on other threads (free mode) can have one
 * in flight, so only then are the other PEs' in-flight words looked at.
 */
export function dsb_ish(cpu: PE): void {
  cpu.count(C.dsb);
  if (!cpu.concurrent) return;
  const r = cpu.realm;
  const a = r.i32;
  const t0 = cpu.clock?.() ?? 0;
  for (let u = 0; u < r.cfg.vcpus; u++) {
    if (u === cpu.id) continue;
    const idx = r.oInflight + u * INFLIGHT_STRIDE;
    const seq = Atomics.load(a, idx);
    if ((seq & 1) === 0) continue;
    let spins = 0;
    while (Atomics.load(a, idx) === seq) {
      // The target may be descheduled (more vCPU threads than cores): sleep, do not spin forever.
      if (++spins > DSB_SPINS_BEFORE_SLEEP) Atomics.wait(a, idx, seq, DSB_SLEEP_MS);
    }
  }
  if (cpu.clock) cpu.counters[C.wall_dsb_wait_ns] += cpu.clock() - t0;
}

/** Busy-wait this many polls of a target's in-flight word before sleeping on it. */
const DSB_SPINS_BEFORE_SLEEP = 256;
/** Each sleep (ms): short, the access being waited for is a handful of loads. */
const DSB_SLEEP_MS = 0.05;
