// Replaying a reproducer: in this thread, or across worker threads by
// turn-passing. The recorded schedule (actors and model choices) is followed
// step by step by the Replay scheduler; the first step where the run cannot
// follow it (or its trace differs) is reported and the rest runs under the
// seeded scheduler. With `check`, the DeterminismCheck wrapper runs it twice
// and names the first step where the two runs differ.

import { loadPolicy, policyHash } from '../kernel/policies/index.js';
import type { RunConfig } from '../run/config.js';
import { ControlledRunner } from '../run/controlled.js';
import { TurnRunner } from '../run/turns.js';
import { isLockup } from '../run/isolated.js';
import type { ExecutionResult } from '../run/execution.js';
import { seededScheduler } from '../run/run_options.js';
import type { ProgramSpec } from '../workload/program.js';
import type { Scheduler } from '../sched/scheduler.js';
import { Replay } from '../sched/replay.js';
import { StopAt } from '../sched/stop_at.js';
import { DeterminismCheck } from '../sched/determinism_check.js';
import { VERSION } from '../version.js';
import type { Reproducer } from './reproducer.js';

export interface ReplayResult {
  result: ExecutionResult;
  /** First step where the run could not follow the recorded schedule (-1: none). */
  divergedAt: number;
  divergence: string;
  sameSignature: boolean;
  sameTraceHash: boolean;
  warnings: string[];
  /** With `check`: the second run's trace hash and the first step where it differed from the first (-1: none). */
  check?: { traceHash: string; differsAt: number; difference: string };
}

/** What may make a replay differ, said before running it. */
export function replayWarnings(r: Reproducer): string[] {
  const w: string[] = [];
  if (r.tool.version !== VERSION) w.push(`reproducer written by realmrace ${r.tool.version}, this is ${VERSION}: the replay may diverge`);
  let now: string;
  try {
    now = policyHash(r.policy.spec);
  } catch {
    now = 'unreadable';
  }
  if (now !== r.policy.hash) w.push(`policy ${r.policy.spec} changed since the reproducer was written (hash ${r.policy.hash} -> ${now}): the replay may diverge`);
  if (!r.exact) w.push(`found in ${r.foundIn} mode without a recorded schedule: this re-runs seed ${r.seed} under the seeded scheduler, which is not the original interleaving (use run --mode record to capture one)`);
  return w;
}

/** The scheduler a reproducer replays under: its recorded schedule (and stop) over the seeded scheduler. */
export function replaySchedulerOf(r: Reproducer): { sched: Scheduler; replay: Replay | null } {
  const seeded = seededScheduler(r.config, r.seed);
  const s = r.schedule;
  if (!s) return { sched: seeded, replay: null };
  const replay = new Replay(seeded, s);
  return { sched: s.stopAtStep !== undefined ? new StopAt(replay, s.stopAtStep) : replay, replay };
}

export interface ReplayOptions {
  threads?: TurnRunner | boolean;
  log?: boolean;
  record?: boolean;
  /** Run twice under the determinism check. */
  check?: boolean;
  /** In this thread: publish every step to this lockup buffer (a worker thread its caller may stop, stoppable_replay.ts). */
  lockup?: SharedArrayBuffer;
}

export interface SeedRun {
  cfg: RunConfig;
  policySpec: string;
  seed: string;
  programs?: ProgramSpec[];
  sched: Scheduler;
}

/** Run one seed under `sched` (twice with opts.check), in this thread or by turn-passing. */
export async function runUnder(x: SeedRun, opts: ReplayOptions, after?: () => void): Promise<{ result: ExecutionResult; check?: ReplayResult['check'] }> {
  const top = opts.check ? new DeterminismCheck(x.sched) : x.sched;
  const own = opts.threads === true;
  const tr = opts.threads ? (own ? new TurnRunner(x.cfg, x.policySpec) : (opts.threads as TurnRunner)) : null;
  const local = tr ? null : new ControlledRunner(x.cfg, await loadPolicy(x.policySpec));
  const runOpts = { programs: x.programs, scheduler: top, log: opts.log, record: opts.record, lockup: tr ? undefined : opts.lockup };
  const once = async (): Promise<ExecutionResult> => (tr ? tr.runOne(x.seed, runOpts) : local!.runOne(x.seed, runOpts));
  try {
    const result = await once();
    after?.();
    // A soft lockup stopped its thread: there is no second run to compare.
    if (!(top instanceof DeterminismCheck) || isLockup(result)) return { result };
    const second = await once();
    const c = top.result();
    if (c.differsAt < 0 && second.traceHash !== result.traceHash) { c.differsAt = result.steps; c.difference = 'the final trace hashes differ'; }
    return { result, check: { traceHash: second.traceHash, ...c } };
  } finally {
    if (own) await tr!.close();
  }
}

export async function replay(r: Reproducer, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const warnings = replayWarnings(r);
  const { sched, replay: rep } = replaySchedulerOf(r);
  let divergedAt = -1;
  let divergence = '';
  // The divergence of the first run (a determinism check's second run starts the Replay again).
  const { result, check } = await runUnder({ cfg: r.config, policySpec: r.policy.spec, seed: r.seed, programs: r.programs, sched }, opts, () => {
    divergedAt = rep?.divergedAt ?? -1;
    divergence = rep?.divergence ?? '';
  });
  return {
    result, divergedAt, divergence, warnings, check,
    sameSignature: result.finding?.signature === r.finding.signature,
    sameTraceHash: result.traceHash === r.traceHash,
  };
}
