// The verdict rule (src/check/verdict.ts): a table of cases, the miss threshold,
// the measured catch rates it rests on, and how runs end (stop).

import { describe, it, expect } from 'vitest';
import { verdictOf, missAfter, wilsonLower, type Evidence, type Verdict } from '../src/check/verdict.js';
import { DEFAULT_MIN_SCHEDULES } from '../src/config/fields.js';
import { measuredCatchRate } from '../src/check/catch_rates.js';
import { catchRateFor, runPolicyControlled, verdictFloor } from '../src/run/run_policy.js';
import { runConfig } from '../src/run/config.js';
import { ControlledRunner } from '../src/run/controlled.js';
import { BUILTIN_POLICIES } from '../src/kernel/policies/index.js';
import { scheduleSeed } from '../src/run/seeds.js';
import { judgeCase } from '../src/campaign/summary.js';
import { expandCases } from '../src/campaign/config.js';

const ev = (e: Partial<Evidence>): Evidence => ({ expect: [], seen: [], schedules: 0, complete: 0, found: 0, maxSteps: 0, time: 0, minSchedules: 20, ...e });

describe('verdictOf', () => {
  const table: [string, Partial<Evidence>, Verdict, RegExp][] = [
    ['safe, enough complete schedules', { schedules: 20, complete: 20 }, 'met', /^clean in 20 of 20 schedules complete$/],
    ['safe, every schedule bounded by --max-steps', { schedules: 3, maxSteps: 3, maxStepsBound: 100 }, 'inconclusive', /^0 of 3 schedules complete: all bounded by --max-steps 100; clean needs 20 complete \(--min-schedules\)$/],
    ['safe, a free run cut by the timer', { schedules: 1, time: 1, unit: 'runs' }, 'inconclusive', /^0 of 1 runs complete: all cut by the time budget; clean needs 20/],
    ['safe, some complete but too few', { schedules: 25, complete: 19, maxSteps: 4, time: 2, maxStepsBound: 9 }, 'inconclusive', /^19 of 25 schedules complete: 4 bounded by --max-steps 9, 2 cut by the time budget; clean needs 20/],
    ['safe, no schedule at all', { minSchedules: 5, minName: 'minSchedules', unit: 'runs' }, 'inconclusive', /^0 runs ran; clean needs 5 complete \(minSchedules\)$/],
    ['safe, an unexpected finding (a witness needs no count)', { schedules: 1, found: 1, seen: ['SEA'] }, 'unexpected', /^unexpected SEA$/],
    ['canary caught in its only schedule', { expect: ['SEA'], seen: ['SEA'], schedules: 1, found: 1 }, 'met', /^found SEA$/],
    ['canary caught, and another kind too', { expect: ['SEA'], seen: ['SEA', 'hang'], schedules: 9, found: 2, complete: 7 }, 'unexpected', /^unexpected hang$/],
    ['canary not caught, no rate, the stated minimum ran', { expect: ['SEA'], schedules: 25, complete: 25, minSchedulesSet: true }, 'missed', /^expected SEA was not found in 25 of 25 schedules complete; a miss is called after 20 complete \(--min-schedules 20, no measured catch rate\)$/],
    ['canary not caught, no rate, fewer than the stated minimum', { expect: ['SEA'], schedules: 1, complete: 1, minSchedulesSet: true }, 'inconclusive', /^expected SEA was not found, 1 of 1 schedules complete; a miss needs 20 complete/],
    ['canary not caught, no rate and no stated minimum: never missed', { expect: ['SEA'], schedules: 500, complete: 500 }, 'inconclusive', /^expected SEA was not found, 500 of 500 schedules complete; a miss cannot be called \(no measured catch rate for this configuration, and no --min-schedules given\)$/],
    ['canary not caught in 61 of 2000 at 1% per schedule', { expect: ['SEA'], schedules: 61, complete: 61, catchRate: 0.01 }, 'inconclusive', /a miss needs 688 complete \(99\.9% sure at the measured catch rate of 1\.0% per schedule\)$/],
    ['canary not caught in 700 at 1% per schedule', { expect: ['SEA'], schedules: 700, complete: 700, catchRate: 0.01 }, 'missed', /a miss is called after 688 complete/],
    ['canary with bounded schedules only', { expect: ['SEA'], schedules: 40, maxSteps: 40, catchRate: 0.5 }, 'inconclusive', /0 of 40 schedules complete: all bounded by --max-steps/],
    ['canary that cannot be caught at this vCPU count', { expect: ['SEA'], schedules: 5000, complete: 5000, catchRate: 0 }, 'inconclusive', /a miss cannot be called/],
    ['two expected kinds, one seen', { expect: ['SEA', 'GPF'], seen: ['SEA'], schedules: 30, found: 3, complete: 27, minSchedulesSet: true }, 'missed', /^expected GPF was not found in 27 of 30 schedules complete: 3 ended by a finding/],
  ];
  for (const [name, e, verdict, reason] of table) {
    it(name, () => {
      const j = verdictOf(ev(e));
      expect(j.verdict).toBe(verdict);
      expect(j.reason).toMatch(reason);
    });
  }

  it('missAfter: (1-p)^n <= 1/1000, never below the minimum, unbounded at p = 0 or with neither a rate nor a stated minimum', () => {
    expect(missAfter(20, undefined, true)).toBe(20);
    expect(missAfter(20, undefined, false)).toBe(Infinity);
    expect(missAfter(20, 0.5, false)).toBe(20); // 10 would do, the minimum rules
    expect(missAfter(5, 0.5, false)).toBe(10);
    expect(missAfter(20, 0.01, false)).toBe(688);
    expect(0.99 ** 688).toBeLessThanOrEqual(1e-3);
    expect(0.99 ** 687).toBeGreaterThan(1e-3);
    expect(missAfter(20, 0, true)).toBe(Infinity);
    expect(DEFAULT_MIN_SCHEDULES).toBe(20);
  });

  it('catch rates: the Wilson 95% lower bound of the measurement, only for the measured configuration', () => {
    expect(wilsonLower(0, 500)).toBe(0);
    expect(wilsonLower(5, 500)).toBeGreaterThan(0.004);
    expect(wilsonLower(5, 500)).toBeLessThan(0.01);
    expect(measuredCatchRate('vmalloc-naive', 1)).toBe(wilsonLower(1, 500));
    expect(measuredCatchRate('v2-no-bbm', 6)).toBe(measuredCatchRate('v2-no-bbm', 4)); // the row below
    expect(measuredCatchRate('mainline', 4)).toBeUndefined();
    const cfg = runConfig({ realm: { vcpus: 4, linearMap: 'block' } });
    expect(catchRateFor('vmalloc-naive', 'controlled', cfg)).toBe(measuredCatchRate('vmalloc-naive', 4));
    expect(catchRateFor('vmalloc-naive', 'free', cfg)).toBeUndefined();
    expect(catchRateFor('vmalloc-naive', 'controlled', runConfig({ workload: { ops: 50 } }))).toBeUndefined();
    expect(catchRateFor('vmalloc-naive', 'controlled', runConfig({ scheduler: { name: 'pct' } }))).toBeUndefined();
    expect(catchRateFor('vmalloc-naive', 'controlled', runConfig({ realm: { tlbEntries: 4 } }))).toBeUndefined();
    expect(catchRateFor('./my_policy.js', 'controlled', cfg)).toBeUndefined();
  });

});

describe('the default budget of run: 1 s, floored at the schedules a verdict needs', () => {
  const cfg = runConfig();
  const v2 = BUILTIN_POLICIES.find((q) => q.name === 'v2-no-bbm')!;
  const mainline = BUILTIN_POLICIES.find((q) => q.name === 'mainline')!;
  it('the floor: a safe policy its minimum; a canary its miss threshold (its minimum when none is known)', () => {
    expect(verdictFloor(mainline, 'mainline', 'controlled', cfg, {})).toBe(20);
    expect(verdictFloor(v2, 'v2-no-bbm', 'controlled', cfg, {})).toBe(missAfter(20, measuredCatchRate('v2-no-bbm', 4), false));
    expect(verdictFloor(v2, 'v2-no-bbm', 'free', cfg, {})).toBe(20);
    expect(verdictFloor(v2, 'v2-no-bbm', 'free', cfg, { minSchedules: 7 })).toBe(7);
  });
  it('however little time a loaded machine gives, a canary runs until caught and a safe policy until its minimum', () => {
    const caught = runPolicyControlled(v2, cfg, '0x1', { seconds: 0.01, atLeast: verdictFloor(v2, 'v2-no-bbm', 'controlled', cfg, {}) });
    expect(caught.verdict).toBe('met');
    const clean = runPolicyControlled(mainline, cfg, '0x1', { seconds: 0.01, atLeast: 20 });
    expect(clean.verdict).toBe('met');
    expect(clean.schedules).toBeGreaterThanOrEqual(20);
  });
});

describe('how a schedule ends (stop)', () => {
  const mainline = BUILTIN_POLICIES.find((q) => q.name === 'mainline')!;
  it('complete when every program ran to its end; max-steps when the bound cut it', () => {
    const full = new ControlledRunner(runConfig(), mainline).runOne('0x1');
    expect(full.stop).toBe('complete');
    expect(full.completed).toBe(true);
    const cut = new ControlledRunner(runConfig({ maxSteps: 100 }), mainline).runOne('0x1');
    expect(cut.stop).toBe('max-steps');
    expect(cut.completed).toBe(false);
  });
  it('a finding ends it as a finding', () => {
    const p = BUILTIN_POLICIES.find((q) => q.name === 'vmalloc-naive')!;
    const r = new ControlledRunner(runConfig({ realm: { vcpus: 16 } }), p).runOne('0x1');
    expect(r.finding).not.toBeNull();
    expect(r.stop).toBe('finding');
  });
});

describe('campaign case verdicts', () => {
  const [k] = expandCases({ name: 'x', seed: '0x1', budget: '1m', taskTimeout: '120s', entries: [{ policy: 'mainline', vcpus: [4], mode: 'controlled', seeds: 100, ops: 200, maxSteps: 1_000_000, linearMap: 'pte', minSchedules: 20 }] });
  const rec = (i: number, status: 'clean' | 'bounded', stop: 'complete' | 'max-steps' | 'time') => ({ caseId: k.id, index: i, seed: `0x${i}`, status, stop, steps: 10, traceHash: '', ms: 7 });
  it('a case with 0 runs is inconclusive, never ok', () => {
    const o = judgeCase(k, [], [], false);
    expect(o.verdict).toBe('inconclusive');
    expect(o.reason).toMatch(/^0 runs ran; clean needs 20 complete \(minSchedules\)$/);
  });
  it('free runs cut by the time limit are not clean; the case time is the sum of its runs', () => {
    const o = judgeCase(k, [], [...Array.from({ length: 19 }, (_, i) => rec(i, 'clean', 'complete')), rec(19, 'bounded', 'time'), rec(20, 'bounded', 'max-steps')], false);
    expect([o.clean, o.timed, o.bounded]).toEqual([19, 1, 1]);
    expect(o.verdict).toBe('inconclusive');
    expect(o.ms).toBe(21 * 7);
  });
});
