// Free mode: one piscina worker thread per actor (each vCPU and the host agent),
// all racing on the same SharedArrayBuffer. Nothing is deterministic here: this
// mode is for throughput, wall-clock cost and races the scheduler would not pick.

import { Piscina } from 'piscina';
import { availableParallelism } from 'node:os';
import { Realm, H } from '../model/realm.js';
import { Trace } from '../check/trace.js';
import { Counts, countsOf } from '../check/counters.js';
import { Finding } from '../check/finding.js';
import { boot, programsFor } from './controlled.js';
import type { RunConfig } from './config.js';
import type { RealmConfig } from '../model/config.js';
import type { ProgramSpec } from '../workload/program.js';
import type { RecordedSchedule } from './controlled.js';
import { StepLock, L } from './step_lock.js';
import { stopAt } from './free_actor.js';

/** Most steps a record-mode run keeps (48 MB of tickets). */
const RECORD_CAPACITY = 4_000_000;
import { PolicyError } from './errors.js';
import type { FreeActorResult, FreeActorTask } from './free_actor.js';

export interface FreeResult {
  seed: string;
  steps: number;
  finding: Finding | null;
  completed: boolean;
  counts: Counts;
  /** Wall-clock of the racing part (after boot and thread start-up). */
  wallMs: number;
  /** Combined per-actor hashes: NOT reproducible, reported for completeness. */
  traceHash: string;
  threads: number;
  cores: number;
  programs: ProgramSpec[];
  /** The realm config the threads ran with (free mode lengthens the watchdog). */
  realm: RealmConfig;
  /** Record mode: the ticket order, which controlled mode replays exactly. */
  schedule?: RecordedSchedule & { stopAtStep?: number };
  vcpuNs: number[];
  flipWall?: number[];
}

const WORKER = new URL('../../workers/actor.js', import.meta.url).href;

export class FreeRunner {
  private readonly pool: Piscina<FreeActorTask, FreeActorResult>;
  readonly threads: number;

  /** policySpec is what the workers load: a built-in name or a module path. */
  constructor(readonly cfg: RunConfig, readonly policySpec: string) {
    this.threads = cfg.realm.vcpus + 1;
    this.pool = new Piscina({ filename: WORKER, minThreads: this.threads, maxThreads: this.threads, idleTimeout: 60_000 });
  }

  /**
   * One free run on a freshly booted realm: every vCPU runs its program (ops
   * operations, or until `seconds` elapse), the host agent serves them.
   */
  async runOne(seed: string, opts: { seconds?: number; maxStepsPerActor?: number; record?: boolean; measure?: boolean } = {}): Promise<FreeResult> {
    const realmCfg = { ...this.cfg.realm, watchdogSteps: this.cfg.realm.watchdogSteps * 10 };
    const realm = new Realm(realmCfg);
    const bootTrace = new Trace(this.threads);
    boot(realm, bootTrace, seed);
    const programs = programsFor(this.cfg, seed);
    const lock = opts.record ? StepLock.create(Math.min(this.cfg.maxSteps, RECORD_CAPACITY)) : null;
    if (lock) {
      // The boot trace is part of the recorded hash, as in controlled mode.
      lock.w[L.H1] = bootTrace.h1;
      lock.w[L.H2] = bootTrace.h2;
    }
    const tasks: Promise<FreeActorResult>[] = [];
    const t0 = performance.now();
    for (let actor = 0; actor < this.threads; actor++) {
      tasks.push(this.pool.run({ sab: realm.sab, realm: realmCfg, mix: this.cfg.workload.mix, program: programs[actor] ?? null, policy: this.policySpec, seed, actor, maxSteps: opts.maxStepsPerActor ?? this.cfg.maxSteps, lock: lock?.sab ?? null, measure: opts.measure === true }));
    }
    const stop = (): void => {
      if (!lock) return void Atomics.store(realm.i32, H.STOP, 1);
      lock.acquire(); // between two steps, so that replay can raise it at the same ticket
      stopAt(lock, realm.i32);
      lock.release();
    };
    const timer = opts.seconds ? setTimeout(stop, opts.seconds * 1000) : undefined;
    let results: FreeActorResult[];
    try {
      results = await Promise.all(tasks);
    } finally {
      if (timer) clearTimeout(timer);
      Atomics.store(realm.i32, H.STOP, 1);
    }
    const wallMs = performance.now() - t0;
    const broken = results.find((r) => r.policyError);
    if (broken) throw new PolicyError(broken.policyError);
    const finding = results.find((r) => r.finding)?.finding ?? null;
    if (finding) finding.lastEvents = results.map((r) => r.lastEvents);
    const counts = countsOf(results.map((r) => Float64Array.from(r.counters)));
    counts.steps = results.reduce((s, r) => s + r.steps, 0);
    let schedule: FreeResult['schedule'];
    let traceHash = results.map((r) => r.traceHash.slice(0, 4)).join('');
    if (lock) {
      const T = Atomics.load(lock.w, L.TICKET);
      const stopAtStep = lock.w[L.STOP_AT];
      schedule = { actors: Array.from(lock.actors.subarray(0, T)), ops: Array.from(lock.ops.subarray(0, T)), checks: Array.from(lock.checks.subarray(0, T)), ...(stopAtStep >= 0 ? { stopAtStep } : {}) };
      traceHash = (lock.w[L.H1] >>> 0).toString(16).padStart(8, '0') + (lock.w[L.H2] >>> 0).toString(16).padStart(8, '0');
      counts.steps = T;
    }
    return {
      seed, steps: counts.steps, finding, completed: !finding, counts, wallMs, traceHash,
      threads: this.threads, cores: availableParallelism(), programs, realm: realmCfg, schedule,
      vcpuNs: results.slice(0, this.cfg.realm.vcpus).map((r) => r.ns),
      flipWall: opts.measure ? results.flatMap((r) => r.flipWall) : undefined,
    };
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
