// Run one policy for a budget (schedules, steps, seconds) in controlled or free
// mode and collect its outcome.

import type { Policy } from '../kernel/policy.js';
import type { RunConfig } from './config.js';
import { ControlledRunner } from './controlled.js';
import { FreeRunner } from './free.js';
import { OutcomeBuilder, PolicyOutcome } from './outcome.js';
import { scheduleSeed } from './seeds.js';
import type { WitnessSink } from './witness.js';

export interface Budget {
  /** Stop after this many schedules (runs). */
  schedules?: number;
  /** Stop once this many steps were taken in total. */
  steps?: number;
  /** Stop once this much wall-clock time has passed. */
  seconds?: number;
  /** Stop at the first finding. */
  stopOnFirst?: boolean;
}

function exhausted(b: Budget, o: OutcomeBuilder, schedules: number, steps: number, t0: number): boolean {
  if (b.stopOnFirst && o.findings > 0) return true;
  if (b.schedules !== undefined && schedules >= b.schedules) return true;
  if (b.steps !== undefined && steps >= b.steps) return true;
  if (b.seconds !== undefined && performance.now() - t0 >= b.seconds * 1000) return true;
  return b.schedules === undefined && b.steps === undefined && b.seconds === undefined && schedules >= 1;
}

/**
 * Controlled schedules, one seed each. The first witness of each signature is
 * run again with recording on (the run is deterministic) and given to the sink.
 */
export function runPolicyControlled(policy: Policy, cfg: RunConfig, baseSeed: string, budget: Budget, policySpec = policy.name, sink?: WitnessSink): PolicyOutcome {
  const runner = new ControlledRunner(cfg, policy);
  const out = new OutcomeBuilder(policy, 'controlled');
  const t0 = performance.now();
  let i = 0;
  let steps = 0;
  while (!exhausted(budget, out, i, steps, t0)) {
    const r = runner.runOne(scheduleSeed(baseSeed, i++));
    steps += r.steps;
    const fresh = out.add(r);
    if (fresh && sink) sink({ bucket: fresh, result: runner.runOne(r.seed, { record: true }), mode: 'controlled', cfg, policy, policySpec });
  }
  return out.build(performance.now() - t0);
}

/**
 * Free mode (real races, no schedule), or record mode (real threads under the
 * step lock: the ticket order is a schedule controlled mode replays exactly).
 */
export async function runPolicyFree(policy: Policy, policySpec: string, cfg: RunConfig, baseSeed: string, budget: Budget, record = false, sink?: WitnessSink): Promise<PolicyOutcome> {
  const runner = new FreeRunner(cfg, policySpec);
  const out = new OutcomeBuilder(policy, record ? 'record' : 'free');
  const t0 = performance.now();
  try {
    let i = 0;
    let steps = 0;
    while (!exhausted(budget, out, i, steps, t0)) {
      const left = budget.seconds !== undefined ? Math.max(0.05, budget.seconds - (performance.now() - t0) / 1000) : undefined;
      const r = await runner.runOne(scheduleSeed(baseSeed, i++), { seconds: left, record });
      steps += r.steps;
      const fresh = out.add(r);
      if (fresh && sink) sink({ bucket: fresh, result: r, mode: record ? 'record' : 'free', cfg, policy, policySpec });
    }
  } finally {
    await runner.close();
  }
  return out.build(performance.now() - t0);
}
