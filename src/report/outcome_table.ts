// The outcome table (expected vs observed per policy) and the one-line verdict,
// in the spirit of litmus7/jcstress outcome tables and rcutorture's summary line.

import Table from 'cli-table3';
import type { PolicyOutcome, RunMode } from '../run/outcome.js';
import { actorName, mergedLastEvents, type Finding } from '../check/finding.js';
import { eventLine } from './event_text.js';

const LAST_EVENTS = 14;

const fmtSteps = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));

function observed(o: PolicyOutcome): string {
  if (o.buckets.length === 0) return 'clean';
  const byKind = new Map<string, number>();
  for (const b of o.buckets) byKind.set(b.kind, (byKind.get(b.kind) ?? 0) + b.count);
  return [...byKind].map(([k, n]) => `${k} x${n}`).join(', ');
}

const verdictCell = (o: PolicyOutcome): string => (o.verdict === 'met' ? 'ok' : o.verdict.toUpperCase());

export function renderOutcomeTable(outcomes: PolicyOutcome[]): string {
  const t = new Table({
    head: ['policy', 'mode', 'expected', 'observed', 'runs', 'complete', 'bounded', 'steps', 'steps/s', 'zeropad fixups', 'RSI partial/reject', 'vmalloc -EINVAL', 'leaked pg', 'flushes', 'verdict'],
    style: { head: [], border: [] },
  });
  for (const o of outcomes) {
    const c = o.counts;
    t.push([
      o.policy, o.mode, o.expect.length ? o.expect.join(',') : 'clean', observed(o), String(o.schedules), String(o.clean), String(o.bounded + o.timed), fmtSteps(o.steps),
      fmtSteps(Math.round((o.steps / Math.max(1, o.wallMs)) * 1000)),
      String(c.zeropad_fixups), `${c.rsi_partial + c.rsi_no_progress}/${c.rsi_reject}`, String(c.vmalloc_einval), String(c.leaked_pages),
      String(c.tlbi_va + c.tlbi_range + c.tlbi_all), verdictCell(o),
    ]);
  }
  return t.toString();
}

/** The events leading to a finding, all actors merged by step (controlled steps are global). */
function lastEventsLines(f: Finding, mode: RunMode): string[] {
  const all = mergedLastEvents(f);
  const tail = mode !== 'free' ? all.slice(-LAST_EVENTS) : all.filter((e) => e.actor === f.actor).slice(-LAST_EVENTS);
  const head = mode !== 'free' ? '    last events (all actors, by step):' : `    last events of ${actorName(f, f.actor)} (free mode: other threads' steps are not ordered):`;
  return [head, ...tail.map((e) => `      ${eventLine(e, actorName(f, e.actor), { findingKind: f.kind })}`)];
}

export function renderFindings(outcomes: PolicyOutcome[], replay: (o: PolicyOutcome, seed: string, signature: string) => string[]): string {
  const lines: string[] = [];
  for (const o of outcomes) {
    for (const b of o.buckets) {
      const tag = o.expect.includes(b.kind) ? 'expected' : 'UNEXPECTED';
      lines.push(`[${o.policy}] ${tag} x${b.count}: ${b.signature}`);
      lines.push(`    first witness: seed ${b.firstSeed}, step ${b.firstStep}, vCPU ${b.first.actor}: ${b.first.detail}`);
      lines.push(...lastEventsLines(b.first, o.mode));
      for (const r of replay(o, b.firstSeed, b.signature)) lines.push(`    replay: ${r}`);
    }
    if (o.verdict === 'missed') lines.push(`[${o.policy}] MISSED: ${o.reason} (${fmtSteps(o.steps)} steps)`);
    if (o.verdict === 'inconclusive') lines.push(`[${o.policy}] INCONCLUSIVE: ${o.reason}`);
  }
  return lines.join('\n');
}

export type RunResult = 'PASS' | 'FAIL' | 'INCONCLUSIVE';

/** FAIL on any unexpected or missed finding; else INCONCLUSIVE when any policy lacks the evidence; else PASS. */
export function runResult(outcomes: PolicyOutcome[]): RunResult {
  if (outcomes.some((o) => o.verdict === 'unexpected' || o.verdict === 'missed')) return 'FAIL';
  return outcomes.some((o) => o.verdict === 'inconclusive') ? 'INCONCLUSIVE' : 'PASS';
}

/** Exit status of `run`: 0 PASS, 2 FAIL, 4 INCONCLUSIVE. */
export const runExitCode = (r: RunResult): number => (r === 'PASS' ? 0 : r === 'FAIL' ? 2 : 4);

/** The last line of every run. */
export function verdictLine(outcomes: PolicyOutcome[], what: string): string {
  const n = outcomes.length;
  const r = runResult(outcomes);
  if (r === 'PASS') return `realmrace: PASS - ${n}/${n} policies met their expectation (${what})`;
  const failed = outcomes.filter((o) => o.verdict === 'unexpected' || o.verdict === 'missed');
  const unsure = outcomes.filter((o) => o.verdict === 'inconclusive');
  const why = (os: PolicyOutcome[]): string => os.map((o) => `${o.policy}: ${o.verdict === 'unexpected' ? `unexpected ${o.unexpected.join(',')}` : o.verdict === 'missed' ? `missed ${o.missed.join(',')}` : o.reason}`).join('; ');
  if (r === 'FAIL') {
    return `realmrace: FAIL - ${failed.length}/${n} policies did not meet their expectation (${why(failed)})${unsure.length ? `; inconclusive: ${why(unsure)}` : ''} (${what})`;
  }
  return `realmrace: INCONCLUSIVE - ${unsure.length}/${n} policies without enough evidence for a verdict (${why(unsure)}) (${what})`;
}
