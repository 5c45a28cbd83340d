// piscina worker entry: run whole controlled schedules in this thread (one task
// per schedule), for campaigns and for the cross-thread determinism check.

import { loadPolicy } from '../src/kernel/policies/index.js';
import { ControlledRunner, ScheduleResult } from '../src/run/controlled.js';
import type { RunConfig } from '../src/run/config.js';

export interface ScheduleTask {
  cfg: RunConfig;
  policy: string;
  seed: string;
  record?: boolean;
}

const runners = new Map<string, Promise<ControlledRunner>>();

async function runnerFor(cfg: RunConfig, policy: string): Promise<ControlledRunner> {
  const key = JSON.stringify([cfg, policy]);
  let r = runners.get(key);
  if (!r) runners.set(key, (r = loadPolicy(policy).then((p) => new ControlledRunner(cfg, p))));
  return r;
}

export default async function schedule(task: ScheduleTask): Promise<ScheduleResult> {
  const runner = await runnerFor(task.cfg, task.policy);
  return runner.runOne(task.seed, { record: task.record });
}
