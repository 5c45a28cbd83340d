// Stage-1 TLBs as the Armv8-A architecture (FEAT_ETS, the "strong" VMSA model of
// Simner et al., ESOP 2022) lets them behave, for the kernel's leaf mappings:
//
// - each PE caches valid leaf descriptors (direct-mapped); invalid ones never (R24);
// - a TLBI is *pending* from issue until the issuing PE's next DSB completes it;
//   broadcast (...IS) forms then drop the entry on every PE, local forms only on
//   the issuer (R25, R26);
// - until its next context synchronisation event (ISB, exception entry/return)
//   the issuer may still translate through an entry its own completed
//   maintenance removed: the per-PE "shadow" (R27);
// - a TLB may fill speculatively from a valid descriptor at any time (R28);
// - after an invalid->valid descriptor write (no TLBI needed, R16) a PE's walk may
//   still see the old invalid value until that PE's next context synchronisation:
//   a spurious translation fault (R29).
//
// Everything the architecture leaves open is a choice: `choose(kind, n)` picks in
// [0, n), so an explorer can enumerate the outcomes and a replay reproduces them.
// The words several PEs touch live in one Int32Array (over a SharedArrayBuffer
// when PEs run on threads, Atomics then); what only the PE itself reads (its
// pending maintenance, its shadow, its last synchronisation) is plain JS state.

import { PTE_VALID } from './pte.js';
import { Words } from './words.js';

export type Choose = (kind: string, n: number) => number;

/** Where the walk of a VA page comes from (the page tables): 0 = nothing mapped, else a descriptor. */
export interface Walker {
  walk(vpn: number): number;
}

/** The only descriptor bit this module interprets. */
export const TLB_DESC_VALID = PTE_VALID;

export const enum Scope { VA = 0, RANGE = 1, ALL = 2 }

/** One TLB maintenance instruction, as issued. */
export interface Tlbi {
  scope: Scope;
  /** First VA page (VA, RANGE). */
  vpn: number;
  /** Pages (RANGE). */
  n: number;
  /** Inner Shareable broadcast (...IS) or local to the issuer. */
  broadcast: boolean;
}

/** The kernel's TLBI forms (asm/tlbflush.h __tlbi()). ASIDs are not modelled: kernel mappings are global. */
export const tlbi_vaale1is = (vpn: number): Tlbi => ({ scope: Scope.VA, vpn, n: 1, broadcast: true });
export const tlbi_vaae1is = tlbi_vaale1is;
export const tlbi_vae1is = tlbi_vaale1is;
export const tlbi_vale1is = tlbi_vaale1is;
export const tlbi_vaale1 = (vpn: number): Tlbi => ({ scope: Scope.VA, vpn, n: 1, broadcast: false });
export const tlbi_vae1 = tlbi_vaale1;
export const tlbi_vaae1 = tlbi_vaale1;
export const tlbi_vale1 = tlbi_vaale1;
export const tlbi_rvaale1is = (vpn: number, n: number): Tlbi => ({ scope: Scope.RANGE, vpn, n, broadcast: true });
export const tlbi_vmalle1is = (): Tlbi => ({ scope: Scope.ALL, vpn: 0, n: 0, broadcast: true });
export const tlbi_vmalle1 = (): Tlbi => ({ scope: Scope.ALL, vpn: 0, n: 0, broadcast: false });

export const tlbi_covers = (t: Tlbi, vpn: number): boolean =>
  t.scope === Scope.ALL || (t.scope === Scope.VA ? vpn === t.vpn : vpn >= t.vpn && vpn < t.vpn + t.n);

/** Odds of a speculative fill per opportunity: choose('tlb.spec-fill', SPEC_FILL_ODDS) === 0. */
export const SPEC_FILL_ODDS = 4;

/** How the last translation on a PE was answered (for counters and fault reports). */
export const enum How { WALK = 0, HIT = 1, SHADOW = 2, FAULT = 3, SPURIOUS = 4 }

export interface TlbShape {
  pes: number;
  /** Entries per PE, a power of two (direct-mapped by vpn & (entries-1)). */
  entries: number;
  /** VA pages the page tables cover (one "made valid" word each). */
  vaPages: number;
}

/** The shared words: every PE's TLB (tag = vpn+1, desc), the per-VA invalid->valid write sequence, and the sequence counter. */
export class TlbStore extends Words {
  static words(s: TlbShape): number {
    return 2 * s.pes * s.entries + s.vaPages + 1;
  }

  readonly pes: number;
  readonly entries: number;
  readonly mask: number;
  readonly vaPages: number;
  readonly oTag: number;
  readonly oDesc: number;
  readonly oMade: number;
  readonly oSeq: number;
  /** The PEs of a single-threaded execution that let pending invalidations take effect early (register()). */
  readonly registered: TlbPe[] = [];
  /**
   * Early effect: a pending invalidation may take effect on a PE before its
   * completion (a choice at each hit on an entry it covers). Off, the
   * adversarial default for bug finding: it stays pending until the DSB. Needs
   * every PE in one thread (their pending lists are plain JS state).
   */
  earlyEffect = false;

  register(pes: TlbPe[]): void {
    if (this.atomic) throw new Error('TLB store: early effect needs a single-threaded store');
    this.registered.length = 0;
    this.registered.push(...pes);
    this.earlyEffect = true;
  }

  /**
   * @param a   the words (TlbStore.words(shape) of them, from `base`)
   * @param atomic  use Atomics (PEs on several threads over a SharedArrayBuffer)
   */
  constructor(a: Int32Array, atomic: boolean, s: TlbShape, readonly walker: Walker, base = 0) {
    super(a, atomic);
    if ((s.entries & (s.entries - 1)) !== 0 || s.entries < 1) throw new Error(`TLB entries must be a power of two, got ${s.entries}`);
    if (a.length < base + TlbStore.words(s)) throw new Error('TLB store: array too small');
    this.pes = s.pes;
    this.entries = s.entries;
    this.mask = s.entries - 1;
    this.vaPages = s.vaPages;
    this.oTag = base;
    this.oDesc = base + s.pes * s.entries;
    this.oMade = this.oDesc + s.pes * s.entries;
    this.oSeq = this.oMade + s.vaPages;
  }

  /** A store over its own fresh words: plain when single-threaded, shared otherwise. */
  static create(s: TlbShape, walker: Walker, shared: boolean): TlbStore {
    const bytes = TlbStore.words(s) * 4;
    return new TlbStore(new Int32Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)), shared, s, walker);
  }


  /** Power-on: every TLB empty, no invalid->valid writes seen. */
  reset(): void {
    for (let i = this.oTag; i <= this.oSeq; i++) this.st(i, 0);
  }

  slot(pe: number, vpn: number): number { return pe * this.entries + (vpn & this.mask); }

  /** What PE pe's TLB holds for vpn (0: nothing). */
  peek(pe: number, vpn: number): number {
    const s = this.slot(pe, vpn);
    return this.ld(this.oTag + s) === vpn + 1 ? this.ld(this.oDesc + s) : 0;
  }

  /**
   * Cache desc (just walked) for vpn on PE pe. With PEs on threads, a descriptor
   * write (and its TLBI, and the DSB that drops entries) may have raced with the
   * walk: re-walk and drop the fill if the descriptor changed, so no entry
   * outlives the maintenance that was meant to remove it.
   */
  fill(pe: number, vpn: number, desc: number): void {
    const s = this.slot(pe, vpn);
    this.st(this.oDesc + s, desc);
    this.st(this.oTag + s, vpn + 1);
    if (this.atomic && this.walker.walk(vpn) !== desc) this.cas(this.oTag + s, vpn + 1, 0);
  }

  /** Drop PE pe's entries that t covers; returns the dropped (vpn, desc) pairs flattened, or their count when out is null. */
  drop(pe: number, t: Tlbi, out: number[] | null): number {
    const E = this.entries;
    const base = pe * E;
    let dropped = 0;
    if (t.scope === Scope.VA) dropped += this.dropSlot(base + (t.vpn & this.mask), t, out);
    else if (t.scope === Scope.RANGE && t.n < E) for (let v = t.vpn; v < t.vpn + t.n; v++) dropped += this.dropSlot(base + (v & this.mask), t, out);
    else for (let i = 0; i < E; i++) dropped += this.dropSlot(base + i, t, out);
    return dropped;
  }

  /** Drop slot s if t covers what it holds: 1 if it did. (A method, not a closure: no allocation per drop.) */
  private dropSlot(s: number, t: Tlbi, out: number[] | null): number {
    const tag = this.ld(this.oTag + s);
    if (tag === 0 || !tlbi_covers(t, tag - 1)) return 0;
    const desc = this.ld(this.oDesc + s);
    if (this.cas(this.oTag + s, tag, 0) !== tag) return 0;
    if (out) out.push(tag - 1, desc);
    return 1;
  }

  /** Sequence number of the newest invalid->valid write so far. */
  seq(): number { return this.ld(this.oSeq); }

  /** The descriptor of vpn went from invalid to valid (R16, R29): stamp it with a new sequence number. */
  madeValid(vpn: number): void {
    if (vpn < 0 || vpn >= this.vaPages) return;
    const s = this.atomic ? Atomics.add(this.a, this.oSeq, 1) + 1 : ++this.a[this.oSeq];
    this.st(this.oMade + vpn, s);
  }

  /** Sequence of vpn's last invalid->valid write (0: none). */
  madeAt(vpn: number): number { return vpn >= 0 && vpn < this.vaPages ? this.ld(this.oMade + vpn) : 0; }
}

/** What one TLB operation did, for the caller's counters. */
export interface TlbStats { dropped: number; targets: number }

/** One PE's view: its TLB words in the store, plus what only it reads. */
export class TlbPe {
  /** TLBIs issued and not yet completed by a DSB, oldest first. */
  readonly pending: Tlbi[] = [];
  /** Entries this PE's own completed maintenance removed from its TLB, usable until its next CSE: (vpn, desc) flattened. */
  readonly shadow: number[] = [];
  /** store.seq() at this PE's last context synchronisation event. */
  cseSeq = 0;
  /** How the last translate() was answered. */
  how: How = How.WALK;

  constructor(readonly id: number, readonly store: TlbStore, readonly choose: Choose) {}

  /** Power-on: nothing pending, no shadow, synchronised. */
  reset(): void {
    this.pending.length = 0;
    this.shadow.length = 0;
    this.cseSeq = this.store.seq();
    this.how = How.WALK;
  }
}

/** Index in pe.shadow of vpn's entry, or -1. */
function shadowAt(pe: TlbPe, vpn: number): number {
  const s = pe.shadow;
  for (let i = 0; i < s.length; i += 2) if (s[i] === vpn) return i;
  return -1;
}

/**
 * A hit on q's entry for vpn while other PEs' (or q's own) invalidations of it
 * are pending: each may already have taken effect on q (a choice), then the hit
 * is gone. Only with store.earlyEffect and registered PEs.
 */
function pendingTookEffect(q: TlbPe, vpn: number): boolean {
  const st = q.store;
  for (const p of st.registered) {
    if (!p) continue;
    for (const t of p.pending) {
      if ((t.broadcast || p === q) && tlbi_covers(t, vpn) && q.choose('tlbi.early', 2) === 1) {
        const out: number[] = [];
        st.drop(q.id, { scope: Scope.VA, vpn, n: 1, broadcast: false }, out);
        // The PE's own maintenance: its translations may still use the entry until its CSE.
        if (p === q) for (let i = 0; i < out.length; i += 2) toShadow(q, out[i], out[i + 1]);
        return true;
      }
    }
  }
  return false;
}

/**
 * Translate vpn on PE pe: a shadow entry (choice), a TLB hit, or a walk that
 * fills the TLB if valid. A walk that sees a descriptor made valid since pe's
 * last CSE may still see the invalid one (choice: a spurious fault). Returns
 * the valid descriptor used, or 0 for a translation fault.
 */
export function translate(pe: TlbPe, vpn: number): number {
  const st = pe.store;
  if (pe.shadow.length > 0) {
    const i = shadowAt(pe, vpn);
    if (i >= 0 && pe.choose('tlb.shadow', 2) === 1) {
      pe.how = How.SHADOW;
      return pe.shadow[i + 1];
    }
  }
  const hit = st.peek(pe.id, vpn);
  if (hit & TLB_DESC_VALID) {
    if (!(st.earlyEffect && pendingTookEffect(pe, vpn))) {
      pe.how = How.HIT;
      return hit;
    }
  }
  const d = st.walker.walk(vpn);
  if (!(d & TLB_DESC_VALID)) {
    pe.how = How.FAULT;
    return 0;
  }
  if (st.madeAt(vpn) > pe.cseSeq && pe.choose('xlat.old-invalid', 2) === 1) {
    pe.how = How.SPURIOUS;
    return 0;
  }
  st.fill(pe.id, vpn, d);
  pe.how = How.WALK;
  return d;
}

/**
 * A speculative walk of vpn (R28): if the current descriptor is valid (and pe
 * can see it valid) and not cached yet, fill pe's TLB with odds
 * 1/SPEC_FILL_ODDS. Returns whether it filled.
 */
export function spec_fill(pe: TlbPe, vpn: number): boolean {
  const st = pe.store;
  if (vpn < 0 || vpn >= st.vaPages) return false;
  const d = st.walker.walk(vpn);
  // Only a fill that would change the TLB is a choice (fewer choices to record and explore).
  if (!(d & TLB_DESC_VALID) || st.madeAt(vpn) > pe.cseSeq || st.peek(pe.id, vpn) === d) return false;
  if (pe.choose('tlb.spec-fill', SPEC_FILL_ODDS) !== 0) return false;
  st.fill(pe.id, vpn, d);
  return true;
}

/** Issue TLBI t on pe: pending until pe's next DSB (R25). */
export function tlbi(pe: TlbPe, t: Tlbi): void {
  pe.pending.push(t);
}

/**
 * DSB (ISH or SY) on pe: every pending TLBI of pe completes. Broadcast ones drop
 * the covered entries of every PE, local ones only pe's; what leaves pe's own
 * TLB goes to its shadow until its next CSE (R27). (A DSB ISHST completes no
 * TLBI: the caller does not call this for it.)
 */
export function dsb(pe: TlbPe): TlbStats {
  const st = pe.store;
  const stats: TlbStats = { dropped: 0, targets: 0 };
  if (pe.pending.length === 0) return stats;
  const own = DSB_OWN; // empty between calls
  for (const t of pe.pending) {
    for (let q = 0; q < st.pes; q++) {
      if (!t.broadcast && q !== pe.id) continue;
      stats.targets++;
      stats.dropped += st.drop(q, t, q === pe.id ? own : null);
    }
  }
  pe.pending.length = 0;
  for (let i = 0; i < own.length; i += 2) toShadow(pe, own[i], own[i + 1]);
  if (own.length !== 0) own.length = 0; // (setting length is a runtime call: skip it when already empty)
  return stats;
}

/** Scratch for what a DSB drops from the issuer's own TLB (dsb() is not reentrant: one array for all). */
const DSB_OWN: number[] = [];

/** Keep (vpn, desc) in pe's shadow: one entry per VA, the newest. */
function toShadow(pe: TlbPe, vpn: number, desc: number): void {
  const i = shadowAt(pe, vpn);
  if (i >= 0) pe.shadow[i + 1] = desc;
  else pe.shadow.push(vpn, desc);
}

/** Context synchronisation on pe (ISB, exception entry or return): no shadow, and every descriptor made valid so far is seen (R27, R29). */
export function context_sync(pe: TlbPe): void {
  if (pe.shadow.length !== 0) pe.shadow.length = 0;
  pe.cseSeq = pe.store.seq();
}
