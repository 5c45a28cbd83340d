// R11–R16 and R22: set_memory_{de,en}crypted() on the linear map (break ->
// flush -> RSI -> make), failure handling, rejected addresses, alias handling,
// TLB-flush thresholds, no-TLBI make, and linear-map granularity.

import { describe, it, expect } from 'vitest';
import { world, run, actor, death, events, setGranule, type World, counters } from './rule_helpers.js';
import { Ripas, G_ASSIGNED, G_RIPAS_MASK } from '../src/model/granule.js';
import { OWNER_LEAKED } from '../src/model/realm.js';
import { mk_pte, PTE_NS, PTE_VALID, PTE_PRESENT_INVALID, PMD_SECT, pte_valid, pte_ns } from '../src/model/pte.js';
import { walk, translate, tlb_peek, tlbi_vaale1is, tlbi_rvaale1is, dsb_ish, isb } from '../src/model/mmu.js';
import { MAX_DVM_OPS, MAX_TLBI_RANGE_PAGES, PTRS_PER_PTE } from '../src/model/config.js';
import { set_memory_decrypted, set_memory_encrypted, alloc_pages_decrypted, free_pages_decrypted, vmalloc_decrypted } from '../src/kernel/mem_encrypt.js';
import { __change_memory_common, set_pte } from '../src/kernel/pgtable.js';
import { flush_tlb_kernel_range, flush_tlb_all, flush_tlb_range_limit_excess } from '../src/kernel/tlbflush.js';
import { vmalloc } from '../src/kernel/vmalloc.js';
import { kernel_load } from '../src/kernel/fault.js';
import { EINVAL } from '../src/kernel/rsi.js';
import { mainline } from '../src/kernel/policies/mainline.js';
import { v2_no_bbm } from '../src/kernel/policies/v2_no_bbm.js';
import { Ev, fnId } from '../src/check/events.js';
import { C } from '../src/check/counters.js';

const PG = 4096;
const ripasOf = (w: World, p: number): number => w.realm.granule(p) & G_RIPAS_MASK;
const snapshot = (w: World): Int32Array => Int32Array.from(w.realm.i32);

const SET_MEMORY = [fnId('set_memory_decrypted'), fnId('set_memory_encrypted')];

/** The memory-relevant events of a trace, as short strings (CALL events and the helpers' RETs dropped). */
function ops(w: World, actor = 0): string[] {
  const out: string[] = [];
  for (const e of events(w.trace)) {
    if (e.actor !== actor) continue;
    switch (e.ev) {
      case Ev.PTE_SET: out.push(`pte ${e.a} ${pte_valid(e.b) ? 'V' : '-'}${pte_ns(e.b) ? 'N' : 'P'} ${e.b & 0x1fffff}`); break;
      case Ev.PMD_SPLIT: out.push(`split ${e.a}`); break;
      case Ev.TLBI_VA: out.push(`tlbi ${e.a}`); break;
      case Ev.TLBI_RANGE: out.push(`tlbi-range ${e.a}+${e.b}`); break;
      case Ev.TLBI_ALL: out.push('tlbi-all'); break;
      case Ev.DSB: out.push('dsb'); break;
      case Ev.RSI_SET: out.push(`rsi ${e.a}->${e.b & 0x3fffffff}${e.b >>> 30 ? ' REJECT' : ''}`); break;
      case Ev.RET: if (SET_MEMORY.includes(e.a)) out.push(`ret ${e.b}`); break; // the flip's own return, not its helpers'
    }
  }
  return out;
}

/** BBM invariant: no valid protected translation (PTE or any TLB) of a RIPAS_EMPTY granule. */
function noProtectedEmpty(w: World, from: number, to: number): void {
  for (let v = from; v < to; v++) {
    const descs = [walk(w.realm, v), ...w.cpus.map((c) => tlb_peek(c, v))];
    for (const d of descs) {
      if (pte_valid(d) && !pte_ns(d)) expect(ripasOf(w, d & 0x1fffff)).toBe(Ripas.RAM);
    }
  }
}

describe('R11: set_memory_decrypted / set_memory_encrypted sequence', () => {
  it('R11: decrypt = break (NS set, VALID clear) -> per-page TLBI + DSB -> RSI EMPTY -> make (VALID, no TLBI) -> 0', () => {
    const w = world();
    const cpu = w.cpus[0];
    expect(run(set_memory_decrypted(cpu, mainline, 100 * PG, 4))).toBe(0);
    expect(ops(w)).toEqual([
      'pte 100 -N 100', 'pte 101 -N 101', 'pte 102 -N 102', 'pte 103 -N 103',
      'tlbi 100', 'tlbi 101', 'tlbi 102', 'tlbi 103', 'dsb',
      'rsi 100->104',
      'pte 100 VN 100', 'pte 101 VN 101', 'pte 102 VN 102', 'pte 103 VN 103',
      'ret 0',
    ]);
    for (let v = 100; v < 104; v++) {
      expect(walk(w.realm, v)).toBe(mk_pte(v, true, true));
      expect(w.realm.granule(v)).toBe(Ripas.EMPTY | G_ASSIGNED);
    }
    expect(walk(w.realm, 99)).toBe(mk_pte(99, true, false));
    expect(walk(w.realm, 104)).toBe(mk_pte(104, true, false));
    expect(counters(cpu)[C.flipped_pages]).toBe(4);
    expect(counters(cpu)[C.set_memory_decrypted]).toBe(1);
  });

  it('R11: encrypt mirrors it: NS cleared, RSI RAM with CHANGE_DESTROYED, make without TLBI', () => {
    const w = world();
    const cpu = w.cpus[0];
    run(set_memory_decrypted(cpu, mainline, 100 * PG, 3));
    setGranule(w, 101, Ripas.DESTROYED); // CHANGE_DESTROYED: converted anyway
    w.trace.log = [];
    expect(run(set_memory_encrypted(cpu, mainline, 100 * PG, 3))).toBe(0);
    expect(ops(w)).toEqual([
      'pte 100 -P 100', 'pte 101 -P 101', 'pte 102 -P 102',
      'tlbi 100', 'tlbi 101', 'tlbi 102', 'dsb',
      'rsi 100->103',
      'pte 100 VP 100', 'pte 101 VP 101', 'pte 102 VP 102',
      'ret 0',
    ]);
    for (let v = 100; v < 103; v++) {
      expect(walk(w.realm, v)).toBe(mk_pte(v, true, false));
      expect(ripasOf(w, v)).toBe(Ripas.RAM);
    }
  });

  it('R11: decrypt converts a DESTROYED granule too (CHANGE_DESTROYED)', () => {
    const w = world();
    setGranule(w, 201, Ripas.DESTROYED);
    expect(run(set_memory_decrypted(w.cpus[0], mainline, 200 * PG, 2))).toBe(0);
    expect(ripasOf(w, 200)).toBe(Ripas.EMPTY);
    expect(ripasOf(w, 201)).toBe(Ripas.EMPTY);
  });

  it('R11: with FEAT_TLBIRANGE the break is flushed with one range TLBI', () => {
    const w = world({ tlbiRange: true });
    expect(run(set_memory_decrypted(w.cpus[0], mainline, 100 * PG, 4))).toBe(0);
    expect(ops(w).filter((s) => s.startsWith('tlbi') || s === 'dsb')).toEqual(['tlbi-range 100+4', 'dsb']);
  });

  it('R11: with BBML2 (block linear map) the leaf is split at the range boundaries first', () => {
    const w = world({ lmPages: 1024, linearMap: 'block' });
    expect(run(set_memory_decrypted(w.cpus[0], mainline, 100 * PG, 4))).toBe(0);
    const o = ops(w);
    expect(o[0]).toBe('split 0');
    expect(o.slice(1, 5)).toEqual(['pte 100 -N 100', 'pte 101 -N 101', 'pte 102 -N 102', 'pte 103 -N 103']);
    expect(o.filter((s) => s.startsWith('split'))).toEqual(['split 0']);
    expect(counters(w.cpus[0])[C.splits]).toBe(1);
  });

  it('R11: at every step no valid protected translation (PTE or any TLB) maps a RIPAS_EMPTY granule', () => {
    for (const encrypt of [false, true]) {
      const w = world();
      const [c0, c1] = w.cpus;
      if (encrypt) run(set_memory_decrypted(c0, mainline, 300 * PG, 4));
      for (let v = 299; v < 305; v++) { translate(c0, v); translate(c1, v); }
      const g = actor(encrypt ? set_memory_encrypted(c0, mainline, 300 * PG, 4) : set_memory_decrypted(c0, mainline, 300 * PG, 4));
      let steps = 0;
      for (;;) {
        noProtectedEmpty(w, 299, 305);
        const x = g.next();
        if (x.done) { expect(x.value).toBe(0); break; }
        steps++;
        // The other CPU keeps translating the range: it may only refill valid entries.
        for (let v = 299; v < 305; v++) translate(c1, v);
      }
      noProtectedEmpty(w, 299, 305);
      expect(steps).toBeGreaterThan(8);
    }
  });

  it('R11: when the RSI call is made the range is already invalid and flushed from every TLB', () => {
    const w = world();
    const [c0, c1] = w.cpus;
    for (let v = 100; v < 104; v++) { translate(c0, v); translate(c1, v); }
    const g = actor(set_memory_decrypted(c0, mainline, 100 * PG, 4));
    let checked = false;
    while (counters(c0)[C.rsi_calls] === 0) {
      const before = { ptes: [100, 101, 102, 103].map((v) => walk(w.realm, v)), dsb: counters(c0)[C.dsb] };
      expect(g.next().done).toBe(false);
      if (counters(c0)[C.rsi_calls] === 1) {
        // State right before the RSI step.
        expect(before.dsb).toBe(1);
        for (let i = 0; i < 4; i++) expect(before.ptes[i]).toBe((100 + i) | PTE_NS);
        checked = true;
      }
    }
    expect(checked).toBe(true);
    for (let v = 100; v < 104; v++) {
      expect(tlb_peek(c0, v)).toBe(0);
      expect(tlb_peek(c1, v)).toBe(0);
    }
    run(g);
  });
});

describe('R12: RSI failure leaves the range broken and the pages leaked', () => {
  it('R12: REJECT on encrypt -> -EINVAL, PTEs left invalid with NS already cleared, RIPAS unchanged', () => {
    const w = world();
    const cpu = w.cpus[0];
    run(set_memory_decrypted(cpu, mainline, 100 * PG, 4));
    w.cfg.host.stall = true;
    w.cfg.host.rejectRate = 1;
    w.trace.log = [];
    expect(run(set_memory_encrypted(cpu, mainline, 100 * PG, 4))).toBe(EINVAL);
    for (let v = 100; v < 104; v++) {
      expect(walk(w.realm, v)).toBe(mk_pte(v, false, false));
      expect(ripasOf(w, v)).toBe(Ripas.EMPTY);
    }
    const o = ops(w);
    expect(o.at(-2)).toBe('rsi 100->100 REJECT');
    expect(o.at(-1)).toBe(`ret ${EINVAL}`);
    expect(o.filter((s) => s.includes(' V'))).toEqual([]); // never remade
  });

  it('R12: partial RIPAS progress before the failure is kept (prefix RAM, rest EMPTY), PTEs invalid', () => {
    let partialFailures = 0;
    for (let s = 0; s < 30; s++) {
      const w = world({ seed: `f${s}` });
      const cpu = w.cpus[0];
      run(set_memory_decrypted(cpu, mainline, 100 * PG, 8));
      w.cfg.host.partialRate = 1;
      w.cfg.host.rejectRate = 1;
      const ret = run(set_memory_encrypted(cpu, mainline, 100 * PG, 8));
      if (ret === 0) {
        for (let v = 100; v < 108; v++) expect(walk(w.realm, v)).toBe(mk_pte(v, true, false));
        continue;
      }
      expect(ret).toBe(EINVAL);
      let x = 100;
      while (x < 108 && ripasOf(w, x) === Ripas.RAM) x++;
      for (let v = 100; v < 108; v++) {
        expect(ripasOf(w, v)).toBe(v < x ? Ripas.RAM : Ripas.EMPTY);
        expect(walk(w.realm, v)).toBe(mk_pte(v, false, false));
      }
      if (x > 100) partialFailures++;
    }
    expect(partialFailures).toBeGreaterThan(0);
  });

  it('R12: free_pages_decrypted leaks the pages when re-encryption fails', () => {
    const w = world({ lmPages: 1024 });
    const cpu = w.cpus[0];
    const p = run(alloc_pages_decrypted(cpu, mainline, 2)) / PG;
    expect(p).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < 4; i++) {
      expect(w.realm.owner(p + i)).toBe(cpu.id + 1);
      expect(walk(w.realm, p + i)).toBe(mk_pte(p + i, true, true));
    }
    w.cfg.host.stall = true;
    w.cfg.host.rejectRate = 1;
    run(free_pages_decrypted(cpu, mainline, p * PG, 2));
    for (let i = 0; i < 4; i++) {
      expect(w.realm.owner(p + i)).toBe(OWNER_LEAKED);
      expect(pte_valid(walk(w.realm, p + i))).toBe(false);
    }
    expect(counters(cpu)[C.leaked_pages]).toBe(4);
  });
});

describe('R13: rejected addresses', () => {
  it('R13: a vmalloc VA -> -EINVAL (WARN) with no PTE or RIPAS change', () => {
    const w = world({ lmPages: 1024 });
    const cpu = w.cpus[0];
    const va = run(vmalloc(cpu, 2 * PG)) / PG;
    expect(w.realm.isVmalloc(va)).toBe(true);
    const before = snapshot(w);
    const calls = counters(cpu)[C.rsi_calls];
    w.trace.log = [];
    expect(run(set_memory_decrypted(cpu, mainline, va * PG, 2))).toBe(EINVAL);
    expect(run(set_memory_encrypted(cpu, mainline, va * PG, 2))).toBe(EINVAL);
    expect(snapshot(w)).toEqual(before);
    expect(counters(cpu)[C.vmalloc_einval]).toBe(2);
    expect(counters(cpu)[C.rsi_calls]).toBe(calls);
    expect(ops(w)).toEqual([`ret ${EINVAL}`, `ret ${EINVAL}`]);
  });

  it('R13: vzalloc + set_memory_decrypted (netvsc) gets -EINVAL and leaks the buffer', () => {
    const w = world({ lmPages: 1024 });
    const cpu = w.cpus[0];
    expect(run(vmalloc_decrypted(cpu, mainline, 3 * PG))).toBe(EINVAL);
    expect(counters(cpu)[C.leaked_pages]).toBe(3);
    let leaked = 0;
    for (let p = 0; p < w.realm.lmPages; p++) {
      if (w.realm.owner(p) !== OWNER_LEAKED) continue;
      leaked++;
      expect(ripasOf(w, p)).toBe(Ripas.RAM);
      expect(walk(w.realm, p)).toBe(mk_pte(p, true, false));
    }
    expect(leaked).toBe(3);
  });

  it('R13: an unaligned address -> WARN and return 0 with nothing done', () => {
    const w = world();
    const cpu = w.cpus[0];
    const before = snapshot(w);
    expect(run(set_memory_decrypted(cpu, mainline, 100 * PG + 8, 2))).toBe(0);
    expect(run(set_memory_encrypted(cpu, mainline, 100 * PG + 2048, 2))).toBe(0);
    expect(snapshot(w)).toEqual(before);
    expect(counters(cpu)[C.unaligned_warn]).toBe(2);
    expect(counters(cpu)[C.rsi_calls]).toBe(0);
    expect(events(w.trace)).toEqual([]);
  });
});

describe('R14: only the linear-map PTEs change', () => {
  it('R14: a vmalloc alias of a decrypted linear page is left valid and protected, vm_unmap_aliases not called', () => {
    const w = world({ lmPages: 1024 });
    const [c0, c1] = w.cpus;
    const va = run(vmalloc(c0, PG)) / PG;
    const pfn = walk(w.realm, va) & 0x1fffff;
    const vdesc = walk(w.realm, va);
    expect(vdesc).toBe(mk_pte(pfn, true, false));
    isb(c1); // past the vmap's invalid->valid window (R29)
    translate(c1, va); // a cached alias translation on another CPU
    w.trace.log = [];
    expect(run(set_memory_decrypted(c0, mainline, pfn * PG, 1))).toBe(0);
    expect(walk(w.realm, pfn)).toBe(mk_pte(pfn, true, true));
    expect(walk(w.realm, va)).toBe(vdesc);
    expect(tlb_peek(c1, va)).toBe(vdesc); // not flushed either
    const ev = events(w.trace);
    expect(ev.filter((e) => e.ev === Ev.PTE_SET).every((e) => e.a === pfn)).toBe(true);
    expect(ev.filter((e) => e.ev === Ev.TLBI_VA).map((e) => e.a)).toEqual([pfn]);
    expect(ev.some((e) => e.ev === Ev.CALL && e.a === fnId('vm_unmap_aliases'))).toBe(false);
    // Consequence (R20): the stale protected alias now reaches a RIPAS_EMPTY granule.
    expect(death(() => run(kernel_load(c1, va * PG, 'test')))?.kind).toBe('SEA');
  });
});

describe('R15: TLB flush thresholds, broadcast only', () => {
  it('R15: without range TLBI, < 512 pages -> per-page TLBI VAALE1IS', () => {
    const w = world({ lmPages: 1024 });
    const cpu = w.cpus[0];
    run(flush_tlb_kernel_range(cpu, 0, (MAX_DVM_OPS - 1) * PG));
    expect(counters(cpu)[C.tlbi_va]).toBe(511);
    expect(counters(cpu)[C.tlbi_all]).toBe(0);
    expect(counters(cpu)[C.dsb]).toBe(1);
  });

  it('R15: without range TLBI, >= 512 pages -> flush_tlb_all (VMALLE1IS)', () => {
    const w = world({ lmPages: 1024 });
    const cpu = w.cpus[0];
    run(flush_tlb_kernel_range(cpu, 0, MAX_DVM_OPS * PG));
    expect(counters(cpu)[C.tlbi_all]).toBe(1);
    expect(counters(cpu)[C.tlbi_va]).toBe(0);
    // Through set_memory_decrypted: one flush-all for the break, none for the make.
    const w2 = world({ lmPages: 1024 });
    expect(run(set_memory_decrypted(w2.cpus[0], mainline, 0, 512))).toBe(0);
    expect(counters(w2.cpus[0])[C.tlbi_all]).toBe(1);
    expect(counters(w2.cpus[0])[C.tlbi_va]).toBe(0);
  });

  it('R15: with range TLBI the cut-off is > 2,097,152 pages', () => {
    expect(MAX_DVM_OPS).toBe(PTRS_PER_PTE);
    expect(MAX_TLBI_RANGE_PAGES).toBe(2_097_152);
    const w = world({ lmPages: 1024, tlbiRange: true });
    const cpu = w.cpus[0];
    expect(flush_tlb_range_limit_excess(cpu, 512)).toBe(false);
    expect(flush_tlb_range_limit_excess(cpu, MAX_TLBI_RANGE_PAGES)).toBe(false);
    expect(flush_tlb_range_limit_excess(cpu, MAX_TLBI_RANGE_PAGES + 1)).toBe(true);
    const plain = world();
    expect(flush_tlb_range_limit_excess(plain.cpus[0], 511)).toBe(false);
    expect(flush_tlb_range_limit_excess(plain.cpus[0], 512)).toBe(true);
    run(flush_tlb_kernel_range(cpu, 0, 1024 * PG));
    expect(counters(cpu)[C.tlbi_range]).toBe(1);
    expect(counters(cpu)[C.tlbi_all]).toBe(0);
  });

  it('R15: TLBIs are broadcast: another CPU loses its entries without running (no IPI)', () => {
    const w = world({ vcpus: 3 });
    const [c0, c1, c2] = w.cpus;
    for (const v of [5, 6, 20]) { translate(c1, v); translate(c2, v); }
    expect(tlb_peek(c1, 5)).toBe(mk_pte(5, true, false));
    tlbi_vaale1is(c0, 5);
    expect(tlb_peek(c1, 5)).not.toBe(0); // R25: pending until c0's DSB
    dsb_ish(c0);
    expect(tlb_peek(c1, 5)).toBe(0);
    expect(tlb_peek(c2, 5)).toBe(0);
    expect(tlb_peek(c1, 6)).not.toBe(0);
    expect(counters(c0)[C.tlbi_targets]).toBe(3);
    tlbi_rvaale1is(c0, 6, 2);
    dsb_ish(c0);
    expect(tlb_peek(c2, 6)).toBe(0);
    expect(tlb_peek(c2, 20)).not.toBe(0);
    run(flush_tlb_all(c0));
    expect(tlb_peek(c1, 20)).toBe(0);
    expect(tlb_peek(c2, 20)).toBe(0);
  });
});

describe('R16: TLBI on every kernel-range change except invalid -> valid', () => {
  /** Break PTEs [from, to) to invalid+NS and flush them on cpu1 (so a later make is no bbm-violation, R31). */
  const broken = (w: World, from: number, to: number): void => {
    for (let v = from; v < to; v++) run(set_pte(w.cpus[1], v * PG, mk_pte(v, false, true)));
    run(flush_tlb_kernel_range(w.cpus[1], from * PG, to * PG));
  };

  it('R16: set VALID / clear nothing issues no TLBI and no DSB', () => {
    const w = world();
    const cpu = w.cpus[0];
    broken(w, 10, 14);
    expect(run(__change_memory_common(cpu, 10 * PG, 4 * PG, PTE_VALID, 0))).toBe(0);
    expect(counters(cpu)[C.tlbi_va] + counters(cpu)[C.tlbi_range] + counters(cpu)[C.tlbi_all]).toBe(0);
    expect(counters(cpu)[C.dsb]).toBe(0);
    for (let v = 10; v < 14; v++) expect(walk(w.realm, v)).toBe(mk_pte(v, true, true));
  });

  const others: [string, number, number][] = [
    ['set NS', PTE_NS, 0], ['clear VALID', 0, PTE_VALID], ['clear NS', 0, PTE_NS],
    ['set NS + clear VALID', PTE_NS, PTE_VALID], ['set VALID + clear NS', PTE_VALID, PTE_NS],
  ];
  for (const [name, set, clear] of others) {
    it(`R16: ${name} flushes the range`, () => {
      const w = world();
      const cpu = w.cpus[0];
      // From broken PTEs: a live NS flip of valid ones would be a bbm-violation (R31).
      broken(w, 10, 14);
      run(__change_memory_common(cpu, 10 * PG, 4 * PG, set, clear));
      expect(counters(cpu)[C.tlbi_va]).toBe(4);
      expect(counters(cpu)[C.dsb]).toBe(1);
    });
  }

  it('R16: invalid descriptors are never cached, so the make step needs no TLBI', () => {
    const w = world();
    const [c0, c1] = w.cpus;
    translate(c1, 10);
    run(__change_memory_common(c0, 10 * PG, 1 * PG, PTE_NS, PTE_VALID));
    expect(translate(c1, 10)).toBe(0);
    expect(tlb_peek(c1, 10)).toBe(0);
    run(__change_memory_common(c0, 10 * PG, 1 * PG, PTE_VALID, 0));
    isb(c1); // R29: until its next CSE c1's walk may still see the invalid descriptor
    expect(translate(c1, 10)).toBe(mk_pte(10, true, true));
    expect(tlb_peek(c1, 10)).toBe(mk_pte(10, true, true));
  });

  it('R16: a valid -> valid change without TLBI leaves a stale entry (why such changes must flush); of the output address it is a bbm-violation (R31)', () => {
    const w = world();
    const [c0, c1] = w.cpus;
    translate(c1, 10);
    run(set_pte(c0, 10 * PG, mk_pte(10, true, false) | PTE_PRESENT_INVALID)); // same output address: no BBM needed
    expect(translate(c1, 10)).toBe(mk_pte(10, true, false));
    tlbi_vaale1is(c0, 10);
    dsb_ish(c0);
    expect(translate(c1, 10)).toBe(mk_pte(10, true, false) | PTE_PRESENT_INVALID);
    expect(death(() => run(set_pte(c0, 10 * PG, mk_pte(10, true, true))))?.kind).toBe('bbm-violation');
  });
});

describe('R22: initial linear-map granularity', () => {
  it('R22: rodata_full without BBML2: PTE-mapped linear map, no block leaves', () => {
    const w = world({ lmPages: 1024, linearMap: 'pte' });
    for (let b = 0; b < 2; b++) expect(w.realm.pmd(b) & PMD_SECT).toBe(0);
    for (let v = 0; v < 1024; v++) expect(w.realm.pte(v)).toBe(mk_pte(v, true, false));
    run(set_memory_decrypted(w.cpus[0], mainline, 100 * PG, 4));
    expect(counters(w.cpus[0])[C.splits]).toBe(0);
  });

  it('R22: BBML2: 2 MiB block leaves, split on demand only where a range boundary falls inside a block', () => {
    const w = world({ lmPages: 1536, linearMap: 'block' });
    const r = w.realm;
    for (let b = 0; b < 3; b++) expect(r.pmd(b)).toBe(PMD_SECT | mk_pte(b * 512, true, false));
    for (const v of [0, 511, 512, 1000]) expect(walk(r, v)).toBe(mk_pte(v, true, false));
    const before = Array.from({ length: 512 }, (_, i) => walk(r, i));
    run(set_memory_decrypted(w.cpus[0], mainline, 100 * PG, 4));
    expect(counters(w.cpus[0])[C.splits]).toBe(1);
    expect(r.pmd(0) & PMD_SECT).toBe(0);
    expect(r.pmd(1) & PMD_SECT).toBe(PMD_SECT);
    expect(r.pmd(2) & PMD_SECT).toBe(PMD_SECT);
    for (let i = 0; i < 512; i++) if (i < 100 || i >= 104) expect(walk(r, i)).toBe(before[i]);
    // A range crossing a block boundary splits both blocks.
    run(set_memory_decrypted(w.cpus[0], mainline, 1020 * PG, 8));
    expect(counters(w.cpus[0])[C.splits]).toBe(3);
    expect(r.pmd(1) & PMD_SECT).toBe(0);
    expect(r.pmd(2) & PMD_SECT).toBe(0);
    for (let v = 1020; v < 1028; v++) expect(walk(r, v)).toBe(mk_pte(v, true, true));
  });

  it('R22: BBML2: a whole aligned block is flipped as one leaf, without a split', () => {
    const w = world({ lmPages: 1024, linearMap: 'block' });
    expect(run(set_memory_decrypted(w.cpus[0], mainline, 512 * PG, 512))).toBe(0);
    expect(counters(w.cpus[0])[C.splits]).toBe(0);
    expect(w.realm.pmd(1)).toBe(PMD_SECT | mk_pte(512, true, true));
    expect(walk(w.realm, 600)).toBe(mk_pte(600, true, true));
    expect(ripasOf(w, 600)).toBe(Ripas.EMPTY);
    expect(walk(w.realm, 100)).toBe(mk_pte(100, true, false));
  });

  // Model bug: v2_no_bbm writes the PTE array with set_pte() even where the
  // linear map is still a 2 MiB block leaf (a whole aligned block is never
  // split), so the NS flip is lost: the block stays valid+protected.
  it('R22: v2-no-bbm on a whole block-mapped range flips the leaf it translates through: a bbm-violation of the block (R31)', () => {
    const w = world({ lmPages: 1024, linearMap: 'block' });
    const f = death(() => run(set_memory_decrypted(w.cpus[0], v2_no_bbm, 512 * PG, 512)));
    expect(f?.kind).toBe('bbm-violation');
    expect(f?.detail).toContain('(2 MiB block)');
    expect(walk(w.realm, 600)).toBe(mk_pte(600, true, true));
  });
});
