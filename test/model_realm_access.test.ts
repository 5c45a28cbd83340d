// The Realm's two access modes give the same model: a Realm that owns its
// buffer uses plain loads and stores (one thread), one attached to another
// thread's buffer uses Atomics (the TLB words of src/model/tlb.ts included).

import { describe, it, expect } from 'vitest';
import seedrandom from 'seedrandom';
import { realmConfig } from '../src/config/spec.js';
import { Realm } from '../src/model/realm.js';
import { Cpu } from '../src/model/cpu.js';
import { Trace } from '../src/check/trace.js';
import { translate, tlbi_vaale1is, tlbi_rvaale1is, tlbi_vmalle1is, dsb_ish, tlb_peek } from '../src/model/mmu.js';
import { C } from '../src/check/counters.js';
import { counters } from './rule_helpers.js';

/** Random translations, invalidations and their completing DSBs on two CPUs; returns the TLB words and the drop counts. */
function churn(realm: Realm, seed: string): { tags: number[]; descs: number[]; dropped: number } {
  const trace = new Trace(3);
  const cpus = [new Cpu(0, realm, trace, seed), new Cpu(1, realm, trace, seed)];
  cpus.forEach(counters);
  const rng = seedrandom.alea(seed);
  for (let i = 0; i < 4000; i++) {
    const c = cpus[(rng.int32() >>> 0) % 2];
    const x = (rng.int32() >>> 0) % 100;
    const vpn = (rng.int32() >>> 0) % 200;
    if (x < 60) translate(c, vpn);
    else if (x < 80) tlbi_vaale1is(c, vpn);
    else if (x < 84) tlbi_rvaale1is(c, vpn, 8);
    else if (x < 85) tlbi_vmalle1is(c);
    else dsb_ish(c); // the TLBIs take effect here (R25)
  }
  const t = realm.tlb;
  const tags = Array.from(realm.i32.subarray(t.oTag, t.oTag + 2 * realm.cfg.tlbEntries));
  const descs = Array.from(realm.i32.subarray(t.oDesc, t.oDesc + 2 * realm.cfg.tlbEntries));
  expect(tags.some((x) => x !== 0)).toBe(true);
  return { tags, descs, dropped: counters(cpus[0])[C.tlb_entries_dropped] + counters(cpus[1])[C.tlb_entries_dropped] };
}

describe('Realm access modes', () => {
  it('a Realm on its own buffer is plain, one attached to a shared buffer is atomic', () => {
    const cfg = realmConfig({ vcpus: 2, lmPages: 1024, vmPages: 64 }); // pages 0..511 outside the pool carve-out
    const own = new Realm(cfg);
    const attached = new Realm(cfg, own.sab);
    expect(own.atomic).toBe(false);
    expect(attached.atomic).toBe(true);
    own.reset();
    own.set_pte(7, 1234);
    expect(attached.pte(7)).toBe(1234); // one buffer, two views
    expect(attached.cmpxchg_owner(3, 0, 9)).toBe(0);
    expect(own.owner(3)).toBe(9);
    expect(own.cmpxchg_owner(3, 0, 5)).toBe(9); // not swapped
    expect(attached.owner(3)).toBe(9);
  });

  for (const seed of ['a', 'b', 'c']) {
    it(`random TLB fills and TLBIs leave the same TLBs and drop counts in both modes (seed ${seed})`, () => {
      const cfg = realmConfig({ vcpus: 2, lmPages: 512, vmPages: 64, tlbEntries: 16 });
      const plain = new Realm(cfg);
      plain.reset();
      plain.markAllAssignedRam();
      const atomicRealm = new Realm(cfg, new Realm(cfg).sab);
      atomicRealm.reset();
      atomicRealm.markAllAssignedRam();
      const p = churn(plain, seed);
      const a = churn(atomicRealm, seed);
      expect(p).toEqual(a);
      expect(p.dropped).toBeGreaterThan(0);
      expect(tlb_peek(new Cpu(0, plain, new Trace(3), seed), 0)).toBe(tlb_peek(new Cpu(0, atomicRealm, new Trace(3), seed), 0));
    });
  }
});
