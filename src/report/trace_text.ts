// The text trace view: one column per actor (vCPU0.., host), one row per step,
// the actor that ran the step holds the cell; several events of one step go on
// continuation rows. Each event reads as event_text.ts renders it (the words a
// finding's last events use too); the failing access is marked with '>>>'
// and the finding is printed under the table. A kernel engineer reads the end,
// so long schedules show only their last steps.

import type { TraceEvent } from '../check/trace.js';
import { Ev, rsiSetTop } from '../check/events.js';
import type { TraceView } from './trace_view.js';
import { eventText, isFault, range } from './event_text.js';

export interface TraceTextOptions {
  /** Show only the last `last` steps (default: all, or the last 120 if the schedule has more than 400 steps). */
  last?: number;
  /** Total line width in columns (default 160). */
  width?: number;
}

const LONG_SCHEDULE = 400;
const DEFAULT_LAST = 120;
const MARK = '>>>';
const ELLIPSIS = '…';

/** The event as the views print it, the schedule's finding naming the FINDING event. */
export const viewEventText = (e: TraceEvent, view: TraceView): string => eventText(e, { findingKind: view.finding?.kind ?? null });

/** Cut `s` to `w` columns, ending with an ellipsis when cut. */
export function fit(s: string, w: number): string {
  if (w <= 0) return '';
  if (s.length <= w) return s.padEnd(w);
  return s.slice(0, Math.max(0, w - 1)) + ELLIPSIS;
}

/** One line saying what happened at boot (step -1). */
export function bootSummary(view: TraceView): string {
  const boot = view.events.filter((e) => e.step < 0);
  if (boot.length === 0) return 'boot: (no boot events)';
  const calls = boot.filter((e) => e.ev === Ev.CALL).map((e) => eventText(e));
  const rsi = boot.filter((e) => e.ev === Ev.RSI_SET);
  const ripas = rsi.length ? `, RIPAS_RAM set on granules ${range(Math.min(...rsi.map((e) => e.a)), Math.max(...rsi.map((e) => rsiSetTop(e.b))))} in ${rsi.length} call${rsi.length === 1 ? '' : 's'}` : '';
  const done = boot.some((e) => e.ev === Ev.BOOT) ? ', boot ok' : '';
  return `boot (${view.actors[boot[0].actor] ?? 'vCPU0'}, ${boot.length} events): ${calls.join(' > ')}${ripas}${done}`;
}

const MIN_COL = 6;
const MAX_COL = 48;

/**
 * Column widths for `room` characters of cells (3 of each go to padding and
 * the rule): a column whose longest cell is short (the host's) gets only what
 * it needs, and the rest is shared evenly by the others.
 */
function columnWidths(room: number, rows: string[][]): number[] {
  const n = rows[0].length;
  const need = new Array<number>(n).fill(MIN_COL);
  for (const r of rows) r.forEach((cell, c) => { need[c] = Math.max(need[c], cell.length); });
  const w = new Array<number>(n).fill(MIN_COL);
  let left = room - 3 * n;
  const order = [...need.keys()].sort((x, y) => need[x] - need[y]);
  order.forEach((c, k) => {
    w[c] = Math.max(MIN_COL, Math.min(MAX_COL, need[c], Math.floor(left / (n - k))));
    left -= w[c];
  });
  return w;
}

export function renderTraceText(view: TraceView, opts: TraceTextOptions = {}): string {
  const width = Math.max(40, opts.width ?? 160);
  const n = view.actors.length;
  const run = view.events.filter((e) => e.step >= 0);
  const lastStep = run.length ? run[run.length - 1].step : -1;
  const total = Math.max(view.steps, lastStep + 1);
  const last = opts.last ?? (total > LONG_SCHEDULE ? DEFAULT_LAST : Infinity);
  const from = Number.isFinite(last) ? Math.max(0, total - Math.max(1, Math.floor(last))) : 0;

  const stepW = Math.max(4, String(Math.max(0, total - 1)).length) + MARK.length + 1;
  const rows: [string, string[]][] = [];
  const failing = view.finding ? view.failingStep : -1;
  let i = 0;
  while (i < run.length && run[i].step < from) i++;
  while (i < run.length) {
    const step = run[i].step;
    let j = i;
    while (j < run.length && run[j].step === step) j++;
    const evs = run.slice(i, j);
    // Within a step, lines per actor (controlled steps have one actor, free-mode logs may have more).
    const lines: string[][] = Array.from({ length: n }, () => []);
    const isFailing = (e: TraceEvent): boolean => step === failing && e.actor === view.finding?.actor;
    const marked = evs.some((e) => isFailing(e) && isFault(e)) ? isFault : (e: TraceEvent): boolean => e.ev === Ev.FINDING;
    for (const e of evs) {
      const col = e.actor >= 0 && e.actor < n ? e.actor : n - 1;
      let t = viewEventText(e, view);
      if (isFailing(e) && marked(e)) t = `${MARK} ${t}`;
      lines[col].push(t);
    }
    const height = Math.max(...lines.map((l) => l.length));
    for (let k = 0; k < height; k++) {
      const label = k === 0 ? (step === failing ? `${MARK} ${step}` : String(step)) : '';
      rows.push([label, lines.map((l) => l[k] ?? '')]);
    }
    i = j;
  }

  // | step | c0 | c1 | ... |  -> (n + 1) cells, each '| ' + cell + ' ', then a closing '|'
  const colW = columnWidths(width - (stepW + 3) - 1, [view.actors, ...rows.map((r) => r[1])]);
  const rule = '+' + '-'.repeat(stepW + 2) + colW.map((w) => '+' + '-'.repeat(w + 2)).join('') + '+';
  const row = (step: string, cells: string[]): string =>
    '| ' + step.padStart(stepW) + ' |' + cells.map((c, k) => ' ' + fit(c.replaceAll('|', '/'), colW[k]) + ' |').join(''); // '|' only as the column rule

  const out: string[] = [];
  out.push(`trace: ${view.title}`);
  out.push(`actors: ${view.actors.join(', ')} | steps: ${view.steps} | trace hash: ${view.traceHash} | ${view.finding ? `finding at step ${view.failingStep} on ${view.actors[view.finding.actor] ?? `actor ${view.finding.actor}`}` : 'no finding'}`);
  out.push(bootSummary(view));
  if (from > 0) out.push(`... ${from} earlier step${from === 1 ? '' : 's'} elided (steps ${range(0, from)}); showing steps ${range(from, total)} ...`);
  out.push(rule, row('step', view.actors), rule);
  for (const [label, cells] of rows) out.push(row(label, cells));
  out.push(rule);

  if (view.finding) {
    const f = view.finding;
    out.push(`${MARK} step ${f.step}, ${view.actors[f.actor] ?? `actor ${f.actor}`}: ${f.signature}`);
    out.push(`    ${f.detail}`);
  } else {
    out.push('no finding: the schedule ran to completion');
  }
  return out.join('\n');
}
