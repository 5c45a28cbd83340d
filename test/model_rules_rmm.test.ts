// R3–R10: the RMM side of the model (RSI_IPA_STATE_SET/GET, RIPAS/HIPAS
// transitions, realm and host accesses) and the guest's RSI loop.

import { describe, it, expect } from 'vitest';
import { world, run, death, events, setGranule, stepN, counters } from './rule_helpers.js';
import { Cpu } from '../src/model/cpu.js';
import { H, MB, MbState } from '../src/model/realm.js';
import { Ripas, G_ASSIGNED, G_NS_BAD, G_NS_MAPPED, G_RIPAS_MASK } from '../src/model/granule.js';
import { mk_pte } from '../src/model/pte.js';
import {
  realm_access, host_access, rsi_ipa_state_set, rsi_ipa_state_get,
  RSI_SUCCESS, RSI_ERROR_INPUT, RSI_ACCEPT, RSI_REJECT, RSI_CHANGE_DESTROYED, RSI_NO_CHANGE_DESTROYED,
} from '../src/model/rmm.js';
import { rsi_set_memory_range, rsi_set_memory_range_shared, EINVAL } from '../src/kernel/rsi.js';
import { kernel_load, load_unaligned_zeropad } from '../src/kernel/fault.js';
import { host_main, MB_NS } from '../src/host/host_agent.js';
import { Ev, Res } from '../src/check/events.js';
import { C } from '../src/check/counters.js';

const PG = 4096;
const snapshot = (w: ReturnType<typeof world>): Int32Array => Int32Array.from(w.realm.i32);
const ripasOf = (w: ReturnType<typeof world>, p: number): number => w.realm.granule(p) & G_RIPAS_MASK;

describe('R3: IPA_STATE_SET input checks', () => {
  const bad: [string, number, number, number][] = [
    ['unaligned base', 10 * PG + 1, 12 * PG, Ripas.EMPTY],
    ['unaligned top', 10 * PG, 12 * PG + 8, Ripas.EMPTY],
    ['empty range', 10 * PG, 10 * PG, Ripas.EMPTY],
    ['inverted range', 12 * PG, 10 * PG, Ripas.RAM],
    ['top above the PAR', 10 * PG, 2 ** 39 + PG, Ripas.EMPTY],
    ['base above the PAR', 2 ** 39, 2 ** 39 + PG, Ripas.RAM],
    ['ripas DESTROYED', 10 * PG, 12 * PG, Ripas.DESTROYED],
    ['ripas DEV', 10 * PG, 12 * PG, 3],
  ];
  for (const [what, base, top, ripas] of bad) {
    it(`R3: ${what} -> RSI_ERROR_INPUT, no REC exit, no state change`, () => {
      const w = world({ host: { partialRate: 1, rejectRate: 1 } });
      const cpu = w.cpus[0];
      const before = snapshot(w);
      const res = rsi_ipa_state_set(cpu, base, top, ripas, RSI_CHANGE_DESTROYED);
      expect(res.a0).toBe(RSI_ERROR_INPUT);
      expect(res.response).toBe(RSI_ACCEPT);
      expect(snapshot(w)).toEqual(before);
      expect(counters(cpu)[C.rsi_granules]).toBe(0);
      expect(counters(cpu)[C.rsi_reject]).toBe(0);
      // No REC exit: the RMM/host random stream (the CPU's op stream) was not consulted.
      const fresh = new Cpu(0, w.realm, w.trace, 'seed');
      expect(cpu.rng.double()).toBe(fresh.rng.double());
    });
  }
});

describe('R4: IPA_STATE_SET exit, progress and response', () => {
  it('R4: a valid IPA_STATE_SET always exits to the host', () => {
    const w = world({ host: { partialRate: 0 } });
    const cpu = w.cpus[0];
    const res = rsi_ipa_state_set(cpu, 10 * PG, 11 * PG, Ripas.EMPTY, RSI_CHANGE_DESTROYED);
    expect(res.a0).toBe(RSI_SUCCESS);
    const fresh = new Cpu(0, w.realm, w.trace, 'seed');
    fresh.rng.double();
    expect(cpu.rng.double()).toBe(fresh.rng.double()); // exactly one host decision was taken
  });

  it('R4: a complete answer returns X1 = top and ACCEPT', () => {
    const w = world();
    const res = rsi_ipa_state_set(w.cpus[0], 10 * PG, 20 * PG, Ripas.EMPTY, RSI_CHANGE_DESTROYED);
    expect(res).toEqual({ a0: RSI_SUCCESS, top: 20 * PG, response: RSI_ACCEPT });
    for (let p = 10; p < 20; p++) expect(w.realm.granule(p)).toBe(Ripas.EMPTY | G_ASSIGNED);
    expect(ripasOf(w, 9)).toBe(Ripas.RAM);
    expect(ripasOf(w, 20)).toBe(Ripas.RAM);
  });

  it('R4: partial progress: X1 in [base, top], granules changed in ascending order from base', () => {
    let partial = 0, none = 0;
    for (let s = 0; s < 40; s++) {
      const w = world({ host: { partialRate: 1 }, seed: `p${s}` });
      const res = rsi_ipa_state_set(w.cpus[0], 32 * PG, 48 * PG, Ripas.EMPTY, RSI_CHANGE_DESTROYED);
      expect(res.a0).toBe(RSI_SUCCESS);
      expect(res.top % PG).toBe(0);
      expect(res.top).toBeGreaterThanOrEqual(32 * PG);
      expect(res.top).toBeLessThanOrEqual(48 * PG);
      const x1 = res.top / PG;
      for (let p = 32; p < 48; p++) expect(ripasOf(w, p)).toBe(p < x1 ? Ripas.EMPTY : Ripas.RAM);
      if (x1 < 48) partial++;
      if (x1 === 32) none++;
    }
    expect(partial).toBeGreaterThan(20);
    expect(none).toBeGreaterThan(0);
  });

  it('R4: REJECT iff target RAM, X1 != top and the host flag; never for EMPTY', () => {
    let rejects = 0, accepts = 0;
    for (let s = 0; s < 40; s++) {
      const w = world({ host: { partialRate: 1, rejectRate: 1 }, seed: `r${s}` });
      const cpu = w.cpus[0];
      for (let p = 64; p < 72; p++) setGranule(w, p, Ripas.EMPTY | G_ASSIGNED);
      const ram = rsi_ipa_state_set(cpu, 64 * PG, 72 * PG, Ripas.RAM, RSI_CHANGE_DESTROYED);
      expect(ram.response).toBe(ram.top !== 72 * PG ? RSI_REJECT : RSI_ACCEPT);
      if (ram.response === RSI_REJECT) rejects++; else accepts++;
      const empty = rsi_ipa_state_set(cpu, 128 * PG, 136 * PG, Ripas.EMPTY, RSI_CHANGE_DESTROYED);
      expect(empty.response).toBe(RSI_ACCEPT);
    }
    expect(rejects).toBeGreaterThan(0);
    expect(accepts).toBeGreaterThan(0);
    // Without the host flag: incomplete RAM requests are ACCEPTed.
    const w = world({ host: { stall: true, rejectRate: 0 } });
    for (let p = 64; p < 72; p++) setGranule(w, p, Ripas.EMPTY | G_ASSIGNED);
    expect(rsi_ipa_state_set(w.cpus[0], 64 * PG, 72 * PG, Ripas.RAM, RSI_CHANGE_DESTROYED)).toEqual({ a0: RSI_SUCCESS, top: 64 * PG, response: RSI_ACCEPT });
  });

  it('R4: the host cannot refuse EMPTY: a stalled EMPTY request is ACCEPTed with no progress', () => {
    const w = world({ host: { stall: true, rejectRate: 1 } });
    const res = rsi_ipa_state_set(w.cpus[0], 5 * PG, 9 * PG, Ripas.EMPTY, RSI_CHANGE_DESTROYED);
    expect(res).toEqual({ a0: RSI_SUCCESS, top: 5 * PG, response: RSI_ACCEPT });
    for (let p = 5; p < 9; p++) expect(ripasOf(w, p)).toBe(Ripas.RAM);
  });

  // Model bug: for a range wholly past the end of RAM (still inside the PAR),
  // rsi_ipa_state_set() computes g1 = min(top, lmPages) < g0 and never reaches
  // newTop = top, so a non-stopping host makes no progress (guest livelock).
  it('R4: a valid IPA_STATE_SET beyond the end of RAM (inside the PAR) completes when the host never stops early', () => {
    const w = world({ host: { partialRate: 0 } });
    const base = (w.realm.lmPages + 8) * PG;
    const res = rsi_ipa_state_set(w.cpus[0], base, base + PG, Ripas.RAM, RSI_CHANGE_DESTROYED);
    expect(res).toEqual({ a0: RSI_SUCCESS, top: base + PG, response: RSI_ACCEPT });
  });

  // Model bug: same range with a partial host: (g1 - g0 + 1) <= 0, so stop lands
  // past top: X1 > top and the loop writes RIPAS bits into the words after the
  // granule array (the page-owner array).
  it('R4: X1 stays within [base, top] and nothing outside the granule array changes (range beyond RAM)', () => {
    const w = world({ lmPages: 1024, host: { partialRate: 1 } });
    const r = w.realm;
    const owners = Int32Array.from(r.i32.subarray(r.oOwner, r.oOwner + r.lmPages));
    for (let i = 0; i < 10; i++) {
      const base = (r.lmPages + 10) * PG;
      const res = rsi_ipa_state_set(w.cpus[0], base, base + PG, Ripas.RAM, RSI_CHANGE_DESTROYED);
      expect(res.top).toBeGreaterThanOrEqual(base);
      expect(res.top).toBeLessThanOrEqual(base + PG);
    }
    expect(Int32Array.from(r.i32.subarray(r.oOwner, r.oOwner + r.lmPages))).toEqual(owners);
  });
});

describe('R5: the guest RSI loop', () => {
  it('R5: a0 != 0 (invalid range) -> -EINVAL', () => {
    const w = world();
    const cpu = w.cpus[0];
    expect(run(rsi_set_memory_range(cpu, 10 * PG + 16, 12 * PG, Ripas.EMPTY, RSI_CHANGE_DESTROYED))).toBe(EINVAL);
    expect(counters(cpu)[C.rsi_errors]).toBe(1);
    expect(counters(cpu)[C.rsi_calls]).toBe(1);
    expect(ripasOf(w, 10)).toBe(Ripas.RAM);
  });

  it('R5: X2 = REJECT -> -EINVAL after that call, with the progress already made kept', () => {
    const w = world({ host: { stall: true, rejectRate: 1 } });
    const cpu = w.cpus[0];
    for (let p = 10; p < 14; p++) setGranule(w, p, Ripas.EMPTY | G_ASSIGNED);
    expect(run(rsi_set_memory_range(cpu, 10 * PG, 14 * PG, Ripas.RAM, RSI_CHANGE_DESTROYED))).toBe(EINVAL);
    expect(counters(cpu)[C.rsi_calls]).toBe(1);
    expect(counters(cpu)[C.rsi_reject]).toBe(1);
    for (let p = 10; p < 14; p++) expect(ripasOf(w, p)).toBe(Ripas.EMPTY);
  });

  it('R5: the loop retries from X1, including answers with no progress, until the range is done', () => {
    let noProgress = 0, calls = 0;
    for (let s = 0; s < 20; s++) {
      const w = world({ host: { partialRate: 1, rejectRate: 0 }, seed: `l${s}` });
      const cpu = w.cpus[0];
      expect(run(rsi_set_memory_range_shared(cpu, 100 * PG, 108 * PG))).toBe(0);
      for (let p = 100; p < 108; p++) expect(ripasOf(w, p)).toBe(Ripas.EMPTY);
      const sets = events(w.trace).filter((e) => e.ev === Ev.RSI_SET);
      let base = 100;
      for (const e of sets) {
        expect(e.a).toBe(base);
        base = e.b & 0x3fffffff;
      }
      expect(base).toBe(108);
      noProgress += counters(cpu)[C.rsi_no_progress];
      calls += counters(cpu)[C.rsi_calls];
    }
    expect(noProgress).toBeGreaterThan(0);
    expect(calls).toBeGreaterThan(20);
  });

  it('R5: a host that never progresses livelocks the caller (watchdog hang, no state change)', () => {
    const w = world({ watchdogSteps: 30, host: { stall: true } });
    const cpu = w.cpus[0];
    const g = rsi_set_memory_range_shared(cpu, 10 * PG, 12 * PG);
    expect(stepN(g, 25)).toBe(false); // still looping
    const f = death(() => run(g));
    expect(f?.kind).toBe('hang');
    expect(f?.site).toContain('rsi_set_memory_range');
    expect(counters(cpu)[C.rsi_calls]).toBe(31);
    expect(ripasOf(w, 10)).toBe(Ripas.RAM);
  });
});

describe('R6: RIPAS transitions by HIPAS', () => {
  const cases: [string, number, number, number, number][] = [
    // name, initial granule, target, flags, expected granule
    ['U_RAM -> U_EMPTY', Ripas.RAM, Ripas.EMPTY, RSI_CHANGE_DESTROYED, Ripas.EMPTY],
    ['A_RAM -> A_EMPTY (DATA granule kept)', Ripas.RAM | G_ASSIGNED, Ripas.EMPTY, RSI_CHANGE_DESTROYED, Ripas.EMPTY | G_ASSIGNED],
    ['U_EMPTY -> U_RAM', Ripas.EMPTY, Ripas.RAM, RSI_CHANGE_DESTROYED, Ripas.RAM],
    ['A_EMPTY -> A_RAM', Ripas.EMPTY | G_ASSIGNED, Ripas.RAM, RSI_CHANGE_DESTROYED, Ripas.RAM | G_ASSIGNED],
    ['DESTROYED -> EMPTY with CHANGE_DESTROYED', Ripas.DESTROYED, Ripas.EMPTY, RSI_CHANGE_DESTROYED, Ripas.EMPTY],
    ['DESTROYED -> RAM with CHANGE_DESTROYED', Ripas.DESTROYED, Ripas.RAM, RSI_CHANGE_DESTROYED, Ripas.RAM],
    ['U_RAM -> U_EMPTY with NO_CHANGE_DESTROYED', Ripas.RAM, Ripas.EMPTY, RSI_NO_CHANGE_DESTROYED, Ripas.EMPTY],
    ['host NS mapping of the shared alias is untouched', Ripas.RAM | G_ASSIGNED | G_NS_MAPPED, Ripas.EMPTY, RSI_CHANGE_DESTROYED, Ripas.EMPTY | G_ASSIGNED | G_NS_MAPPED],
  ];
  for (const [name, from, to, flags, want] of cases) {
    it(`R6: ${name}`, () => {
      const w = world();
      setGranule(w, 50, from);
      const res = rsi_ipa_state_set(w.cpus[0], 50 * PG, 51 * PG, to, flags);
      expect(res).toEqual({ a0: RSI_SUCCESS, top: 51 * PG, response: RSI_ACCEPT });
      expect(w.realm.granule(50)).toBe(want);
    });
  }

  for (const to of [Ripas.EMPTY, Ripas.RAM]) {
    it(`R6: NO_CHANGE_DESTROYED stops at the first DESTROYED granule (target ${to === Ripas.RAM ? 'RAM' : 'EMPTY'})`, () => {
      const w = world();
      const other = to === Ripas.RAM ? Ripas.EMPTY : Ripas.RAM;
      for (let p = 60; p < 70; p++) setGranule(w, p, other | G_ASSIGNED);
      setGranule(w, 64, Ripas.DESTROYED);
      setGranule(w, 67, Ripas.DESTROYED);
      const res = rsi_ipa_state_set(w.cpus[0], 60 * PG, 70 * PG, to, RSI_NO_CHANGE_DESTROYED);
      expect(res).toEqual({ a0: RSI_SUCCESS, top: 64 * PG, response: to === Ripas.RAM ? res.response : RSI_ACCEPT });
      for (let p = 60; p < 64; p++) expect(w.realm.granule(p)).toBe(to | G_ASSIGNED);
      expect(w.realm.granule(64)).toBe(Ripas.DESTROYED);
      for (let p = 65; p < 70; p++) expect(ripasOf(w, p)).toBe(p === 67 ? Ripas.DESTROYED : other);
      // With CHANGE_DESTROYED the same request converts all of it.
      const again = rsi_ipa_state_set(w.cpus[0], 64 * PG, 70 * PG, to, RSI_CHANGE_DESTROYED);
      expect(again.top).toBe(70 * PG);
      for (let p = 60; p < 70; p++) expect(ripasOf(w, p)).toBe(to);
    });
  }

  it('R6: IPA_STATE_GET reports the RIPAS set', () => {
    const w = world();
    const cpu = w.cpus[0];
    rsi_ipa_state_set(cpu, 3 * PG, 4 * PG, Ripas.EMPTY, RSI_CHANGE_DESTROYED);
    expect(rsi_ipa_state_get(cpu, 3 * PG)).toEqual({ a0: RSI_SUCCESS, ripas: Ripas.EMPTY });
    expect(rsi_ipa_state_get(cpu, 4 * PG)).toEqual({ a0: RSI_SUCCESS, ripas: Ripas.RAM });
    expect(rsi_ipa_state_get(cpu, 3 * PG + 8).a0).toBe(RSI_ERROR_INPUT);
  });
});

describe('R7: realm access to a protected IPA', () => {
  it('R7: protected load with RIPAS EMPTY raises SEA', () => {
    const w = world();
    const cpu = w.cpus[0];
    setGranule(w, 10, Ripas.EMPTY | G_ASSIGNED);
    expect(realm_access(cpu, mk_pte(10, true, false))).toBe(Res.SEA);
    expect(w.realm.granule(10)).toBe(Ripas.EMPTY | G_ASSIGNED);
    const f = death(() => run(kernel_load(cpu, 10 * PG, 'test')));
    expect(f?.kind).toBe('SEA');
    expect(f?.detail).toContain('DFSC 0x10');
    expect(f?.detail).toContain('EA=1');
    // Injected by the RMM: no REC exit to the host.
    expect(counters(cpu)[C.rec_exit_data_create]).toBe(0);
    expect(counters(cpu)[C.rec_exit_ns_map]).toBe(0);
  });

  it('R7: protected access with RIPAS RAM + ASSIGNED succeeds', () => {
    const w = world();
    const cpu = w.cpus[0];
    expect(realm_access(cpu, mk_pte(10, true, false))).toBe(Res.OK);
    expect(death(() => run(kernel_load(cpu, 10 * PG, 'test')))).toBeNull();
    expect(events(w.trace).at(-1)).toMatchObject({ ev: Ev.ACCESS, a: 10, b: Res.OK });
  });

  it('R7: RAM + UNASSIGNED -> REC exit, host DATA_CREATE_UNKNOWN keeps RIPAS RAM', () => {
    const w = world();
    const cpu = w.cpus[0];
    setGranule(w, 11, Ripas.RAM);
    expect(realm_access(cpu, mk_pte(11, true, false))).toBe(Res.REC_EXIT_MAPPED);
    expect(w.realm.granule(11)).toBe(Ripas.RAM | G_ASSIGNED);
    expect(counters(cpu)[C.rec_exit_data_create]).toBe(1);
    expect(realm_access(cpu, mk_pte(11, true, false))).toBe(Res.OK);
    expect(counters(cpu)[C.rec_exit_data_create]).toBe(1);
  });

  it('R7: DESTROYED -> REC exit every time, no progress', () => {
    const w = world({ watchdogSteps: 40 });
    const cpu = w.cpus[0];
    setGranule(w, 12, Ripas.DESTROYED);
    for (let i = 0; i < 5; i++) expect(realm_access(cpu, mk_pte(12, true, false))).toBe(Res.NO_PROGRESS);
    expect(w.realm.granule(12)).toBe(Ripas.DESTROYED);
    const g = kernel_load(cpu, 12 * PG, 'test');
    expect(stepN(g, 30)).toBe(false);
    const f = death(() => run(g));
    expect(f?.kind).toBe('hang');
    expect(w.realm.granule(12)).toBe(Ripas.DESTROYED);
  });

  // Model bug: load_unaligned_zeropad() treats Res.NO_PROGRESS (RIPAS DESTROYED)
  // on the first page or on the spill page as a completed load and returns.
  it('R7: load_unaligned_zeropad on a DESTROYED page makes no progress (hang), never completes', () => {
    const w = world({ watchdogSteps: 20 });
    setGranule(w, 12, Ripas.DESTROYED);
    const f = death(() => run(load_unaligned_zeropad(w.cpus[0], 12 * PG + 8)));
    expect(f?.kind).toBe('hang');
  });

  it('R7: a load_unaligned_zeropad spill into a DESTROYED page makes no progress (hang), never completes', () => {
    const w = world({ watchdogSteps: 20 });
    setGranule(w, 12, Ripas.DESTROYED);
    const f = death(() => run(load_unaligned_zeropad(w.cpus[0], 11 * PG + 4093)));
    expect(f?.kind).toBe('hang');
  });
});

describe('R8: realm access to a shared IPA', () => {
  it('R8: NS-mapped shared IPA -> success', () => {
    const w = world();
    setGranule(w, 20, Ripas.EMPTY | G_ASSIGNED | G_NS_MAPPED);
    expect(realm_access(w.cpus[0], mk_pte(20, true, true))).toBe(Res.OK);
    expect(counters(w.cpus[0])[C.rec_exit_ns_map]).toBe(0);
  });

  it('R8: shared IPA backed by a non-NS granule -> GPF (kernel death)', () => {
    const w = world();
    setGranule(w, 21, Ripas.EMPTY | G_ASSIGNED | G_NS_BAD);
    expect(realm_access(w.cpus[0], mk_pte(21, true, true))).toBe(Res.GPF);
    Atomics.store(w.realm.i32, w.realm.oPte + 21, mk_pte(21, true, true));
    const f = death(() => run(kernel_load(w.cpus[0], 21 * PG, 'test')));
    expect(f?.kind).toBe('GPF');
  });

  it('R8: unmapped shared IPA -> REC exit, the host maps NS memory, then success', () => {
    const w = world();
    const cpu = w.cpus[0];
    setGranule(w, 22, Ripas.EMPTY | G_ASSIGNED);
    expect(realm_access(cpu, mk_pte(22, true, true))).toBe(Res.REC_EXIT_MAPPED);
    expect(w.realm.granule(22)).toBe(Ripas.EMPTY | G_ASSIGNED | G_NS_MAPPED);
    expect(counters(cpu)[C.rec_exit_ns_map]).toBe(1);
    expect(realm_access(cpu, mk_pte(22, true, true))).toBe(Res.OK);
  });

  it('R8: a shared access is never an SEA and never a no-progress exit, whatever the RIPAS', () => {
    const w = world();
    for (const rip of [Ripas.EMPTY, Ripas.RAM, Ripas.DESTROYED]) {
      for (const hip of [0, G_ASSIGNED]) {
        setGranule(w, 23, rip | hip);
        const res = realm_access(w.cpus[0], mk_pte(23, true, true));
        expect([Res.OK, Res.REC_EXIT_MAPPED]).toContain(res);
      }
    }
  });
});

describe('R9: the host cannot make the realm take an SEA at a protected IPA', () => {
  it('R9: no host action changes RIPAS; host access to a protected DATA granule is a GPF', () => {
    const w = world();
    const flags = [0, G_ASSIGNED, G_NS_MAPPED, G_NS_BAD, G_ASSIGNED | G_NS_MAPPED, G_ASSIGNED | G_NS_BAD];
    for (const rip of [Ripas.EMPTY, Ripas.RAM, Ripas.DESTROYED]) {
      for (const f of flags) {
        for (const shared of [false, true]) {
          setGranule(w, 30, rip | f);
          const res = host_access(w.host, 30, shared);
          expect(ripasOf(w, 30)).toBe(rip);
          expect(w.realm.granule(30) & G_ASSIGNED).toBe(f & G_ASSIGNED);
          if (!shared) expect(res).toBe(f & G_ASSIGNED ? Res.GPF : Res.OK);
        }
      }
    }
  });

  it('R9: a protected RAM granule never yields an SEA, whatever the host did to HIPAS or the shared alias', () => {
    const w = world();
    for (const f of [0, G_ASSIGNED, G_NS_MAPPED, G_NS_BAD, G_ASSIGNED | G_NS_BAD]) {
      setGranule(w, 31, Ripas.RAM | f);
      expect(realm_access(w.cpus[0], mk_pte(31, true, false))).not.toBe(Res.SEA);
    }
  });

  it('R9: the host agent servicing a protected IPA dies with host-GPF and leaves RIPAS RAM', () => {
    const w = world();
    const r = w.realm;
    const mb = r.oMailbox + 0 * MB.WORDS;
    Atomics.store(r.i32, mb + MB.IPA0, 33); // protected IPA page 33 (no MB_NS)
    Atomics.store(r.i32, mb + MB.NPAGES, 1);
    Atomics.store(r.i32, mb + MB.STATE, MbState.POSTED);
    const f = death(() => run(host_main(w.host)));
    expect(f?.kind).toBe('host-GPF');
    expect(r.granule(33)).toBe(Ripas.RAM | G_ASSIGNED);
    expect(r.header(H.DEAD)).toBe(1);
  });
});

describe('R10: host access to realm memory', () => {
  it('R10: host NS access to an ASSIGNED granule (RAM or EMPTY) -> GPF, never data', () => {
    const w = world();
    expect(host_access(w.host, 40, false)).toBe(Res.GPF);
    // After RAM->EMPTY the DATA granule stays Realm PAS until DATA_DESTROY.
    rsi_ipa_state_set(w.cpus[0], 40 * PG, 41 * PG, Ripas.EMPTY, RSI_CHANGE_DESTROYED);
    expect(w.realm.granule(40) & G_ASSIGNED).toBe(G_ASSIGNED);
    expect(host_access(w.host, 40, false)).toBe(Res.GPF);
  });

  it('R10: host access through the shared alias reaches its own NS page', () => {
    const w = world();
    setGranule(w, 41, Ripas.EMPTY | G_ASSIGNED);
    expect(host_access(w.host, 41, true)).toBe(Res.OK);
    expect(w.realm.granule(41) & G_NS_MAPPED).toBe(G_NS_MAPPED);
  });

  it('R10: the host agent serves a shared buffer and completes the request', () => {
    const w = world();
    const r = w.realm;
    setGranule(w, 42, Ripas.EMPTY | G_ASSIGNED);
    const mb = r.oMailbox + 1 * MB.WORDS;
    Atomics.store(r.i32, mb + MB.IPA0, 42 | MB_NS);
    Atomics.store(r.i32, mb + MB.NPAGES, 1);
    Atomics.store(r.i32, mb + MB.STATE, MbState.POSTED);
    Atomics.store(r.i32, H.VCPUS_DONE, w.cfg.vcpus);
    expect(death(() => run(host_main(w.host)))).toBeNull();
    expect(Atomics.load(r.i32, mb + MB.STATE)).toBe(MbState.DONE);
    expect(counters(w.host)[C.host_io]).toBe(1);
    expect(events(w.trace).some((e) => e.ev === Ev.HOST_IO && e.a === 42 && e.b === Res.OK)).toBe(true);
  });
});
