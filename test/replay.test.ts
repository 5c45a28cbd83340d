// Replaying reproducers exactly: in one thread, across worker threads by
// turn-passing, from record mode, and what happens when a replay diverges.
// Worker threads load JavaScript, so the threaded runners come from dist/.

import { describe, it, expect, afterAll } from 'vitest';
// @ts-ignore -- compiled runners (workers need JavaScript)
import { TurnRunner } from '../dist/src/run/turns.js';
// @ts-ignore
import { FreeRunner } from '../dist/src/run/free.js';
import { replay } from '../src/repro/replay.js';
import { reproducerOf } from '../src/repro/make.js';
import { runConfig } from '../src/run/config.js';
import { builtinPolicy } from '../src/kernel/policies/index.js';
import type { Reproducer } from '../src/repro/reproducer.js';
import { firstFailure } from './repro_helpers.js';

const REPEAT = 20;
const runners: { close(): Promise<void> }[] = [];
afterAll(async () => { for (const r of runners) await r.close(); });

describe('replay of a found failure', () => {
  for (const policy of ['v2-no-bbm', 'vmalloc-naive']) {
    const repro = firstFailure(policy, '0x9', runConfig({ workload: { ops: 100 } }));

    it(`${policy}: ${REPEAT}/${REPEAT} in-thread replays give the same signature and trace hash`, async () => {
      for (let i = 0; i < REPEAT; i++) {
        const x = await replay(repro);
        expect(x.result.divergedAt).toBe(-1);
        expect(x.sameSignature).toBe(true);
        expect(x.result.traceHash).toBe(repro.traceHash);
      }
    });

    it(`${policy}: ${REPEAT}/${REPEAT} replays across worker threads (turn-passing) give the identical trace hash`, async () => {
      const tr = new TurnRunner(repro.config, repro.policy.spec);
      runners.push(tr);
      for (let i = 0; i < REPEAT; i++) {
        const x = await replay(repro, { threads: tr });
        expect(x.result.divergedAt).toBe(-1);
        expect(x.result.finding?.signature).toBe(repro.finding.signature);
        expect(x.result.finding?.step).toBe(repro.finding.step);
        expect(x.result.traceHash).toBe(repro.traceHash);
      }
    }, 120_000);
  }

  it('a replay that cannot follow its schedule reports the first divergent step, then finishes under the seeded scheduler', async () => {
    const repro = firstFailure('v2-no-bbm');
    const at = 37;
    const checks = [...repro.schedule!.checks];
    checks[at] ^= 1; // as if the code had changed what step 37 does
    const x = await replay({ ...repro, schedule: { ...repro.schedule!, checks } });
    expect(x.result.divergedAt).toBe(at);
    expect(x.result.divergence).toMatch(/trace differs from the recorded one/);
    expect(x.result.steps).toBeGreaterThan(at + 1); // it went on after the divergence
    expect(x.sameTraceHash).toBe(false);
  });

  it('a schedule naming an actor that has finished diverges at that step', async () => {
    const repro = firstFailure('vmalloc-naive');
    const actors = [...repro.schedule!.actors, 0, 0, 0];
    const x = await replay({ ...repro, schedule: { ...repro.schedule!, actors, ops: [...repro.schedule!.ops, 0, 0, 0], checks: [...repro.schedule!.checks, 0, 0, 0] }, finding: { ...repro.finding } });
    // The original finding still happens at its step, before the extra entries are reached.
    expect(x.result.finding?.step).toBe(repro.finding.step);
    expect(x.result.divergedAt).toBe(-1);
  });
});

describe('record mode', () => {
  const cfg = runConfig({ workload: { ops: 1000, mix: { d_hash: 50, kmalloc: 10, kfree: 5, dma_buffer: 25, netvsc_buffer: 10 } } });

  async function recordUntilFailure(policy: string): Promise<{ repro: Reproducer; runs: number }> {
    const fr = new FreeRunner(cfg, policy);
    runners.push(fr);
    for (let i = 0; i < 60; i++) {
      const r = await fr.runOne(`0xrec${i}`, { record: true, seconds: 5 });
      if (r.finding) return { repro: reproducerOf({ ...cfg, realm: r.realm }, builtinPolicy(policy)!, policy, r, 'record', r.schedule?.stopAtStep), runs: i + 1 };
    }
    throw new Error(`${policy}: record mode found nothing in 60 runs`);
  }

  for (const policy of ['vmalloc-naive', 'v2-no-bbm']) {
    it(`${policy}: a failure found by real threads under the step lock replays exactly in controlled mode`, async () => {
      const { repro } = await recordUntilFailure(policy);
      expect(repro.exact).toBe(true);
      expect(repro.foundIn).toBe('record');
      for (let i = 0; i < 3; i++) {
        const x = await replay(repro);
        expect(x.result.divergedAt).toBe(-1);
        expect(x.sameSignature).toBe(true);
        expect(x.sameTraceHash).toBe(true);
      }
    }, 120_000);
  }

  it('a record-mode run stopped early (step bound) replays exactly, stop included', async () => {
    const big = runConfig({ workload: { ops: 1_000_000 } });
    const fr = new FreeRunner(big, 'mainline');
    runners.push(fr);
    // The first actor to take 3000 steps raises H.STOP under the step lock; the ticket is recorded.
    const r = await fr.runOne('0xstop', { record: true, maxStepsPerActor: 3000 });
    expect(r.finding).toBeNull();
    expect(r.schedule.stopAtStep).toBeGreaterThanOrEqual(3000);
    const runner = new (await import('../src/run/controlled.js')).ControlledRunner({ ...big, realm: r.realm }, builtinPolicy('mainline')!);
    const again = runner.runOne('0xstop', { programs: r.programs, script: { actors: r.schedule.actors, checks: r.schedule.checks, strict: true, stopAtStep: r.schedule.stopAtStep } });
    expect(again.divergedAt).toBe(-1);
    expect(again.steps).toBe(r.steps);
    expect(again.traceHash).toBe(r.traceHash);
  }, 60_000);
});
