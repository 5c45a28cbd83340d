// Controlled mode across threads: every actor runs in its own piscina worker,
// and this coordinator passes the turn (Atomics.store + notify, then waits for
// the ack) to the actor the scheduler picks, and answers the model choices the
// actor asks for mid-step. Same Execution loop, same scheduler, same trace hash
// as in one thread; only the executor differs.

import { newPool, type Piscina } from './pool.js';
import { Realm } from '../model/realm.js';
import { Trace, hashHex } from '../check/trace.js';
import { NCOUNTERS } from '../check/counters.js';
import { deathOf, KernelDeath } from '../check/finding.js';
import type { ChoiceActor, Scheduler } from '../sched/scheduler.js';
import type { RunConfig } from './config.js';
import { boot, programsFor } from './boot.js';
import { ActorReport, Execution, ExecutionResult, Executor, resultOf } from './execution.js';
import { chainFor, RunOptions } from './run_options.js';
import { Q_CHOOSE, T, T_END, TurnActorResult, TurnActorTask } from './turn_actor.js';
import { lockupBuffer, lockupDeath } from './lockup.js';
import { lockupResult } from './isolated.js';
import type { Death } from '../check/finding.js';

/** The stepping actor sat in one step past the deadline (a user policy spinning without yielding). */
class TurnLockup extends Error {
  constructor(readonly death: Death) {
    super(death.detail);
  }
}

// The CommonJS entry: see workers/schedule.cts for why not turn_actor.js.
const WORKER = new URL('../../workers/turn_actor.cjs', import.meta.url).href;

/** Passes the turn; answers the stepping actor's model choices with the scheduler, from the word it sent. */
class TurnPassingExecutor implements Executor {
  readonly sharedHeader = true;
  readonly actors: number;
  private readonly f64: Float64Array;
  private word = 0;
  private readonly asker: ChoiceActor & { id: number };

  /** lockup: the actors' lockup buffer and the seconds one step may take before it is a soft lockup. */
  constructor(private readonly t: Int32Array, readonly header: Int32Array, actors: number, private readonly sched: Scheduler, private readonly lockup?: { sab: SharedArrayBuffer; seconds: number; seed: string }) {
    this.actors = actors;
    this.f64 = new Float64Array(t.buffer);
    const self = this;
    this.asker = { id: 0, rng: { uint32: () => self.word, double: () => self.word / 4294967296 } };
  }

  step(a: number, step: number): number {
    const t = this.t;
    Atomics.store(t, T.STEP, step);
    Atomics.store(t, T.TURN, a + 1);
    Atomics.notify(t, T.TURN);
    let since = this.lockup ? performance.now() : 0;
    for (;;) {
      const ack = Atomics.load(t, T.ACK);
      if (ack === step + 1) break;
      if (ack === -(step + 1)) { this.answer(); since = this.lockup ? performance.now() : 0; continue; }
      Atomics.wait(t, T.ACK, ack, this.lockup ? 50 : 1000);
      if (this.lockup && performance.now() - since >= this.lockup.seconds * 1000) {
        throw new TurnLockup(lockupDeath(new Int32Array(this.lockup.sab), a, this.lockup.seconds, this.lockup.seed));
      }
    }
    return Atomics.load(t, T.RESULT);
  }

  private answer(): void {
    const t = this.t;
    let kind = '';
    for (let i = 0; i < t[T.Q_KIND_LEN]; i++) kind += String.fromCharCode(t[T.Q_KIND + i]);
    this.asker.id = t[T.Q_ACTOR];
    this.word = t[T.Q_WORD] >>> 0;
    const v = t[T.Q_OP] === Q_CHOOSE ? this.sched.choose(this.asker, kind, t[T.Q_N]) : this.sched.chance(this.asker, kind, this.f64[T.Q_P_F64]) ? 1 : 0;
    Atomics.store(t, T.ACK, 0);
    Atomics.store(t, T.ANS, v);
    Atomics.notify(t, T.ANS);
  }

  opIndex(): number {
    return Atomics.load(this.t, T.OPINDEX);
  }

  check(): number {
    return Atomics.load(this.t, T.H1) & 0xffff;
  }
}

export class TurnRunner {
  private readonly pool: Piscina<TurnActorTask, TurnActorResult>;
  private readonly n: number;
  private stopped = false;

  /** With lockupSeconds (a user policy), an actor stuck in one step that long has its thread stopped: a hang. */
  constructor(readonly cfg: RunConfig, readonly policySpec: string, private readonly lockupSeconds?: number) {
    this.n = cfg.realm.vcpus + 1;
    this.pool = newPool({ filename: WORKER, minThreads: this.n, maxThreads: this.n, idleTimeout: 60_000 });
  }

  async runOne(seed: string, opts: RunOptions = {}): Promise<ExecutionResult> {
    const { cfg, n } = this;
    const programs = opts.programs ?? programsFor(cfg, seed);
    const realm = new Realm(cfg.realm);
    const bootTrace = new Trace(n);
    if (opts.log) bootTrace.log = [];
    const { sched, recorder } = chainFor(cfg, seed, opts);
    const execution = new Execution(seed, sched, cfg.maxSteps);
    const t0 = performance.now();
    try {
      boot(realm, bootTrace, seed, sched);
    } catch (e) {
      if (!(e instanceof KernelDeath)) throw e;
      const reports: ActorReport[] = Array.from({ length: n }, (_, i) => ({ counters: new Float64Array(NCOUNTERS), ns: 0, flipWall: [], lastEvents: bootTrace.lastEvents(i), death: i === e.actor ? deathOf(e, 'boot', bootTrace.step) : null }));
      return resultOf(seed, programs, reports, { steps: 0, stop: 'finding', traceHash: bootTrace.hash(), wallMs: performance.now() - t0, schedule: recorder?.schedule, log: bootTrace.log ?? undefined });
    }
    const turns = new SharedArrayBuffer(T.WORDS * 4);
    const t = new Int32Array(turns);
    [t[T.H1], t[T.H2]] = bootTrace.state();
    if (this.stopped) throw new Error('this turn runner was stopped by a soft lockup');
    const lockup = this.lockupSeconds !== undefined ? { sab: lockupBuffer(n), seconds: this.lockupSeconds, seed } : undefined;
    const tasks: Promise<TurnActorResult>[] = [];
    for (let actor = 0; actor < n; actor++) {
      tasks.push(this.pool.run({ sab: realm.sab, turns, realm: cfg.realm, mix: cfg.workload.mix, program: programs[actor] ?? null, policy: this.policySpec, seed, actor, log: opts.log === true, lockup: lockup?.sab }));
    }
    // Let piscina hand every task to its thread before this thread starts blocking on turns.
    while (Atomics.load(t, T.READY) < n) await new Promise((r) => setTimeout(r, 1));
    let end;
    try {
      end = execution.run(new TurnPassingExecutor(t, realm.i32, n, sched, lockup));
    } catch (e) {
      if (!(e instanceof TurnLockup)) throw e;
      // The stuck thread never takes another turn: stop them all (this runner is done).
      this.stopped = true;
      for (const p of tasks) p.catch(() => {});
      await this.pool.destroy();
      return lockupResult(cfg, seed, e.death, n, performance.now() - t0, programs);
    } finally {
      Atomics.store(t, T.TURN, T_END);
      Atomics.notify(t, T.TURN);
    }
    const results = await Promise.all(tasks);
    let log: number[] | undefined;
    if (opts.log) {
      // Boot events, then every actor's events in step order.
      const all: number[][] = [];
      for (const r of [{ log: bootTrace.log ?? [] }, ...results]) for (let i = 0; i < (r.log?.length ?? 0); i += 5) all.push(r.log!.slice(i, i + 5));
      all.sort((x, y) => x[0] - y[0] || 0);
      log = all.flat();
    }
    return resultOf(seed, programs, results, {
      ...end, traceHash: hashHex(t[T.H1], t[T.H2]), wallMs: performance.now() - t0, schedule: recorder?.schedule, log,
    });
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.pool.destroy();
  }
}
