// Free mode: one piscina worker thread per actor (each vCPU and the host agent),
// all racing on the same SharedArrayBuffer. Nothing is deterministic here: this
// mode is for throughput, wall-clock cost and races the scheduler would not pick.
// Record mode: the same threads under the global step lock; the ticket order and
// the model choices are a schedule controlled mode replays exactly.

import { newPool, PoolsByThreads, type Piscina } from './pool.js';
import { Realm, H } from '../model/realm.js';
import type { RealmConfig } from '../model/config.js';
import { Trace, hashHex } from '../check/trace.js';
import { NCOUNTERS } from '../check/counters.js';
import { deathOf, KernelDeath } from '../check/finding.js';
import type { RunConfig } from './config.js';
import { boot, programsFor } from './boot.js';
import { allOpsBegun, ExecutionResult, resultOf, Stop } from './execution.js';
import { StepLock, L, recordingChooser } from './step_lock.js';
import { stopAt, type FreeActorResult, type FreeActorTask } from './free_actor.js';
import { freeRealmConfig } from './free_watchdog.js';
import { lockupBuffer, lockupOpIndex, watchLockup } from './lockup.js';
import type { Death } from '../check/finding.js';

/** What is known of an actor whose thread was stopped in a step: the hang. */
const lockedUp = (actor: number, d: Death | null): FreeActorResult =>
  ({ actor, steps: 0, counters: new Float64Array(NCOUNTERS), ns: 0, flipWall: [], lastEvents: [], death: d, traceHash: '', bounded: false });

/** Most steps a record-mode run keeps (64 MB of tickets and choices). */
const RECORD_CAPACITY = 4_000_000;

export interface FreeRunOptions {
  /** Stop (H.STOP: every program ends at its next operation boundary) after this much wall-clock. */
  seconds?: number;
  /** Steps after which an actor raises H.STOP (default cfg.maxSteps). */
  maxStepsPerActor?: number;
  /** Record mode: run under the step lock and record the schedule. */
  record?: boolean;
  /** Time steps and set_memory_* calls with a wall clock. */
  measure?: boolean;
  /** Aborted (Ctrl-C): stop as the timer does. */
  signal?: AbortSignal;
}

// The CommonJS entry: see workers/schedule.cts for why not actor.js.
const WORKER = new URL('../../workers/actor.cjs', import.meta.url).href;

/**
 * The worker threads of free-mode runs: one per actor (each vCPU and the host
 * agent). Each thread loads the policy its task names (and keeps it), so runs
 * of several policies with the same vCPU count can share one pool, one run at
 * a time: the threads start once (tens of ms of CPU each), not once per policy.
 */
export class ActorPool {
  readonly pool: Piscina<FreeActorTask, FreeActorResult>;
  constructor(readonly threads: number) {
    this.pool = newPool({ filename: WORKER, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  }
  close(): Promise<void> {
    return this.pool.destroy();
  }
}

/** Actor pools a process that runs many commands lends them, one per thread count; the lender closes them. */
export class ActorPools extends PoolsByThreads<ActorPool> {
  constructor() {
    super((threads) => new ActorPool(threads), (p) => p.close());
  }
}

export class FreeRunner {
  private readonly pool: Piscina<FreeActorTask, FreeActorResult>;
  readonly threads: number;
  /** The realm config the threads run with (free_watchdog.ts). */
  readonly realm: RealmConfig;
  /** The pool is this runner's own (closed by close()), not one lent by the caller. */
  private readonly owned: ActorPool | null;

  /**
   * policySpec is what the workers load: a built-in name or a module path.
   * With lockupSeconds, an actor that sits in one step that long (a policy
   * looping without yielding) has its thread stopped and is reported as a hang.
   * With `shared` (as many threads as this config has actors), the runs use
   * that pool, which the caller closes; otherwise the runner starts its own.
   */
  constructor(readonly cfg: RunConfig, readonly policySpec: string, private readonly lockupSeconds?: number, shared?: ActorPool) {
    this.threads = cfg.realm.vcpus + 1;
    this.realm = freeRealmConfig(cfg.realm);
    if (shared && shared.threads !== this.threads) throw new Error(`FreeRunner: a shared pool of ${shared.threads} threads for ${this.threads} actors`);
    this.owned = shared ? null : new ActorPool(this.threads);
    this.pool = (shared ?? this.owned!).pool;
  }

  /**
   * One free run on a freshly booted realm: every vCPU runs its program (ops
   * operations, or until `seconds` elapse), the host agent serves them.
   */
  async runOne(seed: string, opts: FreeRunOptions = {}): Promise<ExecutionResult> {
    const realm = new Realm(this.realm);
    const bootTrace = new Trace(this.threads);
    const programs = programsFor(this.cfg, seed);
    const lock = opts.record ? StepLock.create(Math.min(this.cfg.maxSteps, RECORD_CAPACITY)) : null;
    const t0 = performance.now();
    try {
      // Boot's choices are the first of the record, as in controlled mode.
      boot(realm, bootTrace, seed, lock ? recordingChooser(lock) : undefined);
    } catch (e) {
      if (!(e instanceof KernelDeath)) throw e;
      const reports = Array.from({ length: this.threads }, (_, i) => ({ counters: new Float64Array(NCOUNTERS), ns: 0, flipWall: [], lastEvents: bootTrace.lastEvents(i), death: i === e.actor ? deathOf(e, 'boot', bootTrace.step) : null }));
      return resultOf(seed, programs, reports, { steps: 0, stop: 'finding', traceHash: bootTrace.hash(), wallMs: performance.now() - t0, schedule: lock?.schedule() });
    }
    // The boot trace is part of the recorded hash, as in controlled mode.
    if (lock) [lock.w[L.H1], lock.w[L.H2]] = bootTrace.state();
    const tasks: Promise<FreeActorResult>[] = [];
    const maxSteps = opts.maxStepsPerActor ?? this.cfg.maxSteps;
    const lockup = this.lockupSeconds !== undefined ? lockupBuffer(this.threads) : null;
    const aborts = Array.from({ length: this.threads }, () => new AbortController());
    for (let actor = 0; actor < this.threads; actor++) {
      tasks.push(this.pool.run({ sab: realm.sab, realm: this.realm, mix: this.cfg.workload.mix, program: programs[actor] ?? null, policy: this.policySpec, seed, actor, maxSteps, lock: lock?.sab ?? null, measure: opts.measure === true, lockup }, { signal: aborts[actor].signal }));
    }
    let stuck: Death | null = null;
    const unwatch = lockup ? watchLockup(lockup, this.threads, this.lockupSeconds!, seed, (d) => {
      // Everyone else stops at their next step; the stuck thread is terminated (and replaced by piscina).
      stuck = d;
      Atomics.store(realm.i32, H.DEAD, 1);
      Atomics.store(realm.i32, H.STOP, 1);
      aborts[d.actor].abort();
      lock?.release(); // it held the step lock: let the others see H.DEAD
      Atomics.notify(realm.i32, H.WAKE);
      // Other vCPUs may spin in the same policy code: whoever has not ended shortly after is stopped too.
      setTimeout(() => { for (const a of aborts) a.abort(); }, 500).unref();
    }) : () => {};
    const stop = (): void => {
      if (!lock) return void Atomics.store(realm.i32, H.STOP, 1);
      lock.acquire(); // between two steps, so that replay can raise it at the same ticket
      stopAt(lock, realm.i32);
      lock.release();
    };
    const timer = opts.seconds ? setTimeout(stop, opts.seconds * 1000) : undefined;
    opts.signal?.addEventListener('abort', stop, { once: true });
    let results: FreeActorResult[];
    try {
      const settled = await Promise.allSettled(tasks);
      results = settled.map((s, actor) => {
        if (s.status === 'fulfilled') return s.value;
        if (stuck !== null) return lockedUp(actor, (stuck as Death).actor === actor ? stuck : null);
        throw s.reason;
      });
    } finally {
      unwatch();
      opts.signal?.removeEventListener('abort', stop);
      if (timer) clearTimeout(timer);
      Atomics.store(realm.i32, H.STOP, 1);
    }
    const wallMs = performance.now() - t0;
    const full = lock !== null && lock.ticket() < 0;
    const bounded = results.some((r) => r.bounded) || full;
    // Which stopped it first is not knowable across threads: a step bound is reported before the timer.
    const stopped: Stop = allOpsBegun(programs, results) ? 'complete' : bounded ? 'max-steps' : 'time';
    const steps = lock ? Atomics.load(lock.w, L.TICKET) : results.reduce((s, r) => s + r.steps, 0);
    // Free mode's hash combines per-actor hashes: NOT reproducible, reported for completeness.
    const traceHash = lock ? hashHex(lock.w[L.H1], lock.w[L.H2]) : results.map((r) => r.traceHash.slice(0, 4)).join('');
    const schedule = lock?.schedule();
    const hung = stuck as Death | null;
    if (schedule && hung !== null && lockup !== null && schedule.actors.length === hung.step) {
      // The step that never returned took its ticket but never stamped it: it
      // is the schedule's last step, so that a replay runs that actor there
      // and not whoever its seeded scheduler picks. Its check is never
      // compared if it hangs again; if it returns, the run is not the recorded one.
      schedule.actors.push(hung.actor);
      schedule.ops.push(lockupOpIndex(lockup, hung.actor));
      schedule.checks.push(0);
    }
    return resultOf(seed, programs, results, { steps, stop: stopped, traceHash, wallMs, schedule, measure: opts.measure });
  }

  async close(): Promise<void> {
    await this.owned?.close();
  }
}
