// `realmrace replay <file>` or `realmrace replay --seed S --policy P ...`:
// re-run one schedule exactly, in this thread or across worker threads
// (--threads), and say whether the signature and the trace hash are the same.
// --check runs it twice and fails if the two traces differ anywhere.

import { loadPolicy } from '../kernel/policies/index.js';
import { ControlledRunner, ScheduleResult } from '../run/controlled.js';
import { TurnRunner } from '../run/turns.js';
import { ConfigError } from '../run/errors.js';
import { readReproducer, Reproducer } from '../repro/reproducer.js';
import { replay, replayWarnings } from '../repro/replay.js';
import { configFromFlags, ModelFlags } from './options.js';

export interface ReplayFlags extends ModelFlags {
  seed?: string;
  policy?: string;
  threads?: boolean;
  check?: boolean;
  json?: boolean;
}

const say = (s: string): void => void process.stdout.write(s + '\n');

function describeResult(r: ScheduleResult): string {
  if (!r.finding) return `no finding (${r.completed ? 'every actor ran to the end' : 'stopped by the step bound'}), ${r.steps} steps`;
  return `${r.finding.signature} at step ${r.finding.step} (${r.finding.actor === r.programs.length ? 'host' : `vCPU${r.finding.actor}`})`;
}

/** First step at which two recorded runs differ, or -1. */
function firstDifference(a: ScheduleResult, b: ScheduleResult): number {
  const x = a.schedule!, y = b.schedule!;
  const n = Math.max(x.actors.length, y.actors.length);
  for (let i = 0; i < n; i++) if (x.actors[i] !== y.actors[i] || x.checks[i] !== y.checks[i]) return i;
  return a.traceHash === b.traceHash ? -1 : n;
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
  const policy = await loadPolicy(spec);
  const turns = f.threads ? new TurnRunner(cfg, spec) : null;
  const once = async (): Promise<ScheduleResult> => {
    if (repro) return (await replay(repro, { threads: turns ?? false, record: true })).result;
    const opts = { record: true };
    return turns ? turns.runOne(f.seed!, opts) : new ControlledRunner(cfg, policy).runOne(f.seed!, opts);
  };
  try {
    const where = turns ? `across ${cfg.realm.vcpus + 1} worker threads (turn-passing)` : 'in one thread';
    const first = await once();
    const second = f.check ? await once() : null;
    const diff = second ? firstDifference(first, second) : -1;
    const sameSig = repro ? first.finding?.signature === repro.finding.signature : true;
    const sameHash = repro ? first.traceHash === repro.traceHash : true;
    const reproduced = sameSig && sameHash && first.divergedAt < 0;
    const exit = (repro && !reproduced) || diff >= 0 ? 2 : 0;
    if (f.json) {
      say(JSON.stringify({
        file: file ?? null, policy: spec, seed: repro?.seed ?? f.seed, where: turns ? 'threads' : 'thread', steps: first.steps, traceHash: first.traceHash,
        finding: first.finding && { kind: first.finding.kind, signature: first.finding.signature, step: first.finding.step, actor: first.finding.actor },
        recorded: repro && { signature: repro.finding.signature, traceHash: repro.traceHash },
        divergedAt: first.divergedAt, divergence: first.divergence || null,
        check: second ? { traceHash: second.traceHash, firstDifference: diff } : null, exitCode: exit,
      }, null, 2));
      return exit;
    }
    say(repro
      ? `replaying ${file}: policy ${spec}, ${cfg.realm.vcpus} vCPUs, ${repro.schedule ? `recorded schedule of ${repro.schedule.actors.length} steps` : `seed ${repro.seed} (no recorded schedule)`} (found in ${repro.foundIn} mode), ${where}`
      : `replaying seed ${f.seed}: policy ${spec}, ${cfg.realm.vcpus} vCPUs, ${where}`);
    if (first.divergedAt >= 0) say(`DIVERGED at step ${first.divergedAt}: ${first.divergence}; finished under the seeded scheduler (seed ${repro?.seed ?? f.seed})`);
    say(`result: ${describeResult(first)}`);
    say(`trace hash: ${first.traceHash}${repro ? (sameHash ? ' (identical to the recorded one)' : ` (recorded: ${repro.traceHash})`) : ''}`);
    if (repro && !sameSig) say(`recorded finding: ${repro.finding.signature} at step ${repro.finding.step}`);
    if (second) say(diff < 0 ? `check: a second replay produced the identical trace (${second.traceHash})` : `check: NONDETERMINISM - the second replay differs from the first at step ${diff} (${second.traceHash})`);
    if (repro) say(reproduced ? 'realmrace: REPRODUCED - same signature, same trace hash' : `realmrace: NOT REPRODUCED - ${!sameSig ? 'different finding' : first.divergedAt >= 0 ? 'the run diverged' : 'different trace hash'}`);
    else say(diff < 0 ? 'realmrace: replayed' : 'realmrace: NONDETERMINISTIC');
    return exit;
  } finally {
    await turns?.close();
  }
}
