// Replaying a reproducer: in this thread, or across worker threads by
// turn-passing. The recorded schedule is followed step by step; the first step
// where the run cannot follow it (or its trace differs) is reported and the rest
// runs under the seeded scheduler.

import { loadPolicy, policyHash } from '../kernel/policies/index.js';
import { ControlledRunner, ScheduleResult } from '../run/controlled.js';
import { TurnRunner } from '../run/turns.js';
import type { Script } from '../run/drive.js';
import { VERSION } from '../version.js';
import type { Reproducer } from './reproducer.js';

export interface ReplayResult {
  result: ScheduleResult;
  sameSignature: boolean;
  sameTraceHash: boolean;
  warnings: string[];
}

/** What may make a replay differ, said before running it. */
export function replayWarnings(r: Reproducer): string[] {
  const w: string[] = [];
  if (r.tool.version !== VERSION) w.push(`reproducer written by realmrace ${r.tool.version}, this is ${VERSION}: the replay may diverge`);
  let now: string;
  try {
    now = policyHash(r.policy.spec);
  } catch {
    now = 'unreadable';
  }
  if (now !== r.policy.hash) w.push(`policy ${r.policy.spec} changed since the reproducer was written (hash ${r.policy.hash} -> ${now}): the replay may diverge`);
  if (!r.exact) w.push(`found in ${r.foundIn} mode without a recorded schedule: this re-runs seed ${r.seed} under the seeded scheduler, which is not the original interleaving (use run --mode record to capture one)`);
  return w;
}

export const scriptOf = (r: Reproducer): Script | undefined =>
  r.schedule && { actors: r.schedule.actors, checks: r.schedule.checks, strict: true, stopAtStep: r.schedule.stopAtStep };

export interface ReplayOptions {
  threads?: TurnRunner | boolean;
  log?: boolean;
  record?: boolean;
}

export async function replay(r: Reproducer, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const warnings = replayWarnings(r);
  const policy = await loadPolicy(r.policy.spec);
  const runOpts = { programs: r.programs, script: scriptOf(r), log: opts.log, record: opts.record };
  let result: ScheduleResult;
  if (opts.threads) {
    const own = opts.threads === true;
    const tr = own ? new TurnRunner(r.config, r.policy.spec) : (opts.threads as TurnRunner);
    try {
      result = await tr.runOne(r.seed, runOpts);
    } finally {
      if (own) await tr.close();
    }
  } else {
    result = new ControlledRunner(r.config, policy).runOne(r.seed, runOpts);
  }
  return {
    result, warnings,
    sameSignature: result.finding?.signature === r.finding.signature,
    sameTraceHash: result.traceHash === r.traceHash,
  };
}
