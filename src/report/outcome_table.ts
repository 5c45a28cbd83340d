// The outcome table (expected vs observed per policy) and the one-line verdict,
// in the spirit of litmus7/jcstress outcome tables and rcutorture's summary line.

import type { PolicyOutcome, RunMode } from '../run/outcome.js';
import { actorName, mergedLastEvents, type Finding } from '../check/finding.js';
import { eventLine } from './event_text.js';
import { DEFAULT_WIDTH, StreamedTable, wrapLine, type Column } from './layout.js';

const LAST_EVENTS = 14;

const fmtSteps = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));

function observed(o: PolicyOutcome): string {
  if (o.buckets.length === 0) return 'clean';
  const byKind = new Map<string, number>();
  for (const b of o.buckets) byKind.set(b.kind, (byKind.get(b.kind) ?? 0) + b.count);
  return [...byKind].map(([k, n]) => `${k} x${n}`).join(', ');
}

const verdictCell = (o: PolicyOutcome): string => (o.verdict === 'met' ? 'ok' : o.verdict.toUpperCase());

/** The observed and expected columns wrap to this ('bbm-violation'; 'translation-fault' breaks at its dash). */
const KIND_WIDTH = 'bbm-violation'.length;

/**
 * The run's columns. At 100 columns: policy, expected, observed, the evidence
 * (runs, complete, bounded) and the verdict, always; the mode (the run's header
 * line names it), steps and the benign counts join as the width allows, and
 * all of them with --wide or in --json. `runs` is how many schedules were
 * planned or, for a time budget, a guess: a bigger count wraps in its cell.
 */
function outcomeColumns(policies: { name: string; expect: readonly string[] }[], runs?: number): Column[] {
  const num = (head: string, width: number, drop?: number): Column => ({ head, width, drop, align: 'right' });
  const expected = policies.map((p) => (p.expect.length ? p.expect.join(',') : 'clean'));
  return [
    { head: 'policy', width: Math.max(...policies.map((p) => p.name.length)), min: 12, grow: 1 },
    { head: 'mode', width: 'controlled'.length, drop: 1 },
    { head: 'expected', width: Math.max(...expected.map((e) => e.length)), min: KIND_WIDTH },
    { head: 'observed', width: 'SEA x27, data-exposed x2'.length, min: KIND_WIDTH, grow: 2 },
    num('runs', Math.max(4, String(runs ?? 99_999).length)),
    num('complete', 8),
    num('bounded', 7),
    num('steps', 6, 2),
    num('steps/s', 7, 3),
    num('flushes', 8, 4),
    num('zeropad fixups', 7, 5),
    num('RSI partial/reject', 14, 6),
    num('vmalloc -EINVAL', 7, 7),
    num('leaked pg', 7, 8),
    { head: 'verdict', width: 'INCONCLUSIVE'.length },
  ];
}

function outcomeCells(o: PolicyOutcome): string[] {
  const c = o.counts;
  return [
    o.policy, o.mode, o.expect.length ? o.expect.join(',') : 'clean', observed(o), String(o.schedules), String(o.clean), String(o.bounded + o.timed), fmtSteps(o.steps),
    fmtSteps(Math.round((o.steps / Math.max(1, o.wallMs)) * 1000)),
    String(c.tlbi_va + c.tlbi_range + c.tlbi_all), String(c.zeropad_fixups), `${c.rsi_partial + c.rsi_no_progress}/${c.rsi_reject}`, String(c.vmalloc_einval), String(c.leaked_pages),
    verdictCell(o),
  ];
}

/** The outcome table a row at a time, as each policy finishes: start(), row(o) per policy, end(). */
export class OutcomeTable {
  private readonly t: StreamedTable;
  constructor(policies: { name: string; expect: readonly string[] }[], width: number, runs?: number) {
    this.t = new StreamedTable(outcomeColumns(policies, runs), width);
  }
  start(): string { return this.t.start(); }
  row(o: PolicyOutcome): string { return this.t.row(outcomeCells(o)); }
  end(): string { return this.t.end(); }
}

/** The whole outcome table at once. */
export function renderOutcomeTable(outcomes: PolicyOutcome[], width = DEFAULT_WIDTH): string {
  const t = new OutcomeTable(outcomes.map((o) => ({ name: o.policy, expect: o.expect })), width, Math.max(...outcomes.map((o) => o.schedules)));
  return [t.start(), ...outcomes.map((o) => t.row(o)), t.end()].join('\n');
}

/** The events leading to a finding, all actors merged by step (controlled steps are global). */
function lastEventsLines(f: Finding, mode: RunMode): string[] {
  const all = mergedLastEvents(f);
  const tail = mode !== 'free' ? all.slice(-LAST_EVENTS) : all.filter((e) => e.actor === f.actor).slice(-LAST_EVENTS);
  const head = mode !== 'free' ? '    last events (all actors, by step):' : `    last events of ${actorName(f, f.actor)} (free mode: other threads' steps are not ordered):`;
  return [head, ...tail.map((e) => `      ${eventLine(e, actorName(f, e.actor), { findingKind: f.kind })}`)];
}

/** Continuation indent of an event line: under its text, past the step and actor. */
const eventHang = (l: string): number => {
  const m = /^( *)(\d+ +\S+ +)/.exec(l);
  return m ? m[2].length : 4;
};

/**
 * Each finding's block: signature, first witness, last events, replay lines.
 * Lines wrap at `width`; the replay lines stay whole (paste-ready, they may be wider).
 */
export function renderFindings(outcomes: PolicyOutcome[], replay: (o: PolicyOutcome, seed: string, signature: string) => string[], width = DEFAULT_WIDTH): string {
  const lines: string[] = [];
  const say = (l: string, hang = 4): void => void lines.push(...wrapLine(l, width, hang));
  for (const o of outcomes) {
    for (const b of o.buckets) {
      const tag = o.expect.includes(b.kind) ? 'expected' : 'UNEXPECTED';
      say(`[${o.policy}] ${tag} x${b.count}: ${b.signature}`);
      say(`    first witness: seed ${b.firstSeed}, step ${b.firstStep}, vCPU ${b.first.actor}: ${b.first.detail}`);
      for (const l of lastEventsLines(b.first, o.mode)) say(l, eventHang(l));
      for (const r of replay(o, b.firstSeed, b.signature)) lines.push(`    replay: ${r}`);
    }
    if (o.verdict === 'missed') say(`[${o.policy}] MISSED: ${o.reason} (${fmtSteps(o.steps)} steps)`);
    if (o.verdict === 'inconclusive') say(`[${o.policy}] INCONCLUSIVE: ${o.reason}`);
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
  if (r === 'PASS') return `realmrace: PASS - ${n}/${n} policies met expectations (${what})`;
  const failed = outcomes.filter((o) => o.verdict === 'unexpected' || o.verdict === 'missed');
  const unsure = outcomes.filter((o) => o.verdict === 'inconclusive');
  const why = (os: PolicyOutcome[]): string => os.map((o) => `${o.policy}: ${o.verdict === 'unexpected' ? `unexpected ${o.unexpected.join(',')}` : o.verdict === 'missed' ? `missed ${o.missed.join(',')}` : o.reason}`).join('; ');
  if (r === 'FAIL') {
    return `realmrace: FAIL - ${failed.length}/${n} policies did not meet their expectation (${why(failed)})${unsure.length ? `; inconclusive: ${why(unsure)}` : ''} (${what})`;
  }
  return `realmrace: INCONCLUSIVE - ${unsure.length}/${n} policies without enough evidence for a verdict (${why(unsure)}) (${what})`;
}
