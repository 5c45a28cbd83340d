// The scheduler wrappers, one by one, on real executions: strict replay
// follows actors and model choices and diverges at the exact step; lenient
// replay skips what cannot run; the recorder's record (choices included)
// replays exactly, in this thread and across threads; stop-at stops; the
// determinism check catches a policy that is not deterministic.

import { describe, it, expect, afterAll } from 'vitest';
import { ControlledRunner } from '../src/run/controlled.js';
import { seededScheduler } from '../src/run/run_options.js';
import { runConfig } from '../src/run/config.js';
import type { RunConfig } from '../src/run/config.js';
import { builtinPolicy } from '../src/kernel/policies/index.js';
import type { Policy } from '../src/kernel/policy.js';
import { STEP } from '../src/model/cpu.js';
import { Replay } from '../src/sched/replay.js';
import { LenientReplay } from '../src/sched/lenient_replay.js';
import { Recorder } from '../src/sched/recorder.js';
import { StopAt } from '../src/sched/stop_at.js';
import { DeterminismCheck } from '../src/sched/determinism_check.js';
import { Dfs } from '../src/sched/dfs.js';
import { RandomWalk } from '../src/sched/random_walk.js';
import { SchedulerWrapper, type ChoiceActor, type Scheduler } from '../src/sched/scheduler.js';
import { encodeReproducer, parseReproducer } from '../src/repro/reproducer.js';
import { replay } from '../src/repro/replay.js';
// @ts-ignore -- the compiled runner (workers need JavaScript)
import { TurnRunner } from '../dist/src/run/turns.js';
import { firstFailure } from './repro_helpers.js';

const mainline = builtinPolicy('mainline')!;
// A host that answers partially and rejects: many model choices per run.
const choosy = runConfig({ workload: { ops: 40 }, realm: { host: { partialRate: 0.5, rejectRate: 0.3, stall: false } } });
const small = runConfig({ workload: { ops: 30 } });

const record = (cfg: RunConfig, seed: string, scheduler?: Scheduler, policy: Policy = mainline) =>
  new ControlledRunner(cfg, policy).runOne(seed, { record: true, scheduler });

/** Answers every choice with its largest value (an explorer's corner), still drawing the word. */
class Contrary extends SchedulerWrapper {
  override choose(actor: ChoiceActor, kind: string, n: number): number {
    this.inner.choose(actor, kind, n);
    return n - 1;
  }
  override chance(actor: ChoiceActor, kind: string, p: number): boolean {
    this.inner.chance(actor, kind, p);
    return p > 0;
  }
}

/** Notes the step at which each model choice was asked. */
class ChoiceSteps extends SchedulerWrapper {
  readonly steps: number[] = [];
  private step = -1;
  override pick(...a: Parameters<Scheduler['pick']>): number {
    this.step = a[1];
    return this.inner.pick(...a);
  }
  override choose(actor: ChoiceActor, kind: string, n: number): number {
    this.steps.push(this.step);
    return this.inner.choose(actor, kind, n);
  }
  override chance(actor: ChoiceActor, kind: string, p: number): boolean {
    this.steps.push(this.step);
    return this.inner.chance(actor, kind, p);
  }
}

const runners: { close(): Promise<void> }[] = [];
afterAll(async () => { for (const r of runners) await r.close(); });

describe('Recorder', () => {
  it('records every step and every model choice, and recording does not perturb the run', () => {
    const plain = new ControlledRunner(choosy, mainline).runOne('0xc1');
    const r = record(choosy, '0xc1');
    expect(r.traceHash).toBe(plain.traceHash);
    const s = r.schedule!;
    expect(s.actors.length).toBe(r.steps);
    expect(s.ops.length).toBe(r.steps);
    expect(s.checks.length).toBe(r.steps);
    expect(s.choices!.length).toBeGreaterThan(r.steps / 50); // sizes, offsets, host answers
    // The boot's choices come first: arm64_rsi_setup_memory asks the host before step 0.
    const steps = new ChoiceSteps(seededScheduler(choosy, '0xc1'));
    new ControlledRunner(choosy, mainline).runOne('0xc1', { scheduler: steps });
    expect(steps.steps[0]).toBe(-1);
    expect(steps.steps.length).toBe(s.choices!.length);
  });
});

describe('Replay (strict)', () => {
  it('follows the recorded actors and choices: a run whose choices no seed gives replays exactly, in this thread and across threads', async () => {
    const odd = record(choosy, '0xc2', new Contrary(seededScheduler(choosy, '0xc2')));
    const seeded = new ControlledRunner(choosy, mainline).runOne('0xc2');
    expect(odd.traceHash).not.toBe(seeded.traceHash); // the choices made a difference
    const rep = new Replay(seededScheduler(choosy, '0xc2'), odd.schedule!);
    const again = new ControlledRunner(choosy, mainline).runOne('0xc2', { scheduler: rep });
    expect(rep.divergedAt).toBe(-1);
    expect(again.traceHash).toBe(odd.traceHash);
    expect(again.steps).toBe(odd.steps);
    // Without the choices the actors alone cannot reproduce it.
    const actorsOnly = new Replay(seededScheduler(choosy, '0xc2'), { actors: odd.schedule!.actors, checks: odd.schedule!.checks });
    new ControlledRunner(choosy, mainline).runOne('0xc2', { scheduler: actorsOnly });
    expect(actorsOnly.divergedAt).toBeGreaterThanOrEqual(0);
    // Across worker threads the coordinator's scheduler answers the actors' choices mid-step.
    const tr = new TurnRunner(choosy, 'mainline');
    runners.push(tr);
    const rep2 = new Replay(seededScheduler(choosy, '0xc2'), odd.schedule!);
    const threaded = await tr.runOne('0xc2', { scheduler: rep2 });
    expect(rep2.divergedAt).toBe(-1);
    expect(threaded.traceHash).toBe(odd.traceHash);
  }, 60_000);

  it('a wrong recorded answer diverges at the step that asked for it', () => {
    const r = record(choosy, '0xc3');
    const steps = new ChoiceSteps(seededScheduler(choosy, '0xc3'));
    new ControlledRunner(choosy, mainline).runOne('0xc3', { scheduler: steps });
    const i = steps.steps.findIndex((s) => s > 100);
    const choices = [...r.schedule!.choices!];
    choices[i] = 1_000_000; // fits no choice
    const rep = new Replay(seededScheduler(choosy, '0xc3'), { ...r.schedule!, choices });
    new ControlledRunner(choosy, mainline).runOne('0xc3', { scheduler: rep });
    expect(rep.divergedAt).toBe(steps.steps[i]);
    expect(rep.divergence).toMatch(/recorded answer 1000000 does not fit choice/);
  });

  it('a record that ends before the run diverges where it ends', () => {
    const r = record(small, '0xd2');
    const rep = new Replay(seededScheduler(small, '0xd2'), { actors: r.schedule!.actors.slice(0, 50) });
    new ControlledRunner(small, mainline).runOne('0xd2', { scheduler: rep });
    expect(rep.divergedAt).toBe(50);
    expect(rep.divergence).toMatch(/ended before the run did/);
  });
});

describe('LenientReplay', () => {
  it('skips entries of actors that finished or do not exist, then the seeded scheduler takes over', () => {
    const r = record(small, '0xe1');
    const actors = r.schedule!.actors;
    const noisy = [9, 9, ...actors.slice(0, 100), 9, ...actors.slice(100)];
    const x = new ControlledRunner(small, mainline).runOne('0xe1', { scheduler: new LenientReplay(seededScheduler(small, '0xe1'), noisy), record: true });
    expect(x.traceHash).toBe(r.traceHash);
    expect(x.schedule!.actors).toEqual(actors);
    // A short script: the first 100 steps follow it, the rest is the seeded scheduler's.
    const short = new ControlledRunner(small, mainline).runOne('0xe1', { scheduler: new LenientReplay(seededScheduler(small, '0xe2'), actors.slice(0, 100)), record: true });
    expect(short.schedule!.actors.slice(0, 100)).toEqual(actors.slice(0, 100));
    expect(short.traceHash).not.toBe(r.traceHash);
  });
});

describe('StopAt', () => {
  it('raises H.STOP before the given step: every program ends at its next operation boundary', () => {
    const full = new ControlledRunner(small, mainline).runOne('0xf1');
    const x = new ControlledRunner(small, mainline).runOne('0xf1', { scheduler: new StopAt(seededScheduler(small, '0xf1'), 200), record: true });
    expect(full.stop).toBe('complete');
    expect(x.stop).toBe('time');
    expect(x.completed).toBe(false);
    expect(x.steps).toBeLessThan(full.steps);
    expect(x.counts.ops).toBeLessThan(full.counts.ops);
    // Up to the stop both runs are the same run.
    expect(x.schedule!.actors.slice(0, 200)).toEqual(record(small, '0xf1').schedule!.actors.slice(0, 200));
  });
});

describe('DeterminismCheck', () => {
  it('a deterministic execution checks clean', () => {
    const check = new DeterminismCheck(seededScheduler(choosy, '0xa1'));
    const runner = new ControlledRunner(choosy, mainline);
    const a = runner.runOne('0xa1', { scheduler: check });
    const b = runner.runOne('0xa1', { scheduler: check });
    expect(b.traceHash).toBe(a.traceHash);
    expect(check.result()).toEqual({ differsAt: -1, difference: '' });
    expect(() => runner.runOne('0xa1', { scheduler: check })).toThrow(/no execution left/);
  });

  it('catches a policy that keeps a counter across runs, at the first step where the runs differ', () => {
    let calls = 0;
    const leaky: Policy = {
      ...mainline,
      name: 'leaky',
      ops: {
        ...mainline.ops,
        // Nondeterminism the scheduler does not control: one extra step in the first run only.
        *set_memory_decrypted(ctx, addr, n) {
          if (calls++ === 2) yield STEP;
          return yield* mainline.ops.set_memory_decrypted(ctx, addr, n);
        },
      },
    };
    const runner = new ControlledRunner(small, leaky);
    const first = runner.runOne('0xa2', { record: true });
    const second = runner.runOne('0xa2', { record: true });
    expect(second.traceHash).not.toBe(first.traceHash);
    const x = first.schedule!, y = second.schedule!;
    let expected = 0;
    while (x.actors[expected] === y.actors[expected] && x.checks[expected] === y.checks[expected]) expected++;
    calls = 0;
    const check = new DeterminismCheck(seededScheduler(small, '0xa2'));
    runner.runOne('0xa2', { scheduler: check });
    runner.runOne('0xa2', { scheduler: check });
    expect(check.result().differsAt).toBe(expected);
  });

  it('replay --check: a reproducer replayed twice under the check', async () => {
    const repro = firstFailure('v2-no-bbm');
    const x = await replay(repro, { check: true });
    expect(x.divergedAt).toBe(-1);
    expect(x.sameTraceHash).toBe(true);
    expect(x.check).toEqual({ traceHash: repro.traceHash, differsAt: -1, difference: '' });
  });
});

describe('recorded choices in reproducer files', () => {
  it('round-trip through the file format and replay exactly', async () => {
    const repro = firstFailure('v2-no-bbm', '0x9', choosy);
    expect(repro.schedule!.choices!.length).toBeGreaterThan(0);
    const back = parseReproducer(JSON.stringify(encodeReproducer(repro)), 'mem.json');
    expect(back.schedule!.choices).toEqual(repro.schedule!.choices);
    const x = await replay(back);
    expect(x.divergedAt).toBe(-1);
    expect(x.sameSignature).toBe(true);
    expect(x.sameTraceHash).toBe(true);
  });
});

describe('Dfs (every pick and every model choice is enumerable)', () => {
  it('explores the whole tree of a 1-vCPU x 1-op realm, and every seeded run is one of its executions', () => {
    const tiny = runConfig({ realm: { vcpus: 1, host: { partialRate: 0, rejectRate: 0, stall: false } }, workload: { ops: 1 } });
    const runner = new ControlledRunner(tiny, mainline);
    const dfs = new Dfs(20_000);
    const seen = new Set<string>();
    for (;;) {
      let r;
      try {
        r = runner.runOne('0x1', { scheduler: dfs });
      } catch (e) {
        expect((e as Error).message).toMatch(/no execution left/);
        break;
      }
      seen.add(r.traceHash);
    }
    expect(dfs.executions).toBeLessThan(20_000); // exhausted, not cut by the budget
    expect(seen.size).toBeGreaterThan(100); // the workload's choices (which page, sizes) branch
    // Any interleaving of these programs is one of the tree's executions.
    expect(seen.has(runner.runOne('0x1').traceHash)).toBe(true);
    for (const s of ['a', 'b', 'c']) expect(seen.has(runner.runOne('0x1', { scheduler: new RandomWalk(s) }).traceHash)).toBe(true);
    // So is one whose model choices no seed gives: the tree branches on choices, not only on picks.
    const odd = runner.runOne('0x1', { scheduler: new Contrary(new RandomWalk('d')) }).traceHash;
    expect(odd).not.toBe(runner.runOne('0x1', { scheduler: new RandomWalk('d') }).traceHash);
    expect(seen.has(odd)).toBe(true);
  });
});
