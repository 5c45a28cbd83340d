// Replaying a user policy (a module path) where it can be stopped: the whole
// replay runs in a worker thread (run/stoppable.ts), so a policy that spins
// without yielding becomes the soft-lockup hang it is after lockupSeconds, as
// under `run`, instead of a replay that never ends. Built-in policies replay in
// this thread (replay.ts).

import { runStoppable, jobOutcome, type JobOutcome } from '../run/stoppable.js';
import { lockupResult } from '../run/isolated.js';
import type { RunConfig } from '../run/config.js';
import { seededScheduler } from '../run/run_options.js';
import { replay, replayWarnings, runUnder, type ReplayOptions, type ReplayResult } from './replay.js';
import type { Reproducer } from './reproducer.js';

// The CommonJS entry: see workers/schedule.cts for why not replay.js.
const WORKER = new URL('../../workers/replay.cjs', import.meta.url).href;

/** What a replay job may ask for: not --threads (the turn runner has its own threads). */
export type JobOptions = Omit<ReplayOptions, 'threads' | 'lockup'>;

/** A reproducer, or a seed with the model flags (`replay --seed S --policy P`). */
export type ReplayJob =
  | { kind: 'reproducer'; repro: Reproducer; opts: JobOptions; lockup?: SharedArrayBuffer }
  | { kind: 'seed'; cfg: RunConfig; policySpec: string; seed: string; opts: JobOptions; lockup?: SharedArrayBuffer };

type JobResult = Pick<ReplayResult, 'result' | 'divergedAt' | 'divergence' | 'check'>;

/** The worker's half: run the job in that thread, publishing its steps. */
export function runReplayJob(job: ReplayJob): Promise<JobOutcome<JobResult>> {
  const opts = { ...job.opts, lockup: job.lockup };
  return jobOutcome(async () => job.kind === 'reproducer'
    ? replay(job.repro, opts)
    : { ...(await runUnder({ cfg: job.cfg, policySpec: job.policySpec, seed: job.seed, sched: seededScheduler(job.cfg, job.seed) }, opts)), divergedAt: -1, divergence: '' });
}

/** Run a replay job in a stoppable thread; a soft lockup ends it as a hang finding (no trace hash, no check). */
export async function replayStoppable(job: ReplayJob, lockupSeconds: number): Promise<JobResult> {
  const cfg = job.kind === 'reproducer' ? job.repro.config : job.cfg;
  const seed = job.kind === 'reproducer' ? job.repro.seed : job.seed;
  const actors = cfg.realm.vcpus + 1;
  const t0 = performance.now();
  const out = await runStoppable<JobResult>(WORKER, job, actors, lockupSeconds, seed);
  if ('value' in out) return out.value;
  const programs = job.kind === 'reproducer' ? job.repro.programs : undefined;
  return { result: lockupResult(cfg, seed, out.stuck, actors, performance.now() - t0, programs), divergedAt: -1, divergence: '' };
}

/** replay(), with the replay of a reproducer in a stoppable thread. */
export async function replayReproducerStoppable(r: Reproducer, opts: JobOptions, lockupSeconds: number): Promise<ReplayResult> {
  const x = await replayStoppable({ kind: 'reproducer', repro: r, opts }, lockupSeconds);
  return { ...x, warnings: replayWarnings(r), sameSignature: x.result.finding?.signature === r.finding.signature, sameTraceHash: x.result.traceHash === r.traceHash };
}
