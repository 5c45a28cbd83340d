// Charging modelled nanoseconds to the CPU that does the work, by category
// (break, make, TLBI issue, completion wait, victims, RSI, split). Formulas are
// the recommended model of cost-anchors.md; C is the number of vCPUs between a
// flush's first TLBI and its DSB at the moment this one completes.

import type { PE } from '../model/pe.js';
import { H } from '../model/realm.js';
import { C } from '../check/counters.js';

export function charge(cpu: PE, counter: number, ns: number): void {
  cpu.counters[counter] += ns;
  cpu.ns += ns;
}

/** One descriptor write of a break (or other change) or of a make step. */
export const chargePte = (cpu: PE, make: boolean): void => charge(cpu, make ? C.ns_make : C.ns_break, cpu.realm.cfg.costs.pteWrite);

/** Rewriting a 2 MiB block leaf as a table of 512 PTEs (BBML2_NOABORT: no break, no broadcast). */
export const chargeSplit = (cpu: PE): void => charge(cpu, C.ns_split, cpu.realm.cfg.costs.blockSplit);

/** One RSI_IPA_STATE_SET: the REC exit round trip plus the RMM's work per granule changed. */
export const chargeRsi = (cpu: PE, granules: number): void => {
  const t = cpu.realm.cfg.costs;
  charge(cpu, C.ns_rsi, t.rsiRoundTrip + t.rsiPerGranule * granules);
};

/** A flush starts: this CPU is now a concurrent broadcaster until its DSB. */
export function flushBegin(cpu: PE): void {
  cpu.realm.add_header(H.BROADCASTING, 1);
}

/**
 * One TLBI instruction (by VA, range, or all). Broadcast: issue cost, and every
 * other PE pays a DVM victim cost. IPI: the initiator invalidates locally
 * (per page, or a full flush past the x86 ceiling); victims pay at the sync.
 */
export function chargeTlbi(cpu: PE, full: boolean, pagesInFlush: number): void {
  const r = cpu.realm.cfg;
  const t = r.costs;
  if (r.flush === 'broadcast') {
    charge(cpu, C.ns_tlbi, t.broadcastIssue + (full ? t.refillPenalty : 0));
    charge(cpu, C.ns_victim, t.dvmVictim * (r.vcpus - 1));
  } else if (full || pagesInFlush > t.ipiFullFlushPages) {
    // One local full flush stands for the whole range: charge it on the first TLBI only.
    if (!cpu.ipiFullCharged) charge(cpu, C.ns_tlbi, t.localFullFlush + t.refillPenalty);
    cpu.ipiFullCharged = true;
  } else {
    charge(cpu, C.ns_tlbi, cpu.ipiPagesCharged++ === 0 ? t.tlbiLocalPage : t.tlbiLocalExtraPage);
  }
}

/**
 * The completing DSB ISH (broadcast: its wait grows with concurrent broadcasters),
 * or the IPI round trip to the other N-1 CPUs and their handler cost.
 */
export function flushEnd(cpu: PE): void {
  const r = cpu.realm.cfg;
  const t = r.costs;
  const n = r.vcpus;
  if (r.flush === 'broadcast') {
    const c = Math.max(1, cpu.realm.header(H.BROADCASTING));
    charge(cpu, C.ns_sync, t.broadcastSync * (1 + t.concurrentK * (c - 1)));
  } else if (n > 1) {
    charge(cpu, C.ns_sync, t.ipiFirstTarget + t.ipiExtraTarget * (n - 2));
    charge(cpu, C.ns_victim, t.ipiVictim * (n - 1));
  }
  cpu.ipiFullCharged = false;
  cpu.ipiPagesCharged = 0;
  cpu.realm.add_header(H.BROADCASTING, -1);
}
