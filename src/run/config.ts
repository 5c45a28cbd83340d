// Everything that determines a run, apart from the seed and the policy.

import { RealmConfig, RealmOverrides, realmConfig } from '../model/config.js';
import { WorkloadConfig, defaultWorkload } from '../workload/program.js';
import { SchedulerSpec, defaultScheduler } from '../sched/scheduler.js';

export interface RunConfig {
  realm: RealmConfig;
  workload: WorkloadConfig;
  scheduler: SchedulerSpec;
  /** Per-schedule step bound (controlled) / per-actor step bound (free). */
  maxSteps: number;
}

export function runConfig(over: { realm?: RealmOverrides; workload?: Partial<WorkloadConfig>; scheduler?: Partial<SchedulerSpec>; maxSteps?: number } = {}): RunConfig {
  return {
    realm: realmConfig(over.realm),
    workload: { ...defaultWorkload, ...over.workload, mix: { ...defaultWorkload.mix, ...(over.workload?.mix ?? {}) } },
    scheduler: { ...defaultScheduler, ...over.scheduler },
    maxSteps: over.maxSteps ?? 1_000_000,
  };
}
