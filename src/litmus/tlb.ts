// Translation and TLB maintenance, the Armv8-A ETS ("strong") model as an
// operational machine (Simner et al., ESOP 2022; isla's aarch64_mmu_strong_ETS.cat).
// Memory is one flat store; what the axiomatic model expresses as a
// translate-read (T) reading an old write becomes one of two things here:
//
//  - a TLB entry: each PE keeps the set of valid leaf translations memory has
//    held for a VA since that PE's last completed TLBI of the VA ("a TLB may
//    fill speculatively at any time from a valid entry"); a translation may use
//    any of them. Invalid entries are never cached.
//  - an early walk ("pre-translation"): a PE may walk for a po-later memory
//    instruction at any time since its last context synchronisation event
//    (ISB, exception entry, ERET) once the instruction's address registers are
//    known, and use the result, valid or faulting, when the instruction runs.
//
// A TLBI is issued into the PE's pending set and completes at a free moment,
// at the latest at the PE's next DSB. On completion, for every PE it affects
// (all for ...IS, the issuer for a local TLBI):
//  - the PE's TLB entries for the VAs are dropped (refilled only from memory
//    as it is now);
//  - early walks of those VAs whose entries were overwritten since the walk
//    are dropped (obtlbi: an access using a translation the TLBI barriers is
//    ordered before the TLBI; obETS: po-later translations are ordered after
//    the TLBI once a DSB completes it).

import { isValid, OA_MASK, PAGE, tableIndex } from './descriptor.js';

/** Result of a stage 1 walk. `reads`: the entries read, with their write sequence numbers. */
export type Walk =
  | { ok: true; pa: bigint; desc: bigint; level: number; reads: readonly (readonly [bigint, number])[] }
  | { ok: false; level: number; reads: readonly (readonly [bigint, number])[] };

export interface MemoryView {
  read(pa: bigint): bigint;
  seq(pa: bigint): number;
}

/** A translation table walk of `va` from `root` (4 KiB granule, levels 0-3). */
export function walk(mem: MemoryView, root: bigint, va: bigint): Walk {
  let table = root;
  const reads: (readonly [bigint, number])[] = [];
  for (let level = 0; level <= 3; level++) {
    const at = table + tableIndex(va, level) * 8n;
    const d = mem.read(at);
    reads.push([at, mem.seq(at)]);
    if (!isValid(d)) return { ok: false, level, reads };
    if (level === 3) {
      if ((d & 2n) === 0n) return { ok: false, level, reads }; // reserved encoding at level 3
      return { ok: true, pa: d & OA_MASK, desc: d, level, reads };
    }
    if ((d & 2n) === 0n) {
      // a block: output address covers the lower levels
      const size = 1n << BigInt(39 - 9 * level);
      return { ok: true, pa: (d & OA_MASK & ~(size - 1n)) | (va & (size - 1n) & ~(PAGE - 1n)), desc: d, level, reads };
    }
    table = d & OA_MASK;
  }
  throw new Error('unreachable');
}

/** True when an entry the walk read has been written since. */
export function stale(w: Walk, mem: MemoryView): boolean {
  return w.reads.some(([at, s]) => mem.seq(at) !== s);
}

/** Same translation (TLB entries are told apart by what they map, not when they were read). */
export function sameTranslation(a: Walk, b: Walk): boolean {
  if (a.ok !== b.ok || a.level !== b.level) return false;
  return !a.ok || (a.pa === (b as typeof a).pa && a.desc === (b as typeof a).desc);
}

const keys = new WeakMap<Walk, string>();
export function walkKey(w: Walk): string {
  let k = keys.get(w);
  if (k === undefined) {
    k = w.ok ? `${w.pa.toString(16)}/${w.desc.toString(16)}/${w.level}` : `F${w.level}`;
    keys.set(w, k);
  }
  return k;
}

/** The VA pages a TLBI covers: a list, or every page. */
export type TlbiScope = { all: true } | { all: false; pages: bigint[] };

/** Decodes a TLBI's Xt operand (ARM DDI 0487, D8.13.6: VA[55:12] in bits 43:0; range forms: BaseADDR, NUM, SCALE). */
export function tlbiScope(scope: 'va' | 'range' | 'all', xt: bigint | undefined): TlbiScope {
  if (scope === 'all' || xt === undefined) return { all: true };
  if (scope === 'va') return { all: false, pages: [(xt & ((1n << 44n) - 1n)) << 12n] };
  const base = (xt & ((1n << 37n) - 1n)) << 12n;
  const num = (xt >> 39n) & 0x1fn;
  const scale = (xt >> 44n) & 0x3n;
  const count = (num + 1n) << (5n * scale + 1n);
  const pages: bigint[] = [];
  for (let i = 0n; i < count && i < 4096n; i++) pages.push(base + i * PAGE);
  return { all: false, pages };
}

export function covers(s: TlbiScope, page: bigint): boolean {
  return s.all || s.pages.includes(page);
}
