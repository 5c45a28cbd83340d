// Replaying reproducers exactly: in one thread, across worker threads by
// turn-passing, from record mode, and what happens when a replay diverges.
// Worker threads load JavaScript, so the threaded runners come from dist/.

import { describe, it, expect, afterAll } from 'vitest';
// @ts-ignore -- compiled runners (workers need JavaScript)
import { TurnRunner } from '../dist/src/run/turns.js';
// @ts-ignore
import { FreeRunner, ActorPool } from '../dist/src/run/free.js';
import { replay } from '../src/repro/replay.js';
import { reproducerOf } from '../src/repro/make.js';
import { runConfig } from '../src/run/config.js';
import { builtinPolicy } from '../src/kernel/policies/index.js';
import type { Reproducer } from '../src/repro/reproducer.js';
import { firstFailure } from './repro_helpers.js';
import { ControlledRunner } from '../src/run/controlled.js';
import { seededScheduler } from '../src/run/run_options.js';
import { FREE_WATCHDOG_SCALE, freeRealmConfig } from '../src/run/free_watchdog.js';
import { Replay } from '../src/sched/replay.js';
import { StopAt } from '../src/sched/stop_at.js';

const REPEAT = 20;
const mainline = builtinPolicy('mainline')!;
const small = runConfig({ workload: { ops: 30 } });
const runners: { close(): Promise<void> }[] = [];
afterAll(async () => { for (const r of runners) await r.close(); });

describe('replay of a found failure', () => {
  for (const policy of ['v2-no-bbm', 'vmalloc-naive']) {
    const repro = firstFailure(policy, '0x9', runConfig({ workload: { ops: 100 } }));

    it(`${policy}: ${REPEAT}/${REPEAT} in-thread replays give the same signature and trace hash`, async () => {
      for (let i = 0; i < REPEAT; i++) {
        const x = await replay(repro);
        expect(x.divergedAt).toBe(-1);
        expect(x.sameSignature).toBe(true);
        expect(x.result.traceHash).toBe(repro.traceHash);
      }
    });

    it(`${policy}: ${REPEAT}/${REPEAT} replays across worker threads (turn-passing) give the identical trace hash`, async () => {
      const tr = new TurnRunner(repro.config, repro.policy.spec);
      runners.push(tr);
      for (let i = 0; i < REPEAT; i++) {
        const x = await replay(repro, { threads: tr });
        expect(x.divergedAt).toBe(-1);
        expect(x.result.finding?.signature).toBe(repro.finding.signature);
        expect(x.result.finding?.step).toBe(repro.finding.step);
        expect(x.result.traceHash).toBe(repro.traceHash);
      }
    }, 120_000);
  }

  it('a replay that cannot follow its schedule reports the first divergent step, then finishes under the seeded scheduler', async () => {
    const repro = firstFailure('no-dsb'); // a long schedule (v2-no-bbm's bbm-violation comes within a few steps)
    const at = 37;
    const checks = [...repro.schedule!.checks];
    checks[at] ^= 1; // as if the code had changed what step 37 does
    const x = await replay({ ...repro, schedule: { ...repro.schedule!, checks } });
    expect(x.divergedAt).toBe(at);
    expect(x.divergence).toMatch(/trace differs from the recorded one/);
    expect(x.result.steps).toBeGreaterThan(at + 1); // it went on after the divergence
    expect(x.sameTraceHash).toBe(false);
  });

  it('a schedule naming an actor that has finished diverges at exactly that step, in this thread and across threads', async () => {
    const r = new ControlledRunner(small, mainline).runOne('0xd1', { record: true });
    expect(r.finding).toBeNull();
    const actors = r.schedule!.actors;
    // The first vCPU to finish: its last step is the one that returned DONE.
    const last = (a: number) => actors.lastIndexOf(a);
    const done = [0, 1, 2, 3].sort((x, y) => last(x) - last(y))[0];
    const at = last(done) + 1;
    expect(at).toBeLessThan(actors.length);
    const bad = [...actors.slice(0, at), done, ...actors.slice(at)];
    const rep = new Replay(seededScheduler(small, '0xd1'), { actors: bad });
    const x = new ControlledRunner(small, mainline).runOne('0xd1', { scheduler: rep });
    expect(rep.divergedAt).toBe(at);
    expect(rep.divergence).toBe(`recorded actor ${done} cannot run: it has already finished`);
    expect(x.completed).toBe(true); // it went on under the seeded scheduler
    // Across threads the same step.
    const tr = new TurnRunner(small, 'mainline');
    runners.push(tr);
    const rep2 = new Replay(seededScheduler(small, '0xd1'), { actors: bad });
    const y = await tr.runOne('0xd1', { scheduler: rep2 });
    expect(rep2.divergedAt).toBe(at);
    expect(y.traceHash).toBe(x.traceHash);
  }, 60_000);
});

describe('record mode', () => {
  const cfg = runConfig({ workload: { ops: 1000, mix: { d_hash: 50, kmalloc: 10, kfree: 5, dma_buffer: 25, netvsc_buffer: 10 } } });
  // One set of actor threads (4 vCPUs and the host agent) for every record-mode runner here, as `realmrace run` shares one across policies.
  const actors = new ActorPool(cfg.realm.vcpus + 1);
  runners.push(actors);

  async function recordUntilFailure(policy: string): Promise<{ repro: Reproducer; runs: number }> {
    const fr = new FreeRunner(cfg, policy, undefined, actors);
    for (let i = 0; i < 60; i++) {
      const r = await fr.runOne(`0xrec${i}`, { record: true, seconds: 5 });
      if (r.finding) return { repro: reproducerOf(cfg, builtinPolicy(policy)!, policy, r, 'record'), runs: i + 1 };
    }
    throw new Error(`${policy}: record mode found nothing in 60 runs`);
  }

  for (const policy of ['vmalloc-naive', 'v2-no-bbm']) {
    it(`${policy}: a failure found by real threads under the step lock replays exactly in controlled mode`, async () => {
      const { repro } = await recordUntilFailure(policy);
      expect(repro.exact).toBe(true);
      expect(repro.foundIn).toBe('record');
      expect(repro.config.realm.watchdogSteps).toBe(cfg.realm.watchdogSteps * FREE_WATCHDOG_SCALE); // what the threads ran with
      expect(repro.schedule!.choices!.length).toBeGreaterThan(0);
      for (let i = 0; i < 3; i++) {
        const x = await replay(repro);
        expect(x.divergedAt).toBe(-1);
        expect(x.sameSignature).toBe(true);
        expect(x.sameTraceHash).toBe(true);
      }
    }, 120_000);
  }

  it('a record-mode run stopped early (step bound) replays exactly, stop included', async () => {
    const big = runConfig({ workload: { ops: 1_000_000 } });
    const fr = new FreeRunner(big, 'mainline', undefined, actors);
    // The first actor to take 3000 steps raises H.STOP under the step lock; the ticket is recorded.
    const r = await fr.runOne('0xstop', { record: true, maxStepsPerActor: 3000 });
    expect(r.finding).toBeNull();
    expect(r.schedule.stopAtStep).toBeGreaterThanOrEqual(3000);
    expect(r.stop).toBe('max-steps');
    const asRun = { ...big, realm: freeRealmConfig(big.realm) };
    const rep = new Replay(seededScheduler(asRun, '0xstop'), r.schedule);
    const again = new ControlledRunner(asRun, builtinPolicy('mainline')!).runOne('0xstop', { programs: r.programs, scheduler: new StopAt(rep, r.schedule.stopAtStep) });
    expect(rep.divergedAt).toBe(-1);
    expect(again.steps).toBe(r.steps);
    expect(again.traceHash).toBe(r.traceHash);
  }, 60_000);
});
