// The modelled cost of one CPU's work, priced from its events: nanoseconds by
// category (break, make, TLBI issue, completion wait, victims, RSI, split).
// Formulas are the recommended model of cost-anchors.md; C is the number of
// vCPUs between a flush's first TLBI and its DSB at the moment this one
// completes (H.BROADCASTING, a realm header word shared by every CPU's
// observer). Modelled cost is deterministic and never changes what happens.

import { type Realm, H } from '../model/realm.js';
import { Ev, FN, RSI_OUT_INPUT_ERROR } from '../check/events.js';
import { C } from '../check/counters.js';
import type { Observer } from '../check/observer.js';

const FN_RANGE = FN.indexOf('flush_tlb_kernel_range');
const FN_ALL = FN.indexOf('flush_tlb_all');
/** flushPages while no kernel flush is open (a lone __tlbi of a policy is not priced). */
const NO_FLUSH = -1;

export class CostObserver implements Observer {
  /** The events priced here (the others need not be sent). */
  static readonly EVENTS: readonly number[] = [Ev.PTE_WRITE, Ev.PMD_SPLIT, Ev.RSI_DONE, Ev.CALL, Ev.TLBI_VA, Ev.TLBI_RANGE, Ev.TLBI_ALL, Ev.DSB, Ev.FLIP_BEGIN, Ev.FLIP_END];
  /** Modelled ns charged to this CPU. */
  ns = 0;
  /** The open kernel flush (flush_tlb_kernel_range: its pages; flush_tlb_all: 0), or NO_FLUSH. */
  private flushPages = NO_FLUSH;
  /** IPI pricing within one flush: pages charged so far, and whether a full flush was. */
  private ipiPagesCharged = 0;
  private ipiFullCharged = false;
  /** ns at the start of each open flip (FLIP_BEGIN .. FLIP_END), innermost last. */
  private readonly flipNs0: number[] = [];

  /** row: the actor's counter row, which gets the ns by category (C.ns_*). */
  constructor(private readonly realm: Realm, private readonly row: Float64Array) {}

  private charge(counter: number, ns: number): void {
    this.row[counter] += ns;
    this.ns += ns;
  }

  event(_actor: number, ev: number, a: number, b: number): void {
    switch (ev) {
      case Ev.PTE_WRITE: this.charge(b ? C.ns_make : C.ns_break, this.realm.cfg.costs.pteWrite); break;
      case Ev.PMD_SPLIT: this.charge(C.ns_split, this.realm.cfg.costs.blockSplit); break;
      case Ev.RSI_DONE: if (!(b & RSI_OUT_INPUT_ERROR)) this.rsi(a); break;
      case Ev.CALL: if (a === FN_RANGE || a === FN_ALL) this.flushBegin(a === FN_RANGE ? b : 0); break;
      case Ev.TLBI_VA: case Ev.TLBI_RANGE: if (this.flushPages !== NO_FLUSH) this.tlbi(false, this.flushPages); break;
      case Ev.TLBI_ALL: if (this.flushPages !== NO_FLUSH) this.tlbi(true, 0); break;
      case Ev.DSB: if (this.flushPages !== NO_FLUSH) this.flushEnd(); break;
      case Ev.FLIP_BEGIN: this.flipNs0.push(this.ns); break;
      case Ev.FLIP_END: this.row[C.ns_flip] += this.ns - (this.flipNs0.pop() ?? this.ns); break;
    }
  }

  /** One RSI_IPA_STATE_SET that exited to the host: the REC exit round trip plus the RMM's work per granule changed. */
  private rsi(granules: number): void {
    const t = this.realm.cfg.costs;
    this.charge(C.ns_rsi, t.rsiRoundTrip + t.rsiPerGranule * granules);
  }

  /** A flush starts: this CPU is now a concurrent broadcaster until its DSB. */
  private flushBegin(pages: number): void {
    this.flushPages = pages;
    this.realm.add_header(H.BROADCASTING, 1);
  }

  /**
   * One TLBI instruction (by VA, range, or all). Broadcast: issue cost, and every
   * other PE pays a DVM victim cost. IPI: the initiator invalidates locally
   * (per page, or a full flush past the x86 ceiling); victims pay at the sync.
   */
  private tlbi(full: boolean, pagesInFlush: number): void {
    const r = this.realm.cfg;
    const t = r.costs;
    if (r.flush === 'broadcast') {
      this.charge(C.ns_tlbi, t.broadcastIssue + (full ? t.refillPenalty : 0));
      this.charge(C.ns_victim, t.dvmVictim * (r.vcpus - 1));
    } else if (full || pagesInFlush > t.ipiFullFlushPages) {
      // One local full flush stands for the whole range: charge it on the first TLBI only.
      if (!this.ipiFullCharged) this.charge(C.ns_tlbi, t.localFullFlush + t.refillPenalty);
      this.ipiFullCharged = true;
    } else {
      this.charge(C.ns_tlbi, this.ipiPagesCharged++ === 0 ? t.tlbiLocalPage : t.tlbiLocalExtraPage);
    }
  }

  /**
   * The completing DSB ISH (broadcast: its wait grows with concurrent broadcasters),
   * or the IPI round trip to the other N-1 CPUs and their handler cost.
   */
  private flushEnd(): void {
    const r = this.realm.cfg;
    const t = r.costs;
    const n = r.vcpus;
    if (r.flush === 'broadcast') {
      const c = Math.max(1, this.realm.header(H.BROADCASTING));
      this.charge(C.ns_sync, t.broadcastSync * (1 + t.concurrentK * (c - 1)));
    } else if (n > 1) {
      this.charge(C.ns_sync, t.ipiFirstTarget + t.ipiExtraTarget * (n - 2));
      this.charge(C.ns_victim, t.ipiVictim * (n - 1));
    }
    this.ipiFullCharged = false;
    this.ipiPagesCharged = 0;
    this.flushPages = NO_FLUSH;
    this.realm.add_header(H.BROADCASTING, -1);
  }
}
