// Finding a failure and packaging it, for the replay/shrink tests.

import { runConfig } from '../src/run/config.js';
import type { RunConfig } from '../src/run/config.js';
import { builtinPolicy } from '../src/kernel/policies/index.js';
import { runPolicyControlled } from '../src/run/run_policy.js';
import type { Reproducer } from '../src/repro/reproducer.js';
import { ReproducerSink } from '../src/repro/sink.js';

/** The first failure of a built-in policy under controlled schedules from `seed`, as a reproducer. */
export function firstFailure(policy: string, seed = '0x9', cfg: RunConfig = runConfig()): Reproducer {
  const p = builtinPolicy(policy)!;
  const repros = new ReproducerSink();
  const o = runPolicyControlled(p, cfg, seed, { schedules: 500, stopOnFirst: true }, policy, repros.sink);
  const r = o.buckets[0] && repros.get(p.name, o.buckets[0].signature);
  if (!r) throw new Error(`${policy}: no failure within 500 schedules from ${seed}`);
  return r;
}
