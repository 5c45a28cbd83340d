// One job of untrusted policy code (a replay, a shrink) in a worker thread that
// can be stopped, as `run` does for schedules (isolated.ts): the job publishes
// every step in a lockup buffer, this thread watches it (lockup.ts), and an actor
// that sits in one step for lockupSeconds has its thread stopped. The caller gets
// the job's value or the hang's death; never a spin that only kill -9 ends.

import { newPool, type Piscina } from './pool.js';
import type { Death } from '../check/finding.js';
import { ConfigError, PolicyError } from './errors.js';
import { watchTask } from './lockup.js';

/** How an error crosses the thread: its message and whether it was the user's (exit 1). */
export interface JobError { message: string; user: boolean; policy: boolean }

export type JobOutcome<T> = { value: T } | { error: JobError };

/** Run a worker-side function and turn its error into a JobError (the worker entry's half). */
export async function jobOutcome<T>(f: () => T | Promise<T>): Promise<JobOutcome<T>> {
  try {
    return { value: await f() };
  } catch (e) {
    return { error: { message: (e as Error)?.message ?? String(e), user: e instanceof ConfigError, policy: e instanceof PolicyError } };
  }
}

/**
 * Run `task` (given the lockup buffer as task.lockup) on the worker `filename`
 * (a workers/*.cjs entry) and wait for its outcome, or for the first actor of
 * `actors` that sits in one step for `seconds`: then the thread is stopped and
 * the death of that soft lockup is returned.
 */
export async function runStoppable<T>(filename: string, task: object, actors: number, seconds: number, seed: string): Promise<{ value: T } | { stuck: Death }> {
  const pool: Piscina<object, JobOutcome<T>> = newPool({ filename, minThreads: 1, maxThreads: 1 });
  const watched = watchTask(actors, seconds, seed);
  try {
    const out = await pool.run({ ...task, lockup: watched.lockup }, { signal: watched.signal });
    if ('value' in out) return out;
    const e = out.error;
    if (e.policy) throw new PolicyError(e.message);
    if (e.user) throw new ConfigError(e.message);
    throw new Error(e.message);
  } catch (e) {
    const stuck = watched.stuck();
    if (stuck) return { stuck };
    throw e;
  } finally {
    watched.dispose();
    await pool.destroy();
  }
}
