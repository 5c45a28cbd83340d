// One whole controlled schedule as a pool task (campaigns, pooled expectation
// searches, the cross-thread determinism check): what the task carries and how
// a worker thread runs it. workers/schedule.ts is only the piscina entry.

import { loadPolicy } from '../kernel/policy_loader.js';
import { ControlledRunner, type ScheduleResult } from './controlled.js';
import type { RunConfig } from './config.js';

export interface ScheduleTask {
  cfg: RunConfig;
  policy: string;
  seed: string;
  record?: boolean;
  /** Publish every step here (lockup.ts), so that a stuck policy can be seen and this thread stopped. */
  lockup?: SharedArrayBuffer;
  /** Set to 1 when this thread begins the task: a campaign's task timeout runs from then (campaign/runner.ts). */
  started?: SharedArrayBuffer;
}

/** One runner per (config, policy) and thread: a worker runs many schedules of one case. */
const runners = new Map<string, Promise<ControlledRunner>>();

function runnerFor(cfg: RunConfig, policy: string): Promise<ControlledRunner> {
  const key = JSON.stringify([cfg, policy]);
  let r = runners.get(key);
  if (!r) runners.set(key, (r = loadPolicy(policy).then((p) => new ControlledRunner(cfg, p))));
  return r;
}

export async function runScheduleTask(task: ScheduleTask): Promise<ScheduleResult> {
  if (task.started) Atomics.store(new Int32Array(task.started), 0, 1);
  const runner = await runnerFor(task.cfg, task.policy);
  return runner.runOne(task.seed, { record: task.record, lockup: task.lockup });
}
