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
  async runOne(seed: string, opts: { seconds?: number; maxStepsPerActor?: number } = {}): Promise<FreeResult> {
    const realmCfg = { ...this.cfg.realm, watchdogSteps: this.cfg.realm.watchdogSteps * 10 };
    const realm = new Realm(realmCfg);
    boot(realm, new Trace(this.threads), seed);
    const programs = programsFor(this.cfg, seed);
    const tasks: Promise<FreeActorResult>[] = [];
    const t0 = performance.now();
    for (let actor = 0; actor < this.threads; actor++) {
      tasks.push(this.pool.run({ sab: realm.sab, realm: realmCfg, mix: this.cfg.workload.mix, program: programs[actor] ?? null, policy: this.policySpec, seed, actor, maxSteps: opts.maxStepsPerActor ?? this.cfg.maxSteps }));
    }
    const timer = opts.seconds ? setTimeout(() => Atomics.store(realm.i32, H.STOP, 1), opts.seconds * 1000) : undefined;
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
    return {
      seed, steps: counts.steps, finding, completed: !finding, counts, wallMs,
      traceHash: results.map((r) => r.traceHash.slice(0, 4)).join(''),
      threads: this.threads, cores: availableParallelism(),
    };
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
