// Controlled mode across threads: every actor runs in its own piscina worker,
// and this coordinator passes the turn (Atomics.store + notify, then waits for
// the ack) to the actor the scheduler picks. Same scheduler, same scripts, same
// trace hash as the in-thread runner; only the executor differs.

import { Piscina } from 'piscina';
import { Realm } from '../model/realm.js';
import { Trace } from '../check/trace.js';
import { countsOf } from '../check/counters.js';
import type { Finding } from '../check/finding.js';
import { makeScheduler } from '../sched/index.js';
import type { RunConfig } from './config.js';
import { boot, programsFor, RunOptions, ScheduleResult } from './controlled.js';
import { drive, newDriveState, StepExecutor } from './drive.js';
import { PolicyError } from './errors.js';
import { T, T_END, TurnActorResult, TurnActorTask } from './turn_actor.js';

const WORKER = new URL('../../workers/turn_actor.js', import.meta.url).href;

const hashOf = (h1: number, h2: number): string =>
  (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');

export class TurnRunner {
  private readonly pool: Piscina<TurnActorTask, TurnActorResult>;
  private readonly n: number;

  constructor(readonly cfg: RunConfig, readonly policySpec: string) {
    this.n = cfg.realm.vcpus + 1;
    this.pool = new Piscina({ filename: WORKER, minThreads: this.n, maxThreads: this.n, idleTimeout: 60_000 });
  }

  async runOne(seed: string, opts: RunOptions = {}): Promise<ScheduleResult> {
    const { cfg, n } = this;
    const nv = cfg.realm.vcpus;
    const programs = opts.programs ?? programsFor(cfg, seed);
    const realm = new Realm(cfg.realm);
    const bootTrace = new Trace(n);
    if (opts.log) bootTrace.log = [];
    boot(realm, bootTrace, seed);
    const turns = new SharedArrayBuffer(T.WORDS * 4);
    const t = new Int32Array(turns);
    t[T.H1] = bootTrace.h1;
    t[T.H2] = bootTrace.h2;
    const tasks: Promise<TurnActorResult>[] = [];
    for (let actor = 0; actor < n; actor++) {
      tasks.push(this.pool.run({ sab: realm.sab, turns, realm: cfg.realm, mix: cfg.workload.mix, program: programs[actor] ?? null, policy: this.policySpec, seed, actor, log: opts.log === true }));
    }
    // Let piscina hand every task to its thread before this thread starts blocking on turns.
    while (Atomics.load(t, T.READY) < n) await new Promise((r) => setTimeout(r, 1));
    const exec: StepExecutor = {
      step(a: number, step: number): number {
        Atomics.store(t, T.STEP, step);
        Atomics.store(t, T.TURN, a + 1);
        Atomics.notify(t, T.TURN);
        for (;;) {
          const ack = Atomics.load(t, T.ACK);
          if (ack === step + 1) break;
          Atomics.wait(t, T.ACK, ack, 1000);
        }
        return Atomics.load(t, T.RESULT);
      },
      opIndex: () => Atomics.load(t, T.OPINDEX),
      check: () => Atomics.load(t, T.H1) & 0xffff,
    };
    const res = newDriveState(opts.record === true);
    try {
      drive(n, realm.i32, makeScheduler(cfg.scheduler, seed, n, cfg.workload.ops * nv * 8), exec, cfg.maxSteps, res, opts.script);
    } finally {
      Atomics.store(t, T.TURN, T_END);
      Atomics.notify(t, T.TURN);
    }
    const results = await Promise.all(tasks);
    const broken = results.find((r) => r.policyError);
    if (broken) throw new PolicyError(broken.policyError);
    const finding: Finding | null = results.find((r) => r.finding)?.finding ?? null;
    if (finding) finding.lastEvents = results.map((r) => r.lastEvents);
    const counts = countsOf(results.map((r) => Float64Array.from(r.counters)));
    counts.steps = res.steps;
    let log: number[] | undefined;
    if (opts.log) {
      // Boot events, then every actor's events in step order.
      const all: number[][] = [];
      for (const r of [{ log: bootTrace.log ?? [] }, ...results]) for (let i = 0; i < (r.log?.length ?? 0); i += 5) all.push(r.log!.slice(i, i + 5));
      all.sort((x, y) => x[0] - y[0] || 0);
      log = all.flat();
    }
    return {
      seed, steps: res.steps, traceHash: hashOf(t[T.H1], t[T.H2]), finding, completed: res.completed && !finding, counts, programs,
      schedule: res.rec ?? undefined, divergedAt: res.divergedAt, divergence: res.divergence, log,
      vcpuNs: results.slice(0, nv).map((r) => r.ns),
    };
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
