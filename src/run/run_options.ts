// What a caller may ask of one controlled execution (in this thread or by
// turn-passing), and the scheduler chain that follows from it.

import type { ProgramSpec } from '../workload/program.js';
import { makeScheduler } from '../sched/make.js';
import type { Scheduler } from '../sched/scheduler.js';
import { Recorder } from '../sched/recorder.js';
import type { RunConfig } from './config.js';
import { estimatedSteps } from './boot.js';

export interface RunOptions {
  /** Per-vCPU programs; default: derived from the seed, cfg.workload.ops operations each. */
  programs?: ProgramSpec[];
  /**
   * The scheduler to run under (replay, lenient replay, stop-at, determinism
   * check, an explorer ...); default: the seeded strategy of cfg.scheduler.
   * Build wrappers around seededScheduler(cfg, seed).
   */
  scheduler?: Scheduler;
  /** Keep the schedule (actors, operations, trace checks, choices) of every step. */
  record?: boolean;
  /** Keep every event (for trace views). */
  log?: boolean;
  /** Time each step with a wall clock (cost sweeps): fills flipWall and the wall_* counters. */
  measure?: boolean;
  /** Publish every step to this lockup buffer (lockup.ts): the run is in a worker thread its caller may stop. */
  lockup?: SharedArrayBuffer;
}

/** The seeded strategy cfg.scheduler names, for one seed. */
export const seededScheduler = (cfg: RunConfig, seed: string): Scheduler =>
  makeScheduler(cfg.scheduler, seed, cfg.realm.vcpus + 1, estimatedSteps(cfg));

/** The scheduler an execution runs under, with the recorder outermost when recording. */
export function chainFor(cfg: RunConfig, seed: string, opts: RunOptions): { sched: Scheduler; recorder: Recorder | null } {
  const base = opts.scheduler ?? seededScheduler(cfg, seed);
  const recorder = opts.record ? new Recorder(base) : null;
  return { sched: recorder ?? base, recorder };
}
