// Shrinking a user policy's reproducer where it can be stopped: every candidate
// of the delta debugging runs in one worker thread (run/stoppable.ts), so a
// candidate on which the policy spins without yielding stops the shrink with a
// one-line error after lockupSeconds instead of hanging it.

import { loadPolicy } from '../kernel/policies/index.js';
import { ConfigError } from '../run/errors.js';
import { jobOutcome, runStoppable, type JobOutcome } from '../run/stoppable.js';
import type { Reproducer } from '../repro/reproducer.js';
import { Shrinker, type ShrinkResult } from './shrink.js';

// The CommonJS entry: see workers/schedule.cts for why not shrink.js.
const WORKER = new URL('../../workers/shrink.cjs', import.meta.url).href;

export interface ShrinkJob { repro: Reproducer; maxTests: number; lockup?: SharedArrayBuffer }

/** The worker's half. */
export function runShrinkJob(job: ShrinkJob): Promise<JobOutcome<ShrinkResult>> {
  return jobOutcome(async () => new Shrinker(job.repro, await loadPolicy(job.repro.policy.spec), job.maxTests, job.lockup).shrink());
}

export async function shrinkStoppable(repro: Reproducer, maxTests: number, lockupSeconds: number): Promise<ShrinkResult> {
  const out = await runStoppable<ShrinkResult>(WORKER, { repro, maxTests }, repro.config.realm.vcpus + 1, lockupSeconds, repro.seed);
  if ('value' in out) return out.value;
  throw new ConfigError(`policy ${repro.policy.name} locked up on a shrink candidate (${out.stuck.detail}); shrink stopped, nothing written`);
}
