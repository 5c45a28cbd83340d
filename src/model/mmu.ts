// Stage-1 translation and TLB maintenance as a kernel PE issues them, over the
// architectural TLB semantics of ./tlb.ts (R24–R29): TLBIs pending until the
// issuer's DSB, the issuer's shadow until its ISB or exception, speculative
// fills, the invalid->valid window. DSB ISH also waits for translations already
// in flight on other PEs (free mode).
//
// Addresses here are VA page numbers: they index the tables.

import type { PE } from './pe.js';
import { type Realm, INFLIGHT_STRIDE } from './realm.js';
import {
  type Tlbi, How, translate as tlb_translate, spec_fill, tlbi, dsb, context_sync,
  tlbi_vaale1is as tlb_vaale1is, tlbi_vaale1 as tlb_vaale1, tlbi_rvaale1is as tlb_rvaale1is,
  tlbi_vmalle1is as tlb_vmalle1is, tlbi_vmalle1 as tlb_vmalle1,
} from './tlb.js';
import { Ev } from '../check/events.js';

/** Current page-table descriptor for a VA page (no TLB), or 0 if nothing is mapped. */
export const walk = (r: Realm, vpn: number): number => r.walk(vpn);

/** What the TLB currently holds for vpn on this CPU (0 if nothing). */
export const tlb_peek = (cpu: PE, vpn: number): number => cpu.realm.tlb.peek(cpu.id, vpn);

/**
 * Translate vpn for this CPU (src/model/tlb.ts: shadow, TLB hit, or walk and
 * fill, R24–R29), then give the TLB its chance to fill the next page
 * speculatively (R28). Returns the valid descriptor used, or 0 for a
 * translation fault (cpu.tlb.how says whether a walk could have seen it valid).
 */
export function translate(cpu: PE, vpn: number): number {
  const pe = cpu.tlb;
  const d = tlb_translate(pe, vpn);
  const how = pe.how;
  if (how === How.SHADOW) cpu.note(Ev.TLB_SHADOW_HIT, vpn, 0);
  if (spec_fill(pe, vpn + 1)) cpu.note(Ev.TLB_SPEC_FILL, vpn + 1, 0);
  pe.how = how;
  return d;
}

function issue(cpu: PE, t: Tlbi): void {
  tlbi(cpu.tlb, t);
  // Break-before-make counts the TLBI where it is issued (bbm-violation-check.smt2).
  cpu.realm.bbmPte.tlbi(t);
  cpu.realm.bbmPmd.tlbi(t);
}

/** TLBI VAALE1IS: invalidate vpn on every PE (broadcast, no IPI), once this CPU's next DSB completes it (R25). */
export function tlbi_vaale1is(cpu: PE, vpn: number): void {
  issue(cpu, tlb_vaale1is(vpn));
  cpu.ev(Ev.TLBI_VA, vpn, 0);
}

/** TLBI VAALE1: the same, on this PE only (R26). */
export function tlbi_vaale1(cpu: PE, vpn: number): void {
  issue(cpu, tlb_vaale1(vpn));
  cpu.ev(Ev.TLBI_LOCAL, vpn, 0);
}

/** TLBI RVAALE1IS (FEAT_TLBIRANGE): one broadcast op for [vpn, vpn+n). */
export function tlbi_rvaale1is(cpu: PE, vpn: number, n: number): void {
  issue(cpu, tlb_rvaale1is(vpn, n));
  cpu.ev(Ev.TLBI_RANGE, vpn, n);
}

/** TLBI VMALLE1IS: every entry of every PE. */
export function tlbi_vmalle1is(cpu: PE): void {
  issue(cpu, tlb_vmalle1is());
  cpu.ev(Ev.TLBI_ALL, 0, 0);
}

/** TLBI VMALLE1: every entry of this PE. */
export function tlbi_vmalle1(cpu: PE): void {
  issue(cpu, tlb_vmalle1());
  cpu.ev(Ev.TLBI_LOCAL, -1, 0);
}

/** DSB ISHST: earlier stores (PTE writes) are visible to every walker. Data accesses are SC in the model, and it completes no TLBI. */
export function dsb_ishst(cpu: PE): void {
  cpu.ev(Ev.DSB_ST, 0, 0);
}

/**
 * DSB ISH: this CPU's pending TLBIs complete (R25): the covered entries go, then
 * every translation+access that was in flight on another PE (and may have used
 * one of them) finishes. Only PEs running at the same time on other threads
 * (free mode) can have one in flight, so only then are the other PEs' in-flight
 * words looked at. A fill racing with the drop undoes itself (TlbStore.fill).
 */
export function dsb_ish(cpu: PE): void {
  cpu.note(Ev.DSB_DONE, dsb(cpu.tlb).dropped, 0);
  if (cpu.concurrent) dsb_wait(cpu);
  cpu.ev(Ev.DSB, 0, 0);
}

/** Free mode: wait until every translation+access in flight on another PE when the DSB completed has finished. */
function dsb_wait(cpu: PE): void {
  const r = cpu.realm;
  const a = r.i32;
  cpu.note(Ev.DSB_WAIT, 0, 0);
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
  cpu.note(Ev.DSB_WAIT, 1, 0);
}

/** Busy-wait this many polls of a target's in-flight word before sleeping on it. */
const DSB_SPINS_BEFORE_SLEEP = 256;
/** Each sleep (ms): short, the access being waited for is a handful of loads. */
const DSB_SLEEP_MS = 0.05;

/** ISB: context synchronisation of this CPU (R27, R29). */
export function isb(cpu: PE): void {
  context_sync(cpu.tlb);
  cpu.ev(Ev.ISB, 0, 0);
}

/** Exception entry or return (an SMC such as an RSI call, a taken fault, its ERET): also context synchronisation. */
export function exception_sync(cpu: PE): void {
  context_sync(cpu.tlb);
}
