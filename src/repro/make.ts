// Turning a failing execution into a reproducer.

import type { Policy } from '../kernel/policy.js';
import { policyHash } from '../kernel/policies/index.js';
import type { RunConfig } from '../run/config.js';
import { ControlledRunner } from '../run/controlled.js';
import type { ExecutionResult } from '../run/execution.js';
import { freeRealmConfig } from '../run/free_watchdog.js';
import { VERSION } from '../version.js';
import { REPRO_SCHEMA, Reproducer } from './reproducer.js';

/**
 * Package a result (it must hold a finding). cfg is the config the runner was
 * given; free and record runs ran with their scaled watchdog, which the
 * reproducer carries so that its controlled replay matches.
 */
export function reproducerOf(
  cfg: RunConfig, policy: Policy, policySpec: string,
  r: Pick<ExecutionResult, 'seed' | 'finding' | 'programs' | 'schedule' | 'traceHash'>, foundIn: Reproducer['foundIn'],
): Reproducer {
  const f = r.finding;
  if (!f) throw new Error('reproducerOf: the run has no finding');
  const asRun = foundIn === 'free' || foundIn === 'record' ? { ...cfg, realm: freeRealmConfig(cfg.realm) } : cfg;
  const s = r.schedule;
  return {
    schema: REPRO_SCHEMA,
    tool: { name: 'realmrace', version: VERSION },
    foundIn,
    exact: s !== undefined,
    config: asRun,
    policy: { spec: policySpec, name: policy.name, hash: policyHash(policySpec) },
    seed: r.seed,
    programs: r.programs,
    schedule: s && {
      actors: s.actors, ops: s.ops, checks: s.checks,
      ...(s.choices !== undefined ? { choices: s.choices } : {}),
      ...(s.stopAtStep !== undefined ? { stopAtStep: s.stopAtStep } : {}),
    },
    finding: { kind: f.kind, signature: f.signature, step: f.step, actor: f.actor, detail: f.detail },
    traceHash: r.traceHash,
  };
}

/** Re-run a controlled schedule by its seed (deterministic) with recording on, and package it. */
export function reproducerForSeed(cfg: RunConfig, policy: Policy, policySpec: string, seed: string): Reproducer {
  const r = new ControlledRunner(cfg, policy).runOne(seed, { record: true });
  return reproducerOf(cfg, policy, policySpec, r, 'controlled');
}
