// R30 (data values) and R31 (break-before-make as bbm-violation-check.smt2
// defines it): the stores under src/model/memdata.ts and src/model/bbm.ts.

import { describe, it, expect } from 'vitest';
import { BbmTracker, desc_oa } from '../src/model/bbm.js';
import { DataStore, WIPED, guestValue, hostValue } from '../src/model/memdata.js';
import { mk_pte } from '../src/model/pte.js';
import { tlbi_vaale1is, tlbi_rvaale1is, tlbi_vmalle1is, tlbi_vae1 } from '../src/model/tlb.js';

const tracker = (span = 1, locations = 8, shared = false): BbmTracker => {
  const words = BbmTracker.words(locations);
  const t = new BbmTracker(new Int32Array(shared ? new SharedArrayBuffer(words * 4) : new ArrayBuffer(words * 4)), shared, locations, span);
  t.reset((l) => mk_pte(l, true, false)); // paging_init: every location valid, identity
  return t;
};

describe.each([false, true])('R31 break-before-make (shared: %s)', (shared) => {
  it('a live change of the output address of a valid descriptor (NS flip, v2-no-bbm) is a violation', () => {
    const t = tracker(1, 8, shared);
    expect(t.written(3, mk_pte(3, true, true))).toEqual({ oldOa: desc_oa(mk_pte(3, true, false)), newOa: desc_oa(mk_pte(3, true, true)) });
  });

  it('break (invalid) + TLBI of the VA + make: no violation, whatever the TLBI form', () => {
    for (const tl of [tlbi_vaale1is(3), tlbi_rvaale1is(2, 4), tlbi_vmalle1is(), tlbi_vae1(3)]) {
      const t = tracker(1, 8, shared);
      expect(t.written(3, mk_pte(3, false, true))).toBeNull();
      t.tlbi(tl);
      expect(t.written(3, mk_pte(3, true, true))).toBeNull();
    }
  });

  it('break with no TLBI, or a TLBI of another VA, or a TLBI before the break: still a violation', () => {
    const noTlbi = tracker(1, 8, shared);
    noTlbi.written(3, 0);
    expect(noTlbi.written(3, mk_pte(5, true, false))).not.toBeNull();
    const other = tracker(1, 8, shared);
    other.written(3, 0);
    other.tlbi(tlbi_vaale1is(4));
    other.tlbi(tlbi_rvaale1is(4, 2));
    expect(other.written(3, mk_pte(5, true, false))).not.toBeNull();
    const early = tracker(1, 8, shared);
    early.tlbi(tlbi_vaale1is(3));
    early.tlbi(tlbi_vmalle1is());
    early.written(3, 0);
    expect(early.written(3, mk_pte(5, true, false))).not.toBeNull();
  });

  it('same output address (attributes only, or remaking the old mapping) is never a violation; nor is a first mapping', () => {
    const t = tracker(1, 8, shared);
    expect(t.written(3, mk_pte(3, true, false))).toBeNull();
    t.written(3, 0);
    expect(t.written(3, mk_pte(3, true, false))).toBeNull();
    const fresh = new BbmTracker(new Int32Array(BbmTracker.words(2)), false, 2, 1);
    fresh.reset(() => 0); // vmalloc space: nothing mapped yet
    expect(fresh.written(1, mk_pte(9, true, false))).toBeNull();
  });

  it('block leaves: a TLBI of any page of the 2 MiB block covers the block location; unchecked writes only record', () => {
    const t = tracker(512, 2, shared);
    t.written(1, 0);
    t.tlbi(tlbi_vaale1is(512 + 17));
    expect(t.written(1, mk_pte(512, true, true))).toBeNull();
    t.written(0, mk_pte(0, true, true), false);
    expect(t.written(0, mk_pte(0, true, true))).toBeNull();
  });
});

describe('R30 data values per physical page', () => {
  it('protected and NS pages of one pfn are distinct; stores and loads go through the descriptor', () => {
    const d = new DataStore(new Int32Array(DataStore.words(4)), false, 4);
    d.store(mk_pte(2, true, false), guestValue(0, 1));
    d.store(mk_pte(2, true, true), guestValue(1, 1));
    expect(d.load(mk_pte(2, true, false))).toBe(guestValue(0, 1));
    expect(d.load(mk_pte(2, true, true))).toBe(guestValue(1, 1));
    d.hostStore(2, hostValue(1, 0, 2));
    expect(d.load(mk_pte(2, true, true))).toBe(hostValue(1, 0, 2));
    expect(d.prot(2)).toBe(guestValue(0, 1));
    d.wipe(2);
    expect(d.load(mk_pte(2, true, false))).toBe(WIPED);
    expect(d.load(mk_pte(9, true, false))).toBe(0); // past RAM
  });

  it('guest and host values never collide with each other, 0 or WIPED', () => {
    const seen = new Set<number>();
    for (let a = 0; a < 4; a++) for (let n = 0; n < 100; n++) seen.add(guestValue(a, n));
    for (let v = 0; v < 4; v++) for (let s = 0; s < 20; s++) for (let p = 0; p < 20; p++) seen.add(hostValue(v, s, p));
    expect(seen.size).toBe(400 + 1600);
    expect(seen.has(0) || seen.has(WIPED)).toBe(false);
  });
});
