// The text trace view: one column per actor (vCPU0.., host), one row per step,
// the actor that ran the step holds the cell; several events of one step go on
// continuation rows. Kernel functions (CALL events), PTE / RIPAS / TLB changes
// and accesses are shown compactly; the failing access is marked with '>>>'
// and the finding is printed under the table. A kernel engineer reads the end,
// so long schedules show only their last steps.

import type { TraceEvent } from '../check/trace.js';
import type { TraceView } from './trace_view.js';

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

/** Result text of an access event ('ok', 'SEA', ...), or '' for other events. */
export const accessResult = (e: TraceEvent): string => {
  const i = e.text.lastIndexOf(': ');
  return i < 0 ? '' : e.text.slice(i + 2);
};

/** A short, column-friendly description of one event. */
export function compactEventText(e: TraceEvent, view?: TraceView): string {
  switch (e.ev) {
    case 'call': return e.text; // fn(arg)
    case 'ret': {
      const [fn, ret] = e.text.split(' -> ');
      return `<- ${fn}: ${ret}`;
    }
    case 'pte_set': return e.text.replace(' = pfn ', '=').replace('|', ',');
    case 'pmd_split': return `pmd_split block ${e.a}`;
    case 'vmap_pte': return `vmap [${e.a}] -> pfn ${e.b}`;
    case 'tlbi_vaale1is': return `TLBI VAALE1IS ${e.a}`;
    case 'tlbi_vmalle1is': return 'TLBI VMALLE1IS';
    case 'tlbi_rvaale1is': return `TLBI RVAALE1IS ${e.a} +${e.b}`;
    case 'dsb_ish': return 'DSB ISH';
    case 'rsi_ipa_state_set': {
      const progress = e.b & 0x3fffffff;
      const reject = e.b >>> 30 ? ' REJECT' : '';
      return `RIPAS set ${e.a}..${progress}${progress === e.a ? ' (none)' : ''}${reject}`;
    }
    case 'rsi_ipa_state_get': return `RIPAS get ${e.a}`;
    case 'access': return `access pg ${e.a}: ${accessResult(e)}`;
    case 'load_unaligned_zeropad': return `zeropad pg ${e.a}: ${accessResult(e)}`;
    case 'host_io': return `host_io pfn ${e.a}: ${accessResult(e)}`;
    case 'alloc_pages': return `got pfn ${e.a} x${e.b}`;
    case 'free_pages': return `freed pfn ${e.a} x${e.b}`;
    case 'post_to_host': return `post ${e.a} pg to host`;
    case 'blocked': return '(blocked)';
    case 'finding': return `!!! ${view?.finding?.kind ?? 'finding'}: kernel dies`;
    case 'boot': return 'boot done';
    default: return e.text;
  }
}

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
  const calls = boot.filter((e) => e.ev === 'call').map((e) => e.text);
  const rsi = boot.filter((e) => e.ev === 'rsi_ipa_state_set');
  const ripas = rsi.length ? `, RIPAS_RAM set on granules ${Math.min(...rsi.map((e) => e.a))}..${Math.max(...rsi.map((e) => e.b & 0x3fffffff))} in ${rsi.length} call${rsi.length === 1 ? '' : 's'}` : '';
  const done = boot.some((e) => e.ev === 'boot') ? ', boot ok' : '';
  return `boot (${view.actors[boot[0].actor] ?? 'vCPU0'}, ${boot.length} events): ${calls.join(' > ')}${ripas}${done}`;
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
  // | step | c0 | c1 | ... |  -> (n + 1) cells, each '| ' + cell + ' ', then a closing '|'
  const colW = Math.max(6, Math.min(48, Math.floor((width - (stepW + 3) - 1) / n) - 3));
  const rule = '+' + '-'.repeat(stepW + 2) + ('+' + '-'.repeat(colW + 2)).repeat(n) + '+';
  const row = (step: string, cells: string[]): string =>
    '| ' + step.padStart(stepW) + ' |' + cells.map((c) => ' ' + fit(c.replaceAll('|', '/'), colW) + ' |').join(''); // '|' only as the column rule

  const out: string[] = [];
  out.push(`trace: ${view.title}`);
  out.push(`actors: ${view.actors.join(', ')} | steps: ${view.steps} | trace hash: ${view.traceHash} | ${view.finding ? `finding at step ${view.failingStep} on ${view.actors[view.finding.actor] ?? `actor ${view.finding.actor}`}` : 'no finding'}`);
  out.push(bootSummary(view));
  if (from > 0) out.push(`... ${from} earlier step${from === 1 ? '' : 's'} elided (steps 0..${from - 1}); showing steps ${from}..${total - 1} ...`);
  out.push(rule);
  out.push(row('step', view.actors.map((a) => a)));
  out.push(rule);

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
    const marked = evs.some((e) => isFailing(e) && isFault(e)) ? isFault : (e: TraceEvent): boolean => e.ev === 'finding';
    for (const e of evs) {
      const col = e.actor >= 0 && e.actor < n ? e.actor : n - 1;
      let t = compactEventText(e, view);
      if (isFailing(e) && marked(e)) t = `${MARK} ${t}`;
      lines[col].push(t);
    }
    const height = Math.max(...lines.map((l) => l.length));
    for (let k = 0; k < height; k++) {
      const label = k === 0 ? (step === failing ? `${MARK} ${step}` : String(step)) : '';
      out.push(row(label, lines.map((l) => l[k] ?? '')));
    }
    i = j;
  }
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

/** An access whose result is a fault the kernel did not survive (SEA, GPF, translation fault). */
export function isFault(e: TraceEvent): boolean {
  if (e.ev !== 'access' && e.ev !== 'load_unaligned_zeropad' && e.ev !== 'host_io') return false;
  const r = accessResult(e);
  return r === 'SEA' || r === 'GPF' || r === 'translation-fault' || r === 'no-progress';
}
