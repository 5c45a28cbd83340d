// R1 (protected vs shared IPA, PROT_NS_SHARED) and R2 (boot: RIPAS RAM for all
// memblock ranges with NO_CHANGE_DESTROYED, then is_realm_world()).

import { describe, it, expect } from 'vitest';
import { world, run, death, events, setGranule, counters } from './rule_helpers.js';
import { H } from '../src/model/realm.js';
import { Ripas, G_ASSIGNED, G_RIPAS_MASK, G_NS_BAD } from '../src/model/granule.js';
import { mk_pte, pte_to_ipa, ipa_is_protected, prot_ns_shared, PTE_NS, pte_ns, pte_valid, pte_pfn } from '../src/model/pte.js';
import { walk } from '../src/model/mmu.js';
import { realm_access, rsi_ipa_state_set, rsi_ipa_state_get, RSI_SUCCESS, RSI_ERROR_INPUT, RSI_NO_CHANGE_DESTROYED } from '../src/model/rmm.js';
import { arm64_rsi_setup_memory } from '../src/kernel/rsi.js';
import { set_memory_decrypted, set_memory_encrypted } from '../src/kernel/mem_encrypt.js';
import { mainline } from '../src/kernel/policies/mainline.js';
import { Ev, Res, fnId } from '../src/check/events.js';
import { C } from '../src/check/counters.js';

const ripasOf = (w: ReturnType<typeof world>, p: number): number => w.realm.granule(p) & G_RIPAS_MASK;

describe('R1: protected and shared IPAs', () => {
  it('R1: an IPA is protected iff it is below 2^(ipa_bits-1)', () => {
    for (const bits of [33, 40, 48, 52]) {
      const par = 2 ** (bits - 1);
      expect(prot_ns_shared(bits)).toBe(par);
      expect(ipa_is_protected(0, bits)).toBe(true);
      expect(ipa_is_protected(par - 4096, bits)).toBe(true);
      expect(ipa_is_protected(par, bits)).toBe(false);
      expect(ipa_is_protected(par + 123 * 4096, bits)).toBe(false);
    }
  });

  it('R1: a PTE addresses PA | prot_ns_shared iff PROT_NS_SHARED is set', () => {
    const bits = 40;
    const pfn = 0x1234;
    const prot = mk_pte(pfn, true, false);
    const shared = mk_pte(pfn, true, true);
    expect(pte_to_ipa(prot, bits)).toBe(pfn * 4096);
    expect(pte_to_ipa(shared, bits)).toBe(pfn * 4096 + 2 ** 39);
    expect(ipa_is_protected(pte_to_ipa(prot, bits), bits)).toBe(true);
    expect(ipa_is_protected(pte_to_ipa(shared, bits), bits)).toBe(false);
    expect(shared & ~prot).toBe(PTE_NS);
    expect(pte_pfn(shared)).toBe(pfn);
  });

  it('R1: RIPAS applies only to the protected alias; the shared alias follows the host mapping', () => {
    const w = world();
    const cpu = w.cpus[0];
    setGranule(w, 7, Ripas.EMPTY | G_ASSIGNED);
    expect(realm_access(cpu, mk_pte(7, true, false))).toBe(Res.SEA);
    // Same granule through the NS alias: no SEA, the host maps NS memory.
    expect(realm_access(cpu, mk_pte(7, true, true))).toBe(Res.REC_EXIT_MAPPED);
    expect(realm_access(cpu, mk_pte(7, true, true))).toBe(Res.OK);
    setGranule(w, 8, Ripas.RAM | G_ASSIGNED | G_NS_BAD);
    expect(realm_access(cpu, mk_pte(8, true, false))).toBe(Res.OK);
    expect(realm_access(cpu, mk_pte(8, true, true))).toBe(Res.GPF);
  });

  it('R1: IPA_STATE_SET/GET accept the whole PAR and nothing at or above prot_ns_shared', () => {
    const w = world({ ipaBits: 33 });
    const cpu = w.cpus[0];
    const par = 2 ** 32;
    expect(rsi_ipa_state_get(cpu, par - 4096).a0).toBe(RSI_SUCCESS);
    expect(rsi_ipa_state_get(cpu, par).a0).toBe(RSI_ERROR_INPUT);
    expect(rsi_ipa_state_set(cpu, 0, par, Ripas.RAM, RSI_NO_CHANGE_DESTROYED).a0).toBe(RSI_SUCCESS);
    expect(rsi_ipa_state_set(cpu, 0, par + 4096, Ripas.RAM, RSI_NO_CHANGE_DESTROYED).a0).toBe(RSI_ERROR_INPUT);
  });

  it('R1: set_memory_decrypted makes the linear PTE address the shared alias, encrypted the protected one', () => {
    const w = world();
    const cpu = w.cpus[0];
    expect(run(set_memory_decrypted(cpu, mainline, 20 * 4096, 2))).toBe(0);
    for (const v of [20, 21]) {
      expect(pte_ns(walk(w.realm, v))).toBe(true);
      expect(ipa_is_protected(pte_to_ipa(walk(w.realm, v), w.cfg.ipaBits), w.cfg.ipaBits)).toBe(false);
    }
    expect(run(set_memory_encrypted(cpu, mainline, 20 * 4096, 2))).toBe(0);
    for (const v of [20, 21]) expect(walk(w.realm, v)).toBe(mk_pte(v, true, false));
  });
});

describe('R2: boot', () => {
  it('R2: power-on state: RIPAS EMPTY, no DATA granules, protected valid linear map, not yet a realm', () => {
    const w = world({ state: 'reset', lmPages: 1024 });
    const r = w.realm;
    expect(r.header(H.REALM_WORLD)).toBe(0);
    for (let p = 0; p < r.lmPages; p++) {
      expect(r.granule(p)).toBe(Ripas.EMPTY);
      expect(walk(r, p)).toBe(mk_pte(p, true, false));
    }
  });

  it('R2: before arm64_rsi_setup_memory set_memory_{de,en}crypted are no-ops returning 0', () => {
    const w = world({ state: 'reset' });
    const cpu = w.cpus[0];
    expect(run(set_memory_decrypted(cpu, mainline, 30 * 4096, 4))).toBe(0);
    expect(run(set_memory_encrypted(cpu, mainline, 30 * 4096, 4))).toBe(0);
    expect(counters(cpu)[C.rsi_calls]).toBe(0);
    expect(counters(cpu)[C.pte_writes]).toBe(0);
    expect(events(w.trace)).toEqual([]);
    for (let v = 30; v < 34; v++) expect(walk(w.realm, v)).toBe(mk_pte(v, true, false));
  });

  it('R2: boot sets every granule to RIPAS RAM with NO_CHANGE_DESTROYED, then is_realm_world()', () => {
    const w = world({ state: 'reset', lmPages: 1024, host: { partialRate: 0.9 } });
    const r = w.realm;
    const cpu = w.cpus[0];
    const g = arm64_rsi_setup_memory(cpu);
    let worldSeenDuringBoot = false;
    for (;;) {
      const x = g.next();
      if (x.done) { expect(x.value).toBe(0); break; }
      if (r.header(H.REALM_WORLD) !== 0) worldSeenDuringBoot = true;
    }
    expect(worldSeenDuringBoot).toBe(false);
    expect(r.header(H.REALM_WORLD)).toBe(1);
    for (let p = 0; p < r.lmPages; p++) expect(r.granule(p) & G_RIPAS_MASK).toBe(Ripas.RAM);
    // The guest loop: partial answers are followed by a call from the new base, in ascending order.
    const ev = events(w.trace);
    const sets = ev.filter((e) => e.ev === Ev.RSI_SET);
    expect(sets.length).toBeGreaterThan(1);
    expect(counters(cpu)[C.rsi_calls]).toBe(sets.length);
    let base = 0;
    for (const s of sets) {
      expect(s.a).toBe(base);
      const prog = s.b & 0x3fffffff;
      expect(prog).toBeGreaterThanOrEqual(base);
      base = prog;
    }
    expect(base).toBe(r.lmPages);
    // is_realm_world() only after the last RSI call: the BOOT event is last, then the RET.
    const bootAt = ev.findIndex((e) => e.ev === Ev.BOOT);
    expect(bootAt).toBe(ev.length - 2);
    expect(ev[ev.length - 1]).toMatchObject({ ev: Ev.RET, a: fnId('arm64_rsi_setup_memory'), b: 0 });
    expect(ev[0]).toMatchObject({ ev: Ev.CALL, a: fnId('arm64_rsi_setup_memory') });
  });

  it('R2: boot never converts a DESTROYED granule (NO_CHANGE_DESTROYED): the loop stops there', () => {
    const w = world({ state: 'reset', watchdogSteps: 50 });
    const r = w.realm;
    setGranule(w, 40, Ripas.DESTROYED);
    const f = death(() => run(arm64_rsi_setup_memory(w.cpus[0])));
    // The host cannot progress past the DESTROYED granule and (at boot) never REJECTs: R5 livelock.
    expect(f?.kind).toBe('hang');
    expect(f?.site).toContain('rsi_set_memory_range');
    expect(r.granule(40)).toBe(Ripas.DESTROYED);
    for (let p = 0; p < 40; p++) expect(r.granule(p)).toBe(Ripas.RAM);
    for (let p = 41; p < r.lmPages; p++) expect(r.granule(p)).toBe(Ripas.EMPTY);
    expect(r.header(H.REALM_WORLD)).toBe(0);
  });

  it('R2: a failing RSI loop at boot panics (forced: the model host never REJECTs before boot)', () => {
    const w = world({ state: 'reset', host: { stall: true, rejectRate: 1 } });
    // The model only lets the host REJECT once is_realm_world(): force the flag to reach the failure path.
    Atomics.store(w.realm.i32, H.REALM_WORLD, 1);
    const f = death(() => run(arm64_rsi_setup_memory(w.cpus[0])));
    expect(f?.kind).toBe('panic');
    expect(f?.site).toContain('arm64_rsi_setup_memory');
    expect(w.realm.granule(0)).toBe(Ripas.EMPTY);
  });

  it('R2: the VMM completes boot-time RAM requests: a stalling/rejecting host config applies only once the realm runs', () => {
    const w = world({ state: 'reset', watchdogSteps: 20, host: { stall: true, rejectRate: 1 } });
    expect(death(() => run(arm64_rsi_setup_memory(w.cpus[0])))).toBeNull();
    expect(counters(w.cpus[0])[C.rsi_reject]).toBe(0);
    expect(w.realm.header(H.REALM_WORLD)).toBe(1);
    for (let p = 0; p < w.realm.lmPages; p++) expect(ripasOf(w, p)).toBe(Ripas.RAM);
  });

  it('R2: the linear map built before boot stays valid and protected across boot', () => {
    const w = world({ state: 'reset' });
    run(arm64_rsi_setup_memory(w.cpus[0]));
    for (let p = 0; p < w.realm.lmPages; p++) {
      const d = walk(w.realm, p);
      expect(pte_valid(d) && !pte_ns(d) && pte_pfn(d) === p).toBe(true);
    }
  });
});
