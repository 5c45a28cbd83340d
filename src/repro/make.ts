// Turning a failing schedule into a reproducer.

import type { Policy } from '../kernel/policy.js';
import { policyHash } from '../kernel/policies/index.js';
import type { RunConfig } from '../run/config.js';
import { ControlledRunner, ScheduleResult } from '../run/controlled.js';
import { VERSION } from '../version.js';
import { REPRO_SCHEMA, Reproducer } from './reproducer.js';

/** Package a recorded result (it must hold a finding). */
export function reproducerOf(
  cfg: RunConfig, policy: Policy, policySpec: string,
  r: Pick<ScheduleResult, 'seed' | 'finding' | 'programs' | 'schedule' | 'traceHash'>, foundIn: Reproducer['foundIn'], stopAtStep?: number,
): Reproducer {
  const f = r.finding;
  if (!f) throw new Error('reproducerOf: the run has no finding');
  return {
    schema: REPRO_SCHEMA,
    tool: { name: 'realmrace', version: VERSION },
    foundIn,
    exact: r.schedule !== undefined,
    config: cfg,
    policy: { spec: policySpec, name: policy.name, hash: policyHash(policySpec) },
    seed: r.seed,
    programs: r.programs,
    schedule: r.schedule && { actors: r.schedule.actors, ops: r.schedule.ops, checks: r.schedule.checks, ...(stopAtStep !== undefined ? { stopAtStep } : {}) },
    finding: { kind: f.kind, signature: f.signature, step: f.step, actor: f.actor, detail: f.detail },
      traceHash: r.traceHash,
  };
}

/** Re-run a controlled schedule by its seed (deterministic) with recording on, and package it. */
export function reproducerForSeed(cfg: RunConfig, policy: Policy, policySpec: string, seed: string): Reproducer {
  const r = new ControlledRunner(cfg, policy).runOne(seed, { record: true });
  return reproducerOf(cfg, policy, policySpec, r, 'controlled');
}
