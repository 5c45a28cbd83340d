// Run one policy for a budget (schedules, steps, seconds) in controlled or free
// mode and collect its outcome, judged against the evidence rule (--min-schedules,
// and the measured catch rate of a built-in canary).

import { newPool, SCHEDULE_WORKER, type Piscina } from './pool.js';
import { availableParallelism } from 'node:os';
import type { Policy } from '../kernel/policy.js';
import { runConfig, type RunConfig } from './config.js';
import { ControlledRunner, type ScheduleResult } from './controlled.js';
import { FreeRunner, type ActorPool } from './free.js';
import { OutcomeBuilder, PolicyOutcome, RunMode, EvidenceRule } from './outcome.js';
import { scheduleSeed } from './seeds.js';
import type { WitnessSink } from './witness.js';
import { DEFAULT_MIN_SCHEDULES } from '../config/fields.js';
import { missAfter } from '../check/verdict.js';
import { measuredCatchRate, measuredFreeCatchRate, MEASURED_FREE_OPS, MEASURED_OPS } from '../check/catch_rates.js';
import type { ScheduleTask } from './schedule_task.js';
import { IsolatedRunner, isLockup, type ScheduleThread } from './isolated.js';
import { isPolicyPath } from '../kernel/policies/index.js';

/** Default of Budget.lockupSeconds (spec field budget.lockupSeconds). */
export const LOCKUP_SECONDS = 10;

export interface Budget {
  /** Stop after this many schedules (runs). */
  schedules?: number;
  /** Stop once this many steps were taken in total. */
  steps?: number;
  /** Stop once this much wall-clock time has passed. */
  seconds?: number;
  /** Stop at the first finding. */
  stopOnFirst?: boolean;
  /** Complete schedules a clean verdict needs (default DEFAULT_MIN_SCHEDULES); given, also the user's miss threshold for canaries without a measured catch rate. */
  minSchedules?: number;
  /**
   * The steps and seconds bounds end nothing before this many schedules ran, unless
   * every expected finding was already found (the default budget: a verdict on a loaded machine too).
   */
  atLeast?: number;
  /** A user policy's thread stuck in one step this long is stopped: a hang (soft lockup). Default 10. */
  lockupSeconds?: number;
  /** Aborted (SIGINT/SIGTERM): stop after the current schedule, keep what finished. */
  signal?: AbortSignal;
  /** Told after every schedule (run's progress bar): schedules and steps so far. */
  onSchedule?: (schedules: number, steps: number) => void;
}

function exhausted(b: Budget, o: OutcomeBuilder, schedules: number, steps: number, t0: number): boolean {
  if (b.signal?.aborted) return true;
  if (b.stopOnFirst && o.findings > 0) return true;
  if (b.schedules !== undefined && schedules >= b.schedules) return true;
  if (b.atLeast !== undefined && schedules < b.atLeast && !o.foundAll()) return false;
  if (b.steps !== undefined && steps >= b.steps) return true;
  if (b.seconds !== undefined && performance.now() - t0 >= b.seconds * 1000) return true;
  return b.schedules === undefined && b.steps === undefined && b.seconds === undefined && schedules >= 1;
}

/** Stable JSON of what changes behaviour (costs never do). */
const behaviour = (v: unknown): string => JSON.stringify(v, (k, x) => (k === 'costs' ? undefined : x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

/**
 * The per-schedule (per-run) catch rate measured for this policy in this
 * configuration, or undefined: only built-in canaries, the default realm and
 * workload mix with at least the measured program length; controlled mode
 * under the random scheduler, or free mode at a measured vCPU count.
 */
export function catchRateFor(policySpec: string, mode: RunMode, cfg: RunConfig): number | undefined {
  if (mode === 'record') return undefined;
  if (mode === 'controlled' && (cfg.scheduler.name !== 'random' || cfg.workload.ops < MEASURED_OPS)) return undefined;
  if (mode === 'free' && cfg.workload.ops < MEASURED_FREE_OPS) return undefined;
  const measured = runConfig({ realm: { vcpus: cfg.realm.vcpus, linearMap: cfg.realm.linearMap } });
  if (behaviour(measured.realm) !== behaviour(cfg.realm) || behaviour(measured.workload.mix) !== behaviour(cfg.workload.mix)) return undefined;
  return mode === 'free' ? measuredFreeCatchRate(policySpec, cfg.realm.vcpus) : measuredCatchRate(policySpec, cfg.realm.vcpus);
}

/**
 * Schedules a verdict needs if nothing is found: a safe policy its minimum; a
 * canary the complete schedules after which a miss is called (its minimum when
 * no number would be enough). The default budget's floor.
 */
export function verdictFloor(policy: Policy, policySpec: string, mode: RunMode, cfg: RunConfig, budget: Budget): number {
  const r = evidenceRule(policySpec, mode, cfg, budget);
  if (policy.expect.length === 0) return r.minSchedules;
  const n = missAfter(r.minSchedules, r.catchRate, r.minSchedulesSet === true);
  return Number.isFinite(n) ? n : r.minSchedules;
}

export const evidenceRule = (policySpec: string, mode: RunMode, cfg: RunConfig, budget: Budget): EvidenceRule =>
  ({ minSchedules: budget.minSchedules ?? DEFAULT_MIN_SCHEDULES, minSchedulesSet: budget.minSchedules !== undefined, catchRate: catchRateFor(policySpec, mode, cfg), maxSteps: cfg.maxSteps });

/**
 * Where one policy's runs come from: in this thread, on a pool, in a stoppable
 * thread, on free-running threads. The iteration over them (which seed next,
 * when the budget is spent) is policyRuns below, once for every source; the
 * accumulation is OutcomeBuilder's, the reporting the caller's (after
 * fast-check's Runner / RunExecution / reporter split).
 */
interface RunSource<R> {
  /** Run i of the policy from its seed; left: seconds of a time budget still to go. */
  run(i: number, seed: string, left: number | undefined): R;
  /** What a sink gets for the first run of a new signature: a recorded re-run (deterministic modes), or the run itself. */
  witness(r: ScheduleResult): R;
}

/** What the iteration asks of its driver: a run, or a witness; the answer is the result. */
type Ask = { run: number; seed: string; left: number | undefined } | { witness: ScheduleResult };

/** The one iteration of a policy's runs, as a generator its driver answers (in this thread or awaiting a worker). */
function* policyRuns(policy: Policy, policySpec: string, mode: RunMode, cfg: RunConfig, baseSeed: string, budget: Budget, sink?: WitnessSink): Generator<Ask, PolicyOutcome, ScheduleResult> {
  const out = new OutcomeBuilder(policy, mode);
  const t0 = performance.now();
  let i = 0;
  let steps = 0;
  while (!exhausted(budget, out, i, steps, t0)) {
    const left = budget.seconds !== undefined ? Math.max(0.05, budget.seconds - (performance.now() - t0) / 1000) : undefined;
    const r = yield { run: i, seed: scheduleSeed(baseSeed, i), left };
    i++;
    steps += r.steps;
    const fresh = out.add(r);
    if (fresh && sink) sink({ bucket: fresh, result: yield { witness: r }, mode, cfg, policy, policySpec });
    budget.onSchedule?.(i, steps);
  }
  return out.build(performance.now() - t0, evidenceRule(policySpec, mode, cfg, budget));
}

const ask = <R>(src: RunSource<R>, q: Ask): R => ('witness' in q ? src.witness(q.witness) : src.run(q.run, q.seed, q.left));

/** Drive the iteration in this thread, straight through. */
function runIn(src: RunSource<ScheduleResult>, g: Generator<Ask, PolicyOutcome, ScheduleResult>): PolicyOutcome {
  for (let q = g.next(); ; ) {
    if (q.done) return q.value;
    q = g.next(ask(src, q.value));
  }
}

/** Drive the iteration awaiting each answer; close() the source however it ends. */
async function runAwaiting(src: RunSource<Promise<ScheduleResult>> & { close(): Promise<void> }, g: Generator<Ask, PolicyOutcome, ScheduleResult>): Promise<PolicyOutcome> {
  try {
    for (let q = g.next(); ; ) {
      if (q.done) return q.value;
      q = g.next(await ask(src, q.value));
    }
  } finally {
    await src.close();
  }
}

/** Controlled schedules of a built-in policy in this thread: every schedule deterministic, a witness re-run with recording on. */
const inThread = (policy: Policy, cfg: RunConfig): RunSource<ScheduleResult> => {
  const runner = new ControlledRunner(cfg, policy);
  return { run: (_i, seed) => runner.runOne(seed), witness: (r) => runner.runOne(r.seed, { record: true }) };
};

/** Controlled schedules, one seed each, straight through. */
export function runPolicyControlled(policy: Policy, cfg: RunConfig, baseSeed: string, budget: Budget, policySpec = policy.name, sink?: WitnessSink): PolicyOutcome {
  return runIn(inThread(policy, cfg), policyRuns(policy, policySpec, 'controlled', cfg, baseSeed, budget, sink));
}

/** Worker threads that run whole controlled schedules (workers/schedule.ts); needs the build in dist/. */
export class SchedulePool {
  private readonly pool: Piscina<ScheduleTask, ScheduleResult>;
  constructor(readonly threads = Math.max(1, availableParallelism())) {
    this.pool = newPool({ filename: SCHEDULE_WORKER, minThreads: threads, maxThreads: threads, idleTimeout: 5_000 });
  }
  run(task: ScheduleTask): Promise<ScheduleResult> {
    return this.pool.run(task);
  }
  close(): Promise<void> {
    return this.pool.destroy();
  }
}

/**
 * runPolicyControlled on a pool of threads: the same schedules (seeds), taken in
 * the same order, so with a schedules or steps budget the outcome (run hash,
 * buckets, verdict) is the one the in-thread runner gives. Schedules are started
 * up to two per thread ahead; those started past the point the budget ends are
 * discarded.
 */
export function runPolicyPooled(pool: SchedulePool, policy: Policy, policySpec: string, cfg: RunConfig, baseSeed: string, budget: Budget, sink?: WitnessSink): Promise<PolicyOutcome> {
  const ahead = pool.threads * 2;
  const cap = budget.schedules ?? Infinity;
  const pending = new Map<number, Promise<ScheduleResult>>();
  let launched = 0;
  const src = {
    run: (i: number): Promise<ScheduleResult> => {
      while (launched < cap && launched - i < ahead) {
        const p = pool.run({ cfg, policy: policySpec, seed: scheduleSeed(baseSeed, launched) });
        p.catch(() => {}); // awaited in order; a discarded one must not be unhandled
        pending.set(launched++, p);
      }
      const p = pending.get(i)!;
      pending.delete(i);
      return p;
    },
    witness: (r: ScheduleResult) => pool.run({ cfg, policy: policySpec, seed: r.seed, record: true }),
    close: async () => void (await Promise.allSettled(pending.values())), // the pool is the caller's
  };
  return runAwaiting(src, policyRuns(policy, policySpec, 'controlled', cfg, baseSeed, budget, sink));
}

/**
 * Controlled schedules of a user policy (a module path), each in a worker
 * thread that is stopped when it sits in one step for budget.lockupSeconds
 * (isolated.ts): a policy that loops without yielding is a hang, and the run
 * goes on. A lockup is given to the sink as it is: re-running it would only
 * hang again.
 */
export function runPolicyIsolated(policy: Policy, policySpec: string, cfg: RunConfig, baseSeed: string, budget: Budget, sink?: WitnessSink, thread?: ScheduleThread): Promise<PolicyOutcome> {
  const runner = new IsolatedRunner(cfg, policySpec, budget.lockupSeconds ?? LOCKUP_SECONDS, thread);
  const src = {
    run: (_i: number, seed: string) => runner.runOne(seed),
    witness: async (r: ScheduleResult) => (isLockup(r) ? r : runner.runOne(r.seed, { record: true })),
    close: () => runner.close(),
  };
  return runAwaiting(src, policyRuns(policy, policySpec, 'controlled', cfg, baseSeed, budget, sink));
}

/**
 * Built-in policies' controlled schedules in this thread, as runPolicyControlled,
 * but giving the event loop a turn every so often so that a signal handler
 * (Ctrl-C: budget.signal) can run.
 */
export function runPolicyControlledYielding(policy: Policy, cfg: RunConfig, baseSeed: string, budget: Budget, policySpec = policy.name, sink?: WitnessSink): Promise<PolicyOutcome> {
  const here = inThread(policy, cfg);
  let turn = performance.now();
  const src = {
    run: async (i: number, seed: string, left: number | undefined) => {
      if (performance.now() - turn > 50) {
        await new Promise((res) => setImmediate(res));
        turn = performance.now();
      }
      return here.run(i, seed, left);
    },
    witness: async (r: ScheduleResult) => here.witness(r),
    close: async () => {},
  };
  return runAwaiting(src, policyRuns(policy, policySpec, 'controlled', cfg, baseSeed, budget, sink));
}

/**
 * Free mode (real races, no schedule), or record mode (real threads under the
 * step lock: the ticket order is a schedule controlled mode replays exactly).
 * A run is its own witness: free runs cannot be re-run, a record run is recorded.
 */
export function runPolicyFree(policy: Policy, policySpec: string, cfg: RunConfig, baseSeed: string, budget: Budget, record = false, sink?: WitnessSink, pool?: ActorPool): Promise<PolicyOutcome> {
  const mode: RunMode = record ? 'record' : 'free';
  // A user policy's actors are watched for steps that never return (built-in ones do not loop).
  const runner = new FreeRunner(cfg, policySpec, isPolicyPath(policySpec) ? budget.lockupSeconds ?? LOCKUP_SECONDS : undefined, pool);
  const src = {
    run: (_i: number, seed: string, left: number | undefined) => runner.runOne(seed, { seconds: left, record, signal: budget.signal }),
    witness: async (r: ScheduleResult) => r,
    close: () => runner.close(),
  };
  return runAwaiting(src, policyRuns(policy, policySpec, mode, cfg, baseSeed, budget, sink));
}
