// Break-before-make, checked the way rems-project's bbm-violation-check.smt2
// defines a violation (R31): two writes of a valid descriptor to one location
// with different output addresses (OA, descriptor bits 47:12: here the PFN and
// the NS bit, which is the top IPA bit, R1), with no write of an invalid
// descriptor to that location followed by a TLBI of its VA in between (in
// coherence order = the order the model performs them). Unlike the smt2 check,
// which only knows by-VA TLBIs, range and all forms covering the VA count too.
//
// One tracker per table level: PTEs (span 1 VA page) and the linear map's PMD
// block leaves (span 512 pages). Per location two words: OA+1 of the last
// valid write (0: none yet) and the break state.

import { PTE_NS, PTE_PFN_MASK, PTE_VALID } from './pte.js';
import { Scope, type Tlbi } from './tlb.js';
import { Words } from './words.js';

/** The output address a descriptor maps (what BBM compares). */
export const desc_oa = (d: number): number => d & (PTE_PFN_MASK | PTE_NS);

// Break state word: ARMED = last write valid; else broken (an invalid write since the last valid one):
// BROKEN | (all-TLBI epoch at the break) << 2, or INVALIDATED once a TLBI covering the VA followed.
const ARMED = 0;
const BROKEN = 1;
const INVALIDATED = 2;

export interface BbmViolation { oldOa: number; newOa: number }

export class BbmTracker extends Words {
  static words(locations: number): number {
    return 2 * locations + 1;
  }

  readonly oOa: number;
  readonly oState: number;
  /** Epoch of TLBI ...ALL forms, so one of them need not visit every location. */
  readonly oEpoch: number;

  /**
   * @param span VA pages one location maps (1 for PTEs, 512 for PMD block leaves)
   */
  constructor(a: Int32Array, atomic: boolean, readonly locations: number, readonly span: number, base = 0) {
    super(a, atomic);
    if (a.length < base + BbmTracker.words(locations)) throw new Error('BBM tracker: array too small');
    this.oOa = base;
    this.oState = base + locations;
    this.oEpoch = base + 2 * locations;
  }


  /** Power-on: location l holds initial(l) (paging_init's linear map counts as its first valid writes). */
  reset(initial: (l: number) => number): void {
    this.st(this.oEpoch, 0);
    for (let l = 0; l < this.locations; l++) {
      const d = initial(l);
      this.st(this.oOa + l, d & PTE_VALID ? desc_oa(d) + 1 : 0);
      this.st(this.oState + l, ARMED);
    }
  }

  /**
   * A descriptor write to location l. Returns the violation it is, or null.
   * `check` false records the write without judging it (BBML2_NOABORT block
   * splits, which keep the OA of every page).
   */
  written(l: number, d: number, check = true): BbmViolation | null {
    if (l < 0 || l >= this.locations) return null;
    if (!(d & PTE_VALID)) {
      if (this.ld(this.oState + l) === ARMED) this.st(this.oState + l, BROKEN | (this.ld(this.oEpoch) << 2));
      return null;
    }
    const last = this.ld(this.oOa + l) - 1;
    const oa = desc_oa(d);
    const s = this.ld(this.oState + l);
    const invalidated = s === INVALIDATED || ((s & BROKEN) !== 0 && s >>> 2 < this.ld(this.oEpoch));
    this.st(this.oOa + l, oa + 1);
    this.st(this.oState + l, ARMED);
    if (check && last >= 0 && last !== oa && !invalidated) return { oldOa: last, newOa: oa };
    return null;
  }

  /** A TLBI was issued: broken locations whose VA it covers now count as invalidated. */
  tlbi(t: Tlbi): void {
    if (t.scope === Scope.ALL) {
      if (this.atomic) Atomics.add(this.a, this.oEpoch, 1);
      else this.a[this.oEpoch]++;
      return;
    }
    const first = Math.floor(t.vpn / this.span);
    const last = Math.floor((t.vpn + (t.scope === Scope.VA ? 1 : t.n) - 1) / this.span);
    for (let l = Math.max(0, first); l <= last && l < this.locations; l++) {
      if (this.ld(this.oState + l) & BROKEN) this.st(this.oState + l, INVALIDATED);
    }
  }
}
