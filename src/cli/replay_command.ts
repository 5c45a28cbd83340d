// `realmrace replay <file>` or `realmrace replay --seed S --policy P ...`:
// re-run one schedule exactly, in this thread or across worker threads
// (--threads), and say whether the signature and the trace hash are the same.
// --check runs it twice under the determinism check and fails if the two runs
// differ anywhere (actor, trace or model choice).

import { ConfigError } from '../run/errors.js';
import type { ExecutionResult } from '../run/execution.js';
import { isLockup } from '../run/isolated.js';
import { LOCKUP_SECONDS } from '../run/run_policy.js';
import { isPolicyPath } from '../kernel/policies/index.js';
import { replayStoppable } from '../repro/stoppable_replay.js';
import { seededScheduler } from '../run/run_options.js';
import { TurnRunner } from '../run/turns.js';
import { readReproducer, Reproducer } from '../repro/reproducer.js';
import { replay, replayWarnings, runUnder, ReplayResult } from '../repro/replay.js';
import { configFromFlags, ModelFlags } from './options.js';

export interface ReplayFlags extends ModelFlags {
  seed?: string;
  policy?: string;
  threads?: boolean;
  check?: boolean;
  json?: boolean;
  lockupSeconds?: number;
}

const say = (s: string): void => void process.stdout.write(s + '\n');

function describeResult(r: ExecutionResult): string {
  if (!r.finding) return `no finding (${r.completed ? 'every actor ran to the end' : 'stopped by the step bound'}), ${r.steps} steps`;
  return `${r.finding.signature} at step ${r.finding.step} (${r.finding.actor === r.programs.length ? 'host' : `vCPU${r.finding.actor}`})`;
}

export async function replayCommand(file: string | undefined, f: ReplayFlags): Promise<number> {
  let repro: Reproducer | null = null;
  if (file) {
    if (f.seed !== undefined || f.policy !== undefined) throw new ConfigError('give either a reproducer file or --seed/--policy, not both');
    repro = readReproducer(file);
    for (const w of replayWarnings(repro)) process.stderr.write(`realmrace: warning: ${w}\n`);
  } else if (f.seed === undefined || f.policy === undefined) {
    throw new ConfigError('replay needs a reproducer file, or --seed and --policy');
  }
  const cfg = repro ? repro.config : configFromFlags(f, 'replay');
  const spec = repro ? repro.policy.spec : f.policy!;
  // A user policy's code replays where it can be stopped (worker threads with a deadline), as under run.
  const lockupSeconds = f.lockupSeconds ?? LOCKUP_SECONDS;
  const turns = f.threads ? new TurnRunner(cfg, spec, isPolicyPath(spec) ? lockupSeconds : undefined) : null;
  const opts = { threads: turns ?? false, record: true, check: f.check === true };
  const stoppable = isPolicyPath(spec) && !turns;
  const jobOpts = { record: true, check: f.check === true };
  try {
    const where = turns ? `across ${cfg.realm.vcpus + 1} worker threads (turn-passing)` : stoppable ? 'in one worker thread (a user policy: stopped if stuck in one step)' : 'in one thread';
    const x: Pick<ReplayResult, 'result' | 'divergedAt' | 'divergence' | 'check'> = stoppable
      ? await replayStoppable(repro ? { kind: 'reproducer', repro, opts: jobOpts } : { kind: 'seed', cfg, policySpec: spec, seed: f.seed!, opts: jobOpts }, lockupSeconds)
      : repro
        ? await replay(repro, opts)
        : { ...(await runUnder({ cfg, policySpec: spec, seed: f.seed!, sched: seededScheduler(cfg, f.seed!) }, opts)), divergedAt: -1, divergence: '' };
    const first = x.result;
    // A soft lockup has no trace to hash (its thread was stopped inside the step): its signature and step are the evidence.
    const lockedUp = isLockup(first);
    const diff = x.check ? x.check.differsAt : -1;
    const sameSig = repro ? first.finding?.signature === repro.finding.signature : true;
    const sameHash = repro ? (lockedUp ? first.finding!.step === repro.finding.step : first.traceHash === repro.traceHash) : true;
    const reproduced = sameSig && sameHash && x.divergedAt < 0;
    const exit = (repro && !reproduced) || diff >= 0 ? 2 : 0;
    if (f.json) {
      say(JSON.stringify({
        file: file ?? null, policy: spec, seed: repro?.seed ?? f.seed, where: turns ? 'threads' : 'thread', steps: first.steps, traceHash: first.traceHash,
        finding: first.finding && { kind: first.finding.kind, signature: first.finding.signature, step: first.finding.step, actor: first.finding.actor },
        recorded: repro && { signature: repro.finding.signature, traceHash: repro.traceHash },
        divergedAt: x.divergedAt, divergence: x.divergence || null,
        check: x.check ? { traceHash: x.check.traceHash, firstDifference: diff, difference: x.check.difference || null } : null, exitCode: exit,
      }, null, 2));
      return exit;
    }
    say(repro
      ? `replaying ${file}: policy ${spec}, ${cfg.realm.vcpus} vCPUs, ${repro.schedule ? `recorded schedule of ${repro.schedule.actors.length} steps` : `seed ${repro.seed} (no recorded schedule)`} (found in ${repro.foundIn} mode), ${where}`
      : `replaying seed ${f.seed}: policy ${spec}, ${cfg.realm.vcpus} vCPUs, ${where}`);
    if (x.divergedAt >= 0) say(`DIVERGED at step ${x.divergedAt}: ${x.divergence}; finished under the seeded scheduler (seed ${repro?.seed ?? f.seed})`);
    say(`result: ${describeResult(first)}`);
    if (lockedUp) say('trace hash: none (the step never returned: its thread was stopped after --lockup-seconds)');
    else say(`trace hash: ${first.traceHash}${repro ? (sameHash ? ' (identical to the recorded one)' : ` (recorded: ${repro.traceHash})`) : ''}`);
    if (lockedUp && f.check) say('check: not run (the first replay locked up)');
    if (repro && !sameSig) say(`recorded finding: ${repro.finding.signature} at step ${repro.finding.step}`);
    if (x.check) say(diff < 0 ? `check: a second replay produced the identical trace (${x.check.traceHash})` : `check: NONDETERMINISM - the second replay differs from the first at step ${diff}: ${x.check.difference} (${x.check.traceHash})`);
    if (lockedUp && repro && !sameHash) say(`recorded soft lockup: at step ${repro.finding.step}`);
    if (repro) say(reproduced ? `realmrace: REPRODUCED - same signature${lockedUp ? ', same step (a soft lockup: no trace hash to compare)' : ', same trace hash'}` : `realmrace: NOT REPRODUCED - ${!sameSig ? 'different finding' : x.divergedAt >= 0 ? 'the run diverged' : lockedUp ? 'the soft lockup came at another step' : 'different trace hash'}`);
    else say(diff < 0 ? 'realmrace: replayed' : 'realmrace: NONDETERMINISTIC');
    return exit;
  } finally {
    await turns?.close();
  }
}
