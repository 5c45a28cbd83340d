// Controlled schedules of an untrusted policy (a module given by path), each in
// a worker thread that can be stopped: a policy that spins without yielding
// never returns from its step, so this thread watches the worker's steps
// (lockup.ts) and, past lockupSeconds in one step, stops the worker and reports
// a hang. piscina replaces the stopped thread; the next schedule runs on.
// Built-in policies keep running in this thread (controlled.ts).

import { newPool, SCHEDULE_WORKER, type Piscina } from './pool.js';
import { NCOUNTERS } from '../check/counters.js';
import type { Death } from '../check/finding.js';
import { PolicyError } from './errors.js';
import type { RunConfig } from './config.js';
import { programsFor } from './boot.js';
import { ExecutionResult, resultOf } from './execution.js';
import { watchTask, isSoftLockup } from './lockup.js';
import type { ScheduleTask } from './schedule_task.js';

/** A soft-lockup hang (the step never returned): there is no schedule to re-run or record. */
export const isLockup = (r: ExecutionResult): boolean => r.finding !== null && isSoftLockup(r.finding);

/** The result of a run whose thread was stopped: the hang, and nothing else is known. */
export function lockupResult(cfg: RunConfig, seed: string, d: Death, actors: number, wallMs: number, programs = programsFor(cfg, seed)): ExecutionResult {
  const reports = Array.from({ length: actors }, (_, i) => ({ counters: new Float64Array(NCOUNTERS), ns: 0, flipWall: [], lastEvents: [], death: i === d.actor ? d : null }));
  return resultOf(seed, programs, reports, { steps: d.step + 1, stop: 'finding', traceHash: '', wallMs });
}

/** A pool of one schedule thread (workers/schedule.cjs), as an IsolatedRunner needs. */
export type ScheduleThread = Piscina<ScheduleTask, ExecutionResult>;

export class IsolatedRunner {
  private readonly pool: ScheduleThread;
  /** The thread is this runner's own (closed by close()), not one lent by the caller. */
  private readonly owned: boolean;

  /** With `shared` (one schedule thread, lent and closed by the caller), the schedules run there, warm; otherwise on a thread of its own. */
  constructor(readonly cfg: RunConfig, readonly policySpec: string, private readonly lockupSeconds: number, shared?: ScheduleThread) {
    this.owned = shared === undefined;
    this.pool = shared ?? newPool({ filename: SCHEDULE_WORKER, minThreads: 1, maxThreads: 1, idleTimeout: 60_000 });
  }

  async runOne(seed: string, opts: { record?: boolean } = {}): Promise<ExecutionResult> {
    const actors = this.cfg.realm.vcpus + 1;
    const t0 = performance.now();
    const task = watchTask(actors, this.lockupSeconds, seed);
    try {
      return await this.pool.run({ cfg: this.cfg, policy: this.policySpec, seed, record: opts.record, lockup: task.lockup }, { signal: task.signal });
    } catch (e) {
      const stuck = task.stuck();
      if (stuck) return lockupResult(this.cfg, seed, stuck, actors, performance.now() - t0);
      // A policy error crosses the thread as a plain Error: it is still the policy's error (exit 1), not the harness's.
      if (e instanceof Error && /^policy /.test(e.message)) throw new PolicyError(e.message.split('\n')[0]);
      throw e;
    } finally {
      task.dispose();
    }
  }

  async close(): Promise<void> {
    if (this.owned) await this.pool.destroy();
  }
}
