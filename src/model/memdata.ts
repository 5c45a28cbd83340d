// Data memory by value (R30). A realm-private (protected) granule and the host's
// NS page behind the same page's shared alias are two distinct physical pages,
// so a load or store through a stale or wrong translation reaches the wrong one,
// and a value check (read-back after host I/O) sees it. One word per page
// stands for the page's contents. Data accesses are sequentially consistent
// (a model simplification, README).

import { PTE_NS, pte_pfn } from './pte.js';
import { Words } from './words.js';

/** Contents no one wrote: a re-protected page after a RIPAS change (R21, "wiped, not zeroed"). */
export const WIPED = -1;

/** A value the guest stores: unique per (actor, its n-th store), never WIPED or 0. */
export const guestValue = (actor: number, n: number): number => (((actor + 1) << 24) | (n & 0xffffff)) & 0x7fffffff;

/**
 * What the host writes into page i of vCPU v's `serial`-th I/O request, at IPA
 * page pfn. Both sides compute it, so the guest's read-back knows what to expect
 * without a wider mailbox. Bit 31 set (never a guest value), bit 0 clear (never WIPED).
 */
export const hostValue = (vcpu: number, serial: number, pfn: number): number =>
  (Math.imul(vcpu + 1, 0x9e3779b1) ^ Math.imul(serial + 1, 0x85ebca6b) ^ Math.imul(pfn + 1, 0xc2b2ae35) | 0x80000000) & ~1;

export class DataStore extends Words {
  static words(pages: number): number {
    return 2 * pages;
  }

  readonly oProt: number;
  readonly oNs: number;

  constructor(a: Int32Array, atomic: boolean, readonly pages: number, base = 0) {
    super(a, atomic);
    if (a.length < base + DataStore.words(pages)) throw new Error('data store: array too small');
    this.oProt = base;
    this.oNs = base + pages;
  }


  reset(): void {
    for (let i = 0; i < 2 * this.pages; i++) this.st(this.oProt + i, 0);
  }

  /** Word of the page a valid descriptor reaches: the protected page, or the host's NS page of the shared alias (R1). */
  private at(desc: number): number {
    const pfn = pte_pfn(desc);
    if (pfn >= this.pages) return -1; // IPAs past RAM hold no data in the model
    return (desc & PTE_NS ? this.oNs : this.oProt) + pfn;
  }

  /** A guest store through valid descriptor desc. */
  store(desc: number, v: number): void {
    const i = this.at(desc);
    if (i >= 0) this.st(i, v);
  }

  /** A guest load through valid descriptor desc. */
  load(desc: number): number {
    const i = this.at(desc);
    return i >= 0 ? this.ld(i) : 0;
  }

  /** The host writes / reads its NS page behind shared IPA page pfn. */
  hostStore(pfn: number, v: number): void { if (pfn < this.pages) this.st(this.oNs + pfn, v); }
  hostLoad(pfn: number): number { return pfn < this.pages ? this.ld(this.oNs + pfn) : 0; }

  /** A RIPAS change of granule pfn: its protected contents are not preserved (R21). */
  wipe(pfn: number): void { if (pfn < this.pages) this.st(this.oProt + pfn, WIPED); }

  prot(pfn: number): number { return this.ld(this.oProt + pfn); }
  ns(pfn: number): number { return this.ld(this.oNs + pfn); }
}
