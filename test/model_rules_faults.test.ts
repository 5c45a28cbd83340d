// R17–R21: what the arm64 fault path makes of kernel accesses to a range being
// flipped: translation faults fixed up for load_unaligned_zeropad (R17), SEAs
// never (R18), the break-before-make window (R19), still-valid aliases (R20),
// and contents across a transition (R21).

import { describe, it, expect } from 'vitest';
import { world, run, actor, death, events, stepN, setGranule, zeropadOutcome, type World, type ZeropadOutcome, counters } from './rule_helpers.js';
import type { Policy } from '../src/kernel/policy.js';
import { Ripas, G_ASSIGNED, G_NS_MAPPED, G_RIPAS_MASK } from '../src/model/granule.js';
import { mk_pte, pte_valid } from '../src/model/pte.js';
import { walk, translate, tlb_peek, isb } from '../src/model/mmu.js';
import { kernel_load, kernel_store, load_unaligned_zeropad } from '../src/kernel/fault.js';
import { set_memory_decrypted, set_memory_encrypted, vmalloc_decrypted } from '../src/kernel/mem_encrypt.js';
import { __change_memory_common } from '../src/kernel/pgtable.js';
import { mainline } from '../src/kernel/policies/mainline.js';
import { v2_no_bbm } from '../src/kernel/policies/v2_no_bbm.js';
import { no_dsb } from '../src/kernel/policies/no_dsb.js';
import { vmalloc_naive } from '../src/kernel/policies/vmalloc_naive.js';
import { Ev, Res } from '../src/check/events.js';
import { C } from '../src/check/counters.js';
import { PTE_VALID } from '../src/model/pte.js';

const PG = 4096;
const ripasOf = (w: World, p: number): number => w.realm.granule(p) & G_RIPAS_MASK;

type Outcome = ZeropadOutcome;
const zeropad = zeropadOutcome;

/**
 * For every step k of cpu0's flip of linear page P (1 page), on a fresh realm:
 * cpu1 (TLB primed for P-1 and P) does `probe` after cpu0 has taken k steps.
 */
function window<O extends { out: Outcome; expectFix: boolean }>(policy: Policy, encrypt: boolean, probe: (w: World) => O): ({ k: number } & O)[] {
  const P = 200;
  const res: ({ k: number } & O)[] = [];
  for (let k = 0; ; k++) {
    const w = world();
    const [c0, c1] = w.cpus;
    if (encrypt) run(set_memory_decrypted(c0, policy, P * PG, 1));
    isb(c1); // c1 past any invalid->valid window (R29): its priming walks see the PTEs
    translate(c1, P - 1);
    translate(c1, P);
    const g = encrypt ? set_memory_encrypted(c0, policy, P * PG, 1) : set_memory_decrypted(c0, policy, P * PG, 1);
    const finished = stepN(g, k);
    res.push({ k, ...probe(w) });
    if (finished) return res;
    if (k > 100) throw new Error('flip did not finish');
  }
}

const spillProbe = (w: World): { out: Outcome; expectFix: boolean; mayFix: boolean } => {
  const c1 = w.cpus[1];
  const expectFix = tlb_peek(c1, 200) === 0 && !pte_valid(walk(w.realm, 200));
  // R29: just after the make step (invalid->valid, no TLBI) c1's walk may still see the
  // invalid descriptor until c1's next CSE: the spill may be fixed up (a spurious fault).
  const mayFix = expectFix || (tlb_peek(c1, 200) === 0 && w.realm.tlb.madeAt(200) > c1.tlb.cseSeq);
  return { out: zeropad(c1, 199 * PG + 4093), expectFix, mayFix };
};

describe('R17: kernel translation faults: extable fixup or oops', () => {
  it('R17: a load_unaligned_zeropad spill into an invalid PTE is fixed up and execution continues', () => {
    const w = world();
    const cpu = w.cpus[0];
    run(__change_memory_common(cpu, 51 * PG, 1 * PG, 0, PTE_VALID));
    expect(run(load_unaligned_zeropad(cpu, 50 * PG + 4090))).toBe(0);
    expect(counters(cpu)[C.zeropad_spills]).toBe(1);
    expect(counters(cpu)[C.zeropad_fixups]).toBe(1);
    expect(events(w.trace).at(-1)).toMatchObject({ ev: Ev.ZEROPAD, a: 51, b: Res.FIXUP });
    // Execution continues: the next access on the CPU works.
    expect(death(() => run(kernel_load(cpu, 50 * PG, 'next')))).toBeNull();
  });

  it('R17: without a fault the load completes normally (no spill, or a spill into a valid RAM page)', () => {
    const w = world();
    const cpu = w.cpus[0];
    expect(run(load_unaligned_zeropad(cpu, 50 * PG + 100))).toBe(1);
    expect(run(load_unaligned_zeropad(cpu, 50 * PG + 4095))).toBe(1);
    expect(counters(cpu)[C.zeropad_loads]).toBe(2);
    expect(counters(cpu)[C.zeropad_spills]).toBe(1);
    expect(counters(cpu)[C.zeropad_fixups]).toBe(0);
  });

  it('R17: a fault on the first page of a zeropad load is not recoverable (the fixup reload faults)', () => {
    const w = world();
    const cpu = w.cpus[0];
    run(__change_memory_common(cpu, 50 * PG, 1 * PG, 0, PTE_VALID));
    const f = death(() => run(load_unaligned_zeropad(cpu, 50 * PG + 4090)));
    expect(f?.kind).toBe('translation-fault');
    expect(counters(cpu)[C.zeropad_fixups]).toBe(0);
  });

  it('R17: any other kernel access to an invalid PTE oopses (load and store)', () => {
    for (const store of [false, true]) {
      const w = world();
      const cpu = w.cpus[0];
      run(__change_memory_common(cpu, 60 * PG, 1 * PG, 0, PTE_VALID));
      const f = death(() => run(store ? kernel_store(cpu, 60 * PG, 'test', false) : kernel_load(cpu, 60 * PG, 'test')));
      expect(f?.kind).toBe('translation-fault');
      expect(f?.cause).toContain(store ? 'write' : 'read');
    }
  });
});

describe('R18: a kernel-mode SEA is always fatal', () => {
  it('R18: a zeropad spill that takes an SEA is not fixed up: do_sea -> die()', () => {
    const w = world();
    const cpu = w.cpus[0];
    setGranule(w, 71, Ripas.EMPTY | G_ASSIGNED);
    const f = death(() => run(load_unaligned_zeropad(cpu, 70 * PG + 4093)));
    expect(f?.kind).toBe('SEA');
    expect(f?.site).toContain('load_unaligned_zeropad');
    expect(f?.detail).toContain('do_sea');
    expect(counters(cpu)[C.zeropad_fixups]).toBe(0);
  });

  it('R18: a plain kernel load that takes an SEA dies', () => {
    const w = world();
    setGranule(w, 72, Ripas.EMPTY | G_ASSIGNED);
    const f = death(() => run(kernel_load(w.cpus[0], 72 * PG, 'test')));
    expect(f?.kind).toBe('SEA');
    expect(f?.cause).toContain('RIPAS_EMPTY');
  });
});

describe('R19: the break-before-make window', () => {
  for (const encrypt of [false, true]) {
    it(`R19: a zeropad spill at every step of the mainline ${encrypt ? 'encrypt' : 'decrypt'} is ok or fixed up, never an SEA`, () => {
      const outs = window(mainline, encrypt, spillProbe);
      expect(outs.length).toBeGreaterThan(5);
      for (const o of outs) {
        expect(o.out === 'ok' || o.out === 'fixup').toBe(true);
        if (o.expectFix) expect(o.out).toBe('fixup');
        else if (!o.mayFix) expect(o.out).toBe('ok');
      }
      expect(outs.some((o) => o.out === 'fixup')).toBe(true);
      expect(outs[0].out).toBe('ok');
      expect(outs.at(-1)!.out).toBe('ok');
    });
  }

  it('R19: during the window any other kernel access to the range oopses with a translation fault', () => {
    const outs = window(mainline, false, (w) => {
      const c1 = w.cpus[1];
      const expectFix = tlb_peek(c1, 200) === 0 && !pte_valid(walk(w.realm, 200));
      const f = death(() => run(kernel_load(c1, 200 * PG, 'test')));
      return { out: f ? f.kind : 'ok', expectFix };
    });
    for (const o of outs) expect(o.out).toBe(o.expectFix ? 'translation-fault' : 'ok');
    expect(outs.filter((o) => o.out === 'translation-fault').length).toBeGreaterThan(1);
  });

  it('R19: a stale TLB entry used before the flush still reaches RIPAS RAM (harmless)', () => {
    const w = world();
    const [c0, c1] = w.cpus;
    translate(c1, 200);
    const g = set_memory_decrypted(c0, mainline, 200 * PG, 1);
    stepN(g, 1); // PTE broken, TLBI not yet issued
    expect(pte_valid(walk(w.realm, 200))).toBe(false);
    expect(tlb_peek(c1, 200)).toBe(mk_pte(200, true, false));
    expect(ripasOf(w, 200)).toBe(Ripas.RAM);
    expect(death(() => run(kernel_load(c1, 200 * PG, 'test')))).toBeNull();
    run(g);
    expect(tlb_peek(c1, 200)).toBe(0);
  });

  it('R19: after the make step accesses go through the shared IPA (R8: REC exit, host maps NS memory)', () => {
    const w = world();
    const [c0, c1] = w.cpus;
    run(set_memory_decrypted(c0, mainline, 200 * PG, 1));
    expect(death(() => run(kernel_load(c1, 200 * PG, 'test')))).toBeNull();
    expect(counters(c1)[C.rec_exit_ns_map]).toBe(1);
    expect(w.realm.granule(200) & G_NS_MAPPED).toBe(G_NS_MAPPED);
    expect(zeropad(c1, 199 * PG + 4093)).toBe('ok');
  });
});

describe('R20: a still-valid alias of an EMPTY granule is fatal', () => {
  it('R20: vmalloc-naive leaves the linear alias valid: a zeropad spill into it is an SEA', () => {
    const w = world({ lmPages: 1024 });
    const [c0, c1] = w.cpus;
    const va = run(vmalloc_decrypted(c0, vmalloc_naive, PG)) / PG;
    expect(va).toBeGreaterThanOrEqual(w.realm.vmBase);
    const pfn = walk(w.realm, va) & 0x1fffff;
    expect(pfn).toBeGreaterThan(0);
    expect(walk(w.realm, va)).toBe(mk_pte(pfn, true, true));
    expect(walk(w.realm, pfn)).toBe(mk_pte(pfn, true, false));
    expect(ripasOf(w, pfn)).toBe(Ripas.EMPTY);
    const fix0 = counters(c1)[C.zeropad_fixups];
    const f = death(() => run(load_unaligned_zeropad(c1, (pfn - 1) * PG + 4093)));
    expect(f?.kind).toBe('SEA');
    expect(f?.cause).toContain('valid linear alias of a vmalloc-mapped page');
    expect(counters(c1)[C.zeropad_fixups]).toBe(fix0);
  });

  // Semantics changed with R25 (TLBIs pending until the issuer's DSB): the stale entry
  // after the RSI call now comes from the flush without its DSB (no-dsb); v2-no-bbm's
  // live NS flip is a bbm-violation at the PTE write (R31).
  it('R20: no-dsb: a stale TLB entry after the RSI call is an SEA (the TLBI never completed)', () => {
    const outs = window(no_dsb, false, spillProbe);
    const sea = outs.filter((o) => o.out === 'SEA');
    expect(sea.length).toBeGreaterThan(0);
    expect(outs.some((o) => o.out === 'fixup')).toBe(false); // cpu1 keeps hitting its entry: never a translation fault
    // Stale-TLB cause specifically.
    const w = world();
    const [c0, c1] = w.cpus;
    translate(c1, 200);
    const g = actor(set_memory_decrypted(c0, no_dsb, 200 * PG, 1));
    while (ripasOf(w, 200) !== Ripas.EMPTY) expect(g.next().done).toBe(false);
    expect(tlb_peek(c1, 200)).toBe(mk_pte(200, true, false));
    const f = death(() => run(kernel_load(c1, 200 * PG, 'test')));
    expect(f?.kind).toBe('SEA');
    expect(f?.cause).toContain('stale TLB entry');
  });

  it('R31: v2-no-bbm: the live NS flip of a valid PTE is a bbm-violation at the write, before any access', () => {
    const w = world();
    const f = death(() => run(set_memory_decrypted(w.cpus[0], v2_no_bbm, 200 * PG, 1)));
    expect(f?.kind).toBe('bbm-violation');
    expect(f?.detail).toContain('VA page 200: pte[200]=200 VALID,prot -> pte[200]=200 VALID,NS');
    expect(ripasOf(w, 200)).toBe(Ripas.RAM); // stopped at the write: no RSI call yet
  });

  it('R20: mainline protects only the linear map: a vmap alias of a decrypted page is an SEA', () => {
    const w = world({ lmPages: 1024 });
    const [c0, c1] = w.cpus;
    const va = run(vmalloc_decrypted(c0, mainline, PG)); // -EINVAL: leaked, still mapped
    expect(va).toBeLessThan(0);
    let leakedVa = -1;
    for (let v = w.realm.vmBase; v < w.realm.vaPages; v++) if (pte_valid(walk(w.realm, v))) leakedVa = v;
    expect(leakedVa).toBeGreaterThan(0);
    const pfn = walk(w.realm, leakedVa) & 0x1fffff;
    expect(run(set_memory_decrypted(c0, mainline, pfn * PG, 1))).toBe(0);
    expect(death(() => run(kernel_load(c1, pfn * PG, 'linear')))).toBeNull();
    expect(death(() => run(kernel_load(c1, leakedVa * PG, 'vmap alias')))?.kind).toBe('SEA');
  });
});

describe('R21: contents are not preserved across a transition', () => {
  // The model keeps no data values; it tracks where an access lands instead.
  it('R21: after decrypt the page is backed by host NS memory (fresh NS mapping on first access)', () => {
    const w = world();
    const cpu = w.cpus[0];
    expect(w.realm.granule(210) & G_NS_MAPPED).toBe(0);
    run(set_memory_decrypted(cpu, mainline, 210 * PG, 1));
    run(kernel_load(cpu, 210 * PG, 'test'));
    expect(counters(cpu)[C.rec_exit_ns_map]).toBe(1);
    expect(w.realm.granule(210)).toBe(Ripas.EMPTY | G_ASSIGNED | G_NS_MAPPED);
  });

  it('R21: private data stored through the shared translation reaches the host (data-exposed)', () => {
    const w = world();
    const cpu = w.cpus[0];
    run(set_memory_decrypted(cpu, mainline, 211 * PG, 1));
    expect(death(() => run(kernel_store(cpu, 211 * PG, 'shared fill', false)))).toBeNull();
    const f = death(() => run(kernel_store(cpu, 211 * PG, 'kmalloc', true)));
    expect(f?.kind).toBe('data-exposed');
    // The same private store to a protected page is fine.
    const w2 = world();
    expect(death(() => run(kernel_store(w2.cpus[0], 211 * PG, 'kmalloc', true)))).toBeNull();
  });

  it('R21: re-protecting a granule the host destroyed gives RAM+UNASSIGNED: new DATA granule of unknown content', () => {
    const w = world();
    const cpu = w.cpus[0];
    run(set_memory_decrypted(cpu, mainline, 212 * PG, 1));
    setGranule(w, 212, Ripas.EMPTY); // host RMI_DATA_DESTROY while shared: UNASSIGNED_EMPTY
    expect(run(set_memory_encrypted(cpu, mainline, 212 * PG, 1))).toBe(0);
    expect(w.realm.granule(212)).toBe(Ripas.RAM);
    run(kernel_load(cpu, 212 * PG, 'test'));
    expect(counters(cpu)[C.rec_exit_data_create]).toBe(1);
    expect(w.realm.granule(212)).toBe(Ripas.RAM | G_ASSIGNED);
  });
});
