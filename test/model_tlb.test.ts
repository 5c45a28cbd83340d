// src/model/tlb.ts as small litmus-like scenarios: two PEs, one interleaving
// written out, and the set of outcomes the model allows over every answer to its
// choices (enumerated exhaustively). Rules R24–R29 of the README; shapes after
// the ESOP'22 VMSA tests named in each case.

import { describe, it, expect } from 'vitest';
import {
  TlbStore, TlbPe, translate, spec_fill, tlbi, dsb, context_sync, type Choose,
  tlbi_vae1is, tlbi_vae1, tlbi_rvaale1is, tlbi_vmalle1is, tlbi_vmalle1, TLB_DESC_VALID as V, How,
} from '../src/model/tlb.js';

const X = 3; // the VA page under test
const Y = 4;
const desc = (pa: number): number => V | pa;

interface Env {
  pes: TlbPe[];
  store: TlbStore;
  /** A descriptor write by a PE: invalid->valid stamps the window (R29). */
  write(vpn: number, d: number): void;
  /** A load's translation on PE pe: 'pa<N>' through descriptor of page N, or 'fault'. */
  read(pe: number, vpn: number): string;
}

interface Opts { shared?: boolean; early?: boolean; entries?: number }

function env(choose: Choose, o: Opts = {}): Env {
  const pt = new Int32Array(16);
  pt[X] = desc(1);
  pt[Y] = desc(7);
  const store = TlbStore.create({ pes: 2, entries: o.entries ?? 8, vaPages: 16 }, { walk: (v) => pt[v] }, o.shared === true);
  const pes = [0, 1].map((i) => new TlbPe(i, store, choose));
  if (o.early) store.register(pes);
  for (const p of pes) p.reset();
  return {
    pes, store,
    write(vpn, d) {
      const old = pt[vpn];
      pt[vpn] = d;
      if (!(old & V) && d & V) store.madeValid(vpn);
    },
    read(pe, vpn) {
      const d = translate(pes[pe], vpn);
      return d === 0 ? 'fault' : `pa${d & 0xff}`;
    },
  };
}

/**
 * Every outcome of scenario over all answers to its choices: depth-first over
 * choice sequences (unset choices answer 0, then every alternative is tried).
 */
function outcomes(scenario: (e: Env) => string, o: Opts = {}): string[] {
  const seen = new Set<string>();
  const todo: number[][] = [[]];
  let runs = 0;
  while (todo.length > 0) {
    const prefix = todo.pop()!;
    const ns: number[] = [];
    const choose: Choose = (_kind, n) => {
      const k = ns.length;
      ns.push(n);
      return k < prefix.length ? prefix[k] : 0;
    };
    seen.add(scenario(env(choose, o)));
    for (let i = prefix.length; i < ns.length; i++) {
      for (let c = 1; c < ns[i]; c++) todo.push([...prefix, ...new Array<number>(i - prefix.length).fill(0), c]);
    }
    if (++runs > 10_000) throw new Error('scenario has too many choice sequences');
  }
  return [...seen].sort();
}

/** P1 caches x (a real load), P0 breaks x's descriptor (write invalid). */
function cachedThenBroken(e: Env): void {
  e.read(1, X);
  e.write(X, 0);
}

describe.each([false, true])('tlb.ts (shared store: %s)', (shared) => {
  const o = { shared };

  it('R25: broadcast TLBI without DSB: the other PE may still hit the old entry', () => {
    expect(outcomes((e) => { cachedThenBroken(e); tlbi(e.pes[0], tlbi_vae1is(X)); return e.read(1, X); }, o)).toEqual(['pa1']);
  });

  it('R25: TLBI + DSB (BBM+dsb-tlbiis-dsb shape): the other PE must miss, the walk sees the break', () => {
    expect(outcomes((e) => { cachedThenBroken(e); tlbi(e.pes[0], tlbi_vae1is(X)); dsb(e.pes[0]); return e.read(1, X); }, o)).toEqual(['fault']);
  });

  it('R25: the DSB completes only its own PE\'s TLBIs: P1\'s DSB does not complete P0\'s', () => {
    expect(outcomes((e) => { cachedThenBroken(e); tlbi(e.pes[0], tlbi_vae1is(X)); dsb(e.pes[1]); return e.read(1, X); }, o)).toEqual(['pa1']);
  });

  it('R27: no ISB (CoWinvT.EL1+dsb-tlbiis-dsb): the issuer may still use the entry it removed; with ISB it must fault', () => {
    const noIsb = (e: Env): string => { e.read(0, X); e.write(X, 0); tlbi(e.pes[0], tlbi_vae1is(X)); dsb(e.pes[0]); return e.read(0, X); };
    expect(outcomes(noIsb, o)).toEqual(['fault', 'pa1']);
    const isb = (e: Env): string => { e.read(0, X); e.write(X, 0); tlbi(e.pes[0], tlbi_vae1is(X)); dsb(e.pes[0]); context_sync(e.pes[0]); return e.read(0, X); };
    expect(outcomes(isb, o)).toEqual(['fault']);
  });

  it('R26: local TLBI (MP.RT.EL1+dsb-tlbi-dsb+dsb-isb shape): the other PE keeps its entry, even after its own DSB; ISB', () => {
    const s = (e: Env): string => {
      e.read(0, X);
      cachedThenBroken(e);
      tlbi(e.pes[0], tlbi_vae1(X));
      dsb(e.pes[0]);
      context_sync(e.pes[0]);
      dsb(e.pes[1]);
      context_sync(e.pes[1]);
      return `${e.read(0, X)} ${e.read(1, X)}`;
    };
    expect(outcomes(s, o)).toEqual(['fault pa1']);
  });

  it('R24: invalid descriptors are never cached, by a walk or a speculative fill', () => {
    const s = (e: Env): string => {
      e.write(X, 0);
      const r0 = e.read(1, X);
      spec_fill(e.pes[1], X);
      const cached = e.store.peek(1, X);
      return `${r0} cached=${cached}`;
    };
    expect(outcomes(s, o)).toEqual(['fault cached=0']);
  });

  it('R28: a speculative fill may cache a valid entry, which then survives a break until the TLBI completes', () => {
    const s = (e: Env): string => {
      spec_fill(e.pes[1], X);
      e.write(X, 0);
      tlbi(e.pes[0], tlbi_vae1is(X));
      const before = e.read(1, X);
      dsb(e.pes[0]);
      return `${before} ${e.read(1, X)}`;
    };
    expect(outcomes(s, o)).toEqual(['fault fault', 'pa1 fault']);
  });

  it('R29: invalid->valid with no TLBI (MP.TTf.inv shapes): any PE may still fault until its own CSE, never after', () => {
    const s = (e: Env): string => {
      e.write(X, 0);
      context_sync(e.pes[0]);
      context_sync(e.pes[1]);
      e.write(X, desc(2)); // P0's make
      const other = e.read(1, X);
      const self = e.read(0, X);
      context_sync(e.pes[1]);
      context_sync(e.pes[0]);
      return `${other} ${self} after-cse: ${e.read(1, X)} ${e.read(0, X)}`;
    };
    expect(outcomes(s, o)).toEqual([
      'fault fault after-cse: pa2 pa2', 'fault pa2 after-cse: pa2 pa2', 'pa2 fault after-cse: pa2 pa2', 'pa2 pa2 after-cse: pa2 pa2',
    ]);
  });

  it('R29: a DSB alone does not close the window (MP.TTf.inv+dsb+dsb-isb needs the ISB)', () => {
    const s = (e: Env): string => { e.write(X, 0); context_sync(e.pes[1]); e.write(X, desc(2)); dsb(e.pes[1]); return e.read(1, X); };
    expect(outcomes(s, o)).toEqual(['fault', 'pa2']);
  });

  it('R29: the spurious fault is reported as such (How.SPURIOUS), a real one as How.FAULT', () => {
    const hows = new Set<How>();
    outcomes((e) => { e.write(X, 0); context_sync(e.pes[1]); e.write(X, desc(2)); const r = e.read(1, X); hows.add(e.pes[1].how); return r; }, o);
    expect([...hows].sort()).toEqual([How.WALK, How.SPURIOUS]);
    outcomes((e) => { e.write(X, 0); e.read(1, X); hows.add(e.pes[1].how); return ''; }, o);
    expect(hows.has(How.FAULT)).toBe(true);
  });

  it('full break-before-make (MP.BBM1 shape): the other PE sees the new page or a spurious fault, never the old page', () => {
    const s = (e: Env): string => {
      context_sync(e.pes[1]);
      cachedThenBroken(e);
      tlbi(e.pes[0], tlbi_vae1is(X));
      dsb(e.pes[0]);
      context_sync(e.pes[0]);
      e.write(X, desc(2));
      return e.read(1, X);
    };
    expect(outcomes(s, o)).toEqual(['fault', 'pa2']);
  });

  it('range and all forms drop exactly what they cover, broadcast or local', () => {
    const s = (e: Env): string => {
      for (const p of [0, 1]) { e.read(p, X); e.read(p, Y); }
      tlbi(e.pes[0], tlbi_rvaale1is(X, 1));
      dsb(e.pes[0]);
      const afterRange = `${e.store.peek(1, X) !== 0} ${e.store.peek(1, Y) !== 0}`;
      tlbi(e.pes[0], tlbi_vmalle1());
      dsb(e.pes[0]);
      const afterLocalAll = `${e.store.peek(0, Y) !== 0} ${e.store.peek(1, Y) !== 0}`;
      tlbi(e.pes[1], tlbi_vmalle1is());
      dsb(e.pes[1]);
      return `${afterRange} | ${afterLocalAll} | ${e.store.peek(1, Y) !== 0}`;
    };
    expect(outcomes(s, o)).toEqual(['false true | false true | false']);
  });

  it('a DSB reports the entries it dropped and the PEs it targeted (counters)', () => {
    const e = env(() => 0, o);
    e.read(0, X);
    e.read(1, X);
    tlbi(e.pes[0], tlbi_vae1is(X));
    tlbi(e.pes[0], tlbi_vae1(Y));
    expect(dsb(e.pes[0])).toEqual({ dropped: 2, targets: 3 });
    expect(e.pes[0].pending).toEqual([]);
  });
});

describe('tlb.ts: early effect of a pending TLBI (single-threaded store only)', () => {
  it('R25: before the DSB a pending broadcast TLBI may already have taken effect on the other PE, at any time', () => {
    const s = (e: Env): string => { cachedThenBroken(e); tlbi(e.pes[0], tlbi_vae1is(X)); const a = e.read(1, X); const b = e.read(1, X); return `${a} ${b}`; };
    expect(outcomes(s, { early: true })).toEqual(['fault fault', 'pa1 fault', 'pa1 pa1']);
  });

  it('a pending local TLBI never takes effect on another PE', () => {
    expect(outcomes((e) => { cachedThenBroken(e); tlbi(e.pes[0], tlbi_vae1(X)); return e.read(1, X); }, { early: true })).toEqual(['pa1']);
  });
});

describe('tlb.ts store', () => {
  it('rejects a TLB size that is not a power of two, and a too small array', () => {
    expect(() => TlbStore.create({ pes: 1, entries: 6, vaPages: 4 }, { walk: () => 0 }, false)).toThrow(/power of two/);
    expect(() => new TlbStore(new Int32Array(3), false, { pes: 1, entries: 2, vaPages: 4 }, { walk: () => 0 })).toThrow(/too small/);
  });

  it('direct-mapped: a fill of another VA in the same slot evicts the entry', () => {
    const e = env(() => 0, { entries: 1 });
    e.read(1, X);
    e.read(1, Y);
    expect(e.store.peek(1, X)).toBe(0);
    expect(e.store.peek(1, Y)).toBe(desc(7));
  });
});
