// `realmrace shrink <file>`: delta-debug a reproducer down to fewer vCPUs,
// shorter programs and fewer context switches with the same signature, write the
// minimal reproducer and say how much it shrank.

import { isPolicyPath, loadPolicy } from '../kernel/policies/index.js';
import { isLockup } from '../run/isolated.js';
import { isSoftLockup } from '../run/lockup.js';
import { LOCKUP_SECONDS } from '../run/run_policy.js';
import { replayReproducerStoppable } from '../repro/stoppable_replay.js';
import { shrinkStoppable } from '../shrink/stoppable_shrink.js';
import { readReproducer, writeReproducer } from '../repro/reproducer.js';
import { replay, replayWarnings } from '../repro/replay.js';
import { Shrinker, ShrinkStats } from '../shrink/shrink.js';
import { ConfigError } from '../run/errors.js';
import { checkOutputFile } from './output_paths.js';
import { shellQuote } from '../config/to_flags.js';

export interface ShrinkFlags {
  out?: string;
  maxTests: number;
  json?: boolean;
  lockupSeconds?: number;
}

const row = (what: string, a: number, b: number): string =>
  `  ${what.padEnd(26)} ${String(a).padStart(7)} -> ${String(b).padEnd(7)} (${a === 0 ? '-' : `${Math.round((100 * (a - b)) / a)}% less`})`;

export async function shrinkCommand(file: string, f: ShrinkFlags): Promise<number> {
  const repro = readReproducer(file);
  const out = f.out ?? file.replace(/(\.json)?$/, '.min.json');
  checkOutputFile('--out', out);
  for (const w of replayWarnings(repro)) process.stderr.write(`realmrace: warning: ${w}\n`);
  if (!repro.schedule) throw new ConfigError(`reproducer ${file} has no recorded schedule (found in ${repro.foundIn} mode); re-run with --mode record or controlled to get one`);
  if (isSoftLockup(repro.finding)) {
    throw new ConfigError(`cannot shrink ${file}: its finding is a step that never returned (soft lockup), which no candidate can show in time; replay it instead`);
  }
  // A user policy's code runs where it can be stopped (a worker thread with a deadline), as under run.
  const stoppable = isPolicyPath(repro.policy.spec);
  const lockupSeconds = f.lockupSeconds ?? LOCKUP_SECONDS;
  const policy = await loadPolicy(repro.policy.spec);
  let res;
  try {
    res = stoppable ? await shrinkStoppable(repro, f.maxTests, lockupSeconds) : new Shrinker(repro, policy, f.maxTests).shrink();
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot shrink ${file}: ${(e as Error).message}`);
  }
  writeReproducer(out, res.reproducer);
  // The shrunk reproducer must replay strictly, like any other.
  const check = stoppable ? await replayReproducerStoppable(res.reproducer, {}, lockupSeconds) : await replay(res.reproducer);
  if (isLockup(check.result)) throw new ConfigError(`the shrunk reproducer ${out} locked up when replayed (${check.result.finding!.detail})`);
  const ok = check.sameSignature && check.sameTraceHash && check.divergedAt < 0;
  const b: ShrinkStats = res.before;
  const a: ShrinkStats = res.after;
  if (f.json) {
    process.stdout.write(JSON.stringify({ file, out, signature: repro.finding.signature, tests: res.tests, before: b, after: a, replays: ok }, null, 2) + '\n');
  } else {
    process.stdout.write([
      `shrunk ${file} -> ${out} (${res.tests} candidate runs)`,
      `  signature: ${repro.finding.signature}`,
      row('vCPUs', b.vcpus, a.vcpus),
      row('operations run', b.ops, a.ops),
      row('steps', b.steps, a.steps),
      row('most steps of one vCPU', b.maxStepsPerVcpu, a.maxStepsPerVcpu),
      row('context switches', b.switches, a.switches),
      ok ? `realmrace: shrunk reproducer replays exactly (trace hash ${res.reproducer.traceHash}); read it with: npx realmrace show ${shellQuote(out)}` : 'realmrace: ERROR - the shrunk reproducer does not replay exactly',
    ].join('\n') + '\n');
  }
  return ok ? 0 : 3;
}
