// R23 via the alias-flip policy: x86's cpa_process_alias() behaviour on arm64.
// A vmalloc flip also flips the linear alias (after vm_unmap_aliases()), each
// with break-before-make, so a stray load_unaligned_zeropad is always
// recoverable. Contrasted with vmalloc-naive, which leaves the alias valid.

import { describe, it, expect } from 'vitest';
import { world, run, death, events, stepN, zeropadOutcome, type World, counters } from './rule_helpers.js';
import type { Policy } from '../src/kernel/policy.js';
import { Ripas, G_RIPAS_MASK } from '../src/model/granule.js';
import { mk_pte, pte_valid, pte_ns, pte_pfn } from '../src/model/pte.js';
import { walk, translate, tlb_peek } from '../src/model/mmu.js';
import { kernel_load } from '../src/kernel/fault.js';
import { set_memory_decrypted, set_memory_encrypted } from '../src/kernel/mem_encrypt.js';
import { vmalloc } from '../src/kernel/vmalloc.js';
import { alias_flip } from '../src/kernel/policies/alias_flip.js';
import { vmalloc_naive } from '../src/kernel/policies/vmalloc_naive.js';
import { Ev, fnId } from '../src/check/events.js';
import { C } from '../src/check/counters.js';

const PG = 4096;
const ripasOf = (w: World, p: number): number => w.realm.granule(p) & G_RIPAS_MASK;

/** A realm with one vmalloc page whose linear alias has a valid predecessor. */
function setup(): { w: World; va: number; pfn: number } {
  const w = world({ lmPages: 1024 });
  const va = run(vmalloc(w.cpus[0], PG)) / PG;
  const pfn = pte_pfn(walk(w.realm, va));
  expect(pfn).toBeGreaterThan(0);
  w.trace.log = [];
  return { w, va, pfn };
}

/** At every step k of cpu0's vmalloc flip, cpu1 (TLB primed) does a zeropad spill into the linear alias. */
function spillWindow(policy: Policy, encrypt: boolean): string[] {
  const outs: string[] = [];
  for (let k = 0; k < 200; k++) {
    const { w, va, pfn } = setup();
    const [c0, c1] = w.cpus;
    if (encrypt) run(set_memory_decrypted(c0, policy, va * PG, 1));
    translate(c1, pfn - 1);
    translate(c1, pfn);
    const g = encrypt ? set_memory_encrypted(c0, policy, va * PG, 1) : set_memory_decrypted(c0, policy, va * PG, 1);
    const finished = stepN(g, k);
    outs.push(zeropadOutcome(c1, (pfn - 1) * PG + 4093));
    if (finished) return outs;
  }
  throw new Error('flip did not finish');
}

describe('R23: x86-style alias flip (alias-flip policy)', () => {
  it('R23: a vmalloc decrypt flips both the vmalloc PTE and its linear alias, after vm_unmap_aliases()', () => {
    const { w, va, pfn } = setup();
    expect(run(set_memory_decrypted(w.cpus[0], alias_flip, va * PG, 1))).toBe(0);
    expect(walk(w.realm, va)).toBe(mk_pte(pfn, true, true));
    expect(walk(w.realm, pfn)).toBe(mk_pte(pfn, true, true));
    expect(ripasOf(w, pfn)).toBe(Ripas.EMPTY);
    const ev = events(w.trace);
    const unmap = ev.findIndex((e) => e.ev === Ev.CALL && e.a === fnId('vm_unmap_aliases'));
    const firstPte = ev.findIndex((e) => e.ev === Ev.PTE_SET);
    expect(unmap).toBeGreaterThanOrEqual(0);
    expect(unmap).toBeLessThan(firstPte);
    // Both aliases are broken and flushed before the RSI call.
    const rsi = ev.findIndex((e) => e.ev === Ev.RSI_SET);
    const broken = ev.slice(0, rsi).filter((e) => e.ev === Ev.PTE_SET && !pte_valid(e.b)).map((e) => e.a);
    expect(broken.sort((a, b) => a - b)).toEqual([pfn, va].sort((a, b) => a - b));
    const flushed = ev.slice(0, rsi).filter((e) => e.ev === Ev.TLBI_VA).map((e) => e.a);
    expect(flushed.sort((a, b) => a - b)).toEqual([pfn, va].sort((a, b) => a - b));
  });

  it('R23: encrypt flips both aliases back to protected, RIPAS RAM', () => {
    const { w, va, pfn } = setup();
    run(set_memory_decrypted(w.cpus[0], alias_flip, va * PG, 1));
    expect(run(set_memory_encrypted(w.cpus[0], alias_flip, va * PG, 1))).toBe(0);
    expect(walk(w.realm, va)).toBe(mk_pte(pfn, true, false));
    expect(walk(w.realm, pfn)).toBe(mk_pte(pfn, true, false));
    expect(ripasOf(w, pfn)).toBe(Ripas.RAM);
  });

  for (const encrypt of [false, true]) {
    it(`R23: a stray zeropad spill into the linear alias at every step of the ${encrypt ? 'encrypt' : 'decrypt'} is recoverable`, () => {
      const outs = spillWindow(alias_flip, encrypt);
      expect(outs.length).toBeGreaterThan(8);
      for (const o of outs) expect(['ok', 'fixup']).toContain(o);
      expect(outs).toContain('fixup');
    });
  }

  it('R23: contrast: vmalloc-naive turns the same stray spill into an SEA once RIPAS is EMPTY', () => {
    const outs = spillWindow(vmalloc_naive, false);
    expect(outs).toContain('SEA');
    expect(outs).not.toContain('fixup');
    expect(outs.at(-1)).toBe('SEA');
  });

  it('R23: after the flip, loads through either alias reach the shared IPA', () => {
    const { w, va, pfn } = setup();
    const [c0, c1] = w.cpus;
    run(set_memory_decrypted(c0, alias_flip, va * PG, 1));
    expect(death(() => run(kernel_load(c1, va * PG, 'vmalloc alias')))).toBeNull();
    expect(death(() => run(kernel_load(c1, pfn * PG, 'linear alias')))).toBeNull();
    expect(pte_ns(tlb_peek(c1, va)) && pte_ns(tlb_peek(c1, pfn))).toBe(true);
    expect(counters(c1)[C.rec_exit_ns_map]).toBe(1);
  });

  it('R23: linear-map addresses take the mainline path unchanged', () => {
    const w = world();
    expect(run(set_memory_decrypted(w.cpus[0], alias_flip, 100 * PG, 2))).toBe(0);
    expect(walk(w.realm, 100)).toBe(mk_pte(100, true, true));
    expect(events(w.trace).some((e) => e.ev === Ev.CALL && e.a === fnId('vm_unmap_aliases'))).toBe(false);
    expect(counters(w.cpus[0])[C.tlbi_va]).toBe(2);
  });
});
