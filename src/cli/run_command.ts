// `realmrace run`: run each policy for the budget, print the outcome table,
// write one reproducer per distinct signature, and end with the verdict.
// Exit 0: every policy met its expectation; 2: a finding was unexpected or an
// expected one was missed; 4: inconclusive (too few complete schedules for a verdict).

import { loadPolicy, BUILTIN_POLICIES, policyHash, isPolicyPath } from '../kernel/policies/index.js';
import { runPolicyControlledYielding, runPolicyIsolated, runPolicyFree, verdictFloor, Budget } from '../run/run_policy.js';
import { ActorPool } from '../run/free.js';
import type { Host } from './main.js';
import { onInterrupt, INTERRUPTED_EXIT, type Interrupt } from './interrupt.js';
import type { PolicyOutcome } from '../run/outcome.js';
import type { Policy } from '../kernel/policy.js';
import { eventJson } from '../report/event_text.js';
import { OutcomeTable, renderFindings, runExitCode, runResult, verdictLine } from '../report/outcome_table.js';
import { fitText, outputWidth } from '../report/layout.js';
import { policyProgress } from './run_progress.js';
import { DEFAULT_MIN_SCHEDULES, IMPLICIT_SECONDS } from '../config/fields.js';
import { replayCommand } from '../report/replay.js';
import { specFromFlags, RunFlags } from './options.js';
import { configOf } from '../config/spec.js';
import { ConfigError } from '../run/errors.js';
import { ReproducerSink } from '../repro/sink.js';
import { saveReproducer } from '../repro/files.js';
import { shellQuote } from '../config/to_flags.js';
import { VERSION } from '../version.js';
import { checkOutputDir } from './output_paths.js';

/** How a free-mode finding's replay is labelled wherever it is printed. */
export const INEXACT = 'inexact: free mode records no schedule; this re-runs the seed\'s programs under the seeded scheduler, not the racing interleaving; use --mode record for an exact reproducer';

/** lent: threads an in-process caller lends (main's Host): actor threads for free/record mode, a schedule thread for user policies in controlled mode. */
export async function runCommand(f: RunFlags, lent: Host = {}): Promise<number> {
  const spec = specFromFlags('run', f);
  const cfg = configOf(spec);
  checkOutputDir('--repro-dir', f.reproDir, false);
  const specs = f.policy === 'all' ? BUILTIN_POLICIES.map((p) => p.name) : f.policy.split(',').map((s) => s.trim()).filter(Boolean);
  if (specs.length === 0) throw new ConfigError('--policy needs at least one policy name or path');
  const policies: Policy[] = [];
  for (const s of specs) policies.push(await loadPolicy(s, spec.budget.lockupSeconds));
  const minSchedules = spec.budget.minSchedules ?? DEFAULT_MIN_SCHEDULES;
  const budget: Budget = { ...spec.budget };
  // No budget given: IMPLICIT_SECONDS per policy in controlled mode (hundreds of schedules),
  // and never fewer schedules than its verdict needs, however loaded the machine (see
  // budgetFor); free and record runs are slower (thread start-up, real scheduling): as
  // many runs as a clean verdict needs.
  const implicit = budget.schedules === undefined && budget.steps === undefined && budget.seconds === undefined;
  if (implicit) {
    if (spec.mode === 'controlled') budget.seconds = IMPLICIT_SECONDS;
    else budget.schedules = minSchedules;
  }
  const budgetFor = (i: number): Budget =>
    implicit && spec.mode === 'controlled' ? { ...budget, atLeast: verdictFloor(policies[i], specs[i], 'controlled', cfg, budget) } : budget;
  const interrupt = onInterrupt();
  try {
    return await runPolicies(f, cfg, specs, policies, { ...budget, signal: interrupt.signal }, (i) => ({ ...budgetFor(i), signal: interrupt.signal }), interrupt, lent);
  } finally {
    interrupt.dispose();
  }
}

async function runPolicies(f: RunFlags, cfg: ReturnType<typeof configOf>, specs: string[], policies: Policy[], budget: Budget, budgetFor: (i: number) => Budget, interrupt: Interrupt, lent: Host): Promise<number> {
  const what = `${f.mode}, ${cfg.realm.vcpus} vCPUs, seed ${f.seed}${f.mode === 'controlled' ? `, scheduler ${cfg.scheduler.name}` : ''}`;
  // Fitted to the terminal, else 100 columns; --wide: every column, no line wrapped.
  const width = outputWidth(f.wide);
  const say = (s: string): void => void process.stdout.write(fitText(s, width) + '\n');
  if (!f.json) say(`realmrace ${VERSION}: ${specs.length} ${specs.length === 1 ? 'policy' : 'policies'}, ${what}`);
  const table = f.json ? null : new OutcomeTable(policies, width, budget.schedules);
  const outcomes: PolicyOutcome[] = [];
  const repros = new ReproducerSink();
  // Free and record mode: every policy's runs on the same threads (one per actor), started once
  // (or lent by the caller: then they stay open for its next command).
  const actors = f.mode === 'controlled' ? undefined : lent.actorPools ? lent.actorPools.get(cfg.realm.vcpus + 1) : new ActorPool(cfg.realm.vcpus + 1);
  // The table is opened with its first row and closed even when a policy fails with an error.
  try {
    for (let i = 0; i < policies.length; i++) {
      if (interrupt.signal.aborted) break;
      const bar = policyProgress(policies[i].name, budgetFor(i), width);
      const b: Budget = { ...budgetFor(i), onSchedule: bar.onSchedule };
      let o: PolicyOutcome;
      try {
        // A user policy's code runs where it can be stopped (a worker thread); built-in ones in this thread.
        o = f.mode !== 'controlled'
          ? await runPolicyFree(policies[i], specs[i], cfg, f.seed, b, f.mode === 'record', repros.sink, actors)
          : isPolicyPath(specs[i])
            ? await runPolicyIsolated(policies[i], specs[i], cfg, f.seed, b, repros.sink, lent.schedulePools?.get(1))
            : await runPolicyControlledYielding(policies[i], cfg, f.seed, b, specs[i], repros.sink);
      } finally {
        bar.stop();
      }
      outcomes.push(o);
      // Each policy's row as it finishes (an interrupted one's too: partial).
      if (table) process.stdout.write(`${outcomes.length === 1 ? table.start() + '\n' : ''}${table.row(o)}\n`);
    }
  } finally {
    if (!lent.actorPools) await actors?.close();
    if (table && outcomes.length) process.stdout.write(table.end() + '\n');
  }
  // One reproducer file per distinct signature, named per instance: never one an earlier run printed.
  const files = new Map<string, string>();
  for (const o of outcomes) {
    for (const b of o.buckets) {
      const r = repros.get(o.policy, b.signature);
      if (r) files.set(`${o.policy}\n${b.signature}`, saveReproducer(f.reproDir, o.policy, r));
    }
  }
  const specOf = (o: PolicyOutcome): string => specs[outcomes.indexOf(o)];
  const replay = (o: PolicyOutcome, seed: string, signature: string): string[] => {
    const file = files.get(`${o.policy}\n${signature}`);
    const lines = [];
    // Only lines that reproduce: a controlled seed re-runs exactly; a record-mode finding only by its
    // recorded schedule (the file); a free-mode one not at all, so its file is labelled inexact.
    if (file) lines.push(`npx realmrace replay ${shellQuote(file)}${o.mode === 'free' ? `   # ${INEXACT}` : ''}`);
    if (o.mode === 'controlled') lines.push(replayCommand(specOf(o), cfg, seed));
    return lines;
  };
  let line = verdictLine(outcomes, what);
  const result = runResult(outcomes);
  let exit = runExitCode(result);
  if (interrupt.signal.aborted) {
    // What finished is above (the last policy's row is partial); nothing of it is a verdict on the whole run.
    const left = specs.slice(outcomes.length);
    line = `realmrace: INTERRUPTED by ${interrupt.reason()} - ${line.replace(/^realmrace: /, '')}${left.length ? `; not run: ${left.join(', ')}` : ''}`;
    exit = INTERRUPTED_EXIT;
  }
  if (f.json) {
    const json = {
      tool: 'realmrace', version: VERSION, mode: f.mode, seed: f.seed, config: cfg, budget,
      outcomes: outcomes.map((o) => ({
        ...o, policySpec: specOf(o), policyHash: policyHash(specOf(o)),
        buckets: o.buckets.map((b) => ({ ...b, first: { ...b.first, lastEvents: b.first.lastEvents.map((l) => l.map((e) => eventJson(e, { findingKind: b.first.kind }))) }, reproducerFile: files.get(`${o.policy}\n${b.signature}`) ?? null, exact: o.mode !== 'free', replay: replay(o, b.firstSeed, b.signature), traceHash: repros.get(o.policy, b.signature)?.traceHash })),
      })),
      result, verdict: line, exitCode: exit,
    };
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  } else {
    const found = renderFindings(outcomes, replay, width);
    if (found) process.stdout.write(found + '\n');
    say(line);
  }
  return exit;
}
