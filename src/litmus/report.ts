// herd7-style text for one explored test, and the step-by-step witness view
// (one column per PE) for `realmrace litmus FILE --show TOKEN`.

import type { ExploreResult, Replay } from './explore.js';
import type { Event } from './machine.js';

export function observation(r: ExploreResult): 'Never' | 'Sometimes' | 'Always' {
  if (r.positive === 0n) return 'Never';
  return r.negative === 0n ? 'Always' : 'Sometimes';
}

export function formatHerd(r: ExploreResult, assertion: string, file: string, seconds: number): string {
  const out: string[] = [];
  out.push(`Test ${r.name} (${file})`);
  out.push(`States ${r.outcomes.length}`);
  const w = Math.max(...r.outcomes.map((o) => o.outcome.length), 8);
  const cw = Math.max(...r.outcomes.map((o) => String(o.count).length), 1);
  for (const o of r.outcomes) {
    out.push(`${o.satisfies ? '*>' : '  '}${o.outcome.padEnd(w)}  ${String(o.count).padStart(cw)} executions  token ${o.token}`);
  }
  out.push(r.positive > 0n ? 'Ok' : 'No');
  out.push('Witnesses');
  out.push(`Positive: ${r.positive} Negative: ${r.negative}`);
  out.push(`Condition exists (${assertion.trim()})`);
  out.push(`Observation ${r.name} ${observation(r)} ${r.positive} ${r.negative}`);
  out.push(`Executions ${r.executions} (distinct states ${r.states}${r.loops ? `, ${r.loops} looping paths cut` : ''})`);
  out.push(`Time ${r.name} ${seconds.toFixed(2)}`);
  return out.join('\n');
}

function cell(s: string, w: number): string {
  return s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w);
}

/** One row per event, in the column of the PE it belongs to. */
export function formatReplay(name: string, threads: number, x: Replay, width: number): string {
  const cw = Math.max(20, Math.floor((width - 6) / threads) - 3);
  const out: string[] = [];
  out.push(`Witness of ${name}: ${x.outcome}${x.satisfies ? '  (satisfies the assertion)' : ''}`);
  const head = Array.from({ length: threads }, (_, i) => cell(`P${i}`, cw)).join(' | ');
  out.push(`step | ${head}`);
  out.push('-'.repeat(7 + threads * (cw + 3)));
  const row = (n: string, e: Event) => {
    const cols = Array.from({ length: threads }, (_, i) => cell(i === e.thread ? e.text : '', cw));
    out.push(`${n.padStart(4)} | ${cols.join(' | ')}`.trimEnd());
  };
  for (const e of x.program.initialEvents) row('0', e);
  x.steps.forEach((evs, i) => evs.forEach((e, j) => row(j === 0 ? String(i + 1) : '', e)));
  out.push(`final: ${x.outcome}`);
  return out.join('\n');
}
