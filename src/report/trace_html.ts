// The HTML trace view: a self-contained page (no external resources) with SVG
// swimlanes, one horizontal lane per actor (vCPU0.., host), steps along x.
// Each event is a small mark coloured by kind, kernel functions (CALL events)
// are labelled bars, the failing step is a red vertical line labelled with the
// finding signature. The first SVG zooms into the last steps before the
// failure, where labels are legible; the second fits the whole schedule. Both
// fit a 1400 px window, so the failing step is in view without scrolling sideways.

import type { TraceEvent } from '../check/trace.js';
import { Ev, FN, Res, fnId, type FnName } from '../check/events.js';
import type { TraceView } from './trace_view.js';
import { bootSummary, viewEventText } from './trace_text.js';
import { callText, eventGroup, isFault, range } from './event_text.js';

/** How an event is drawn: its row inside a lane and its colour. */
export type MarkKind = 'pte' | 'tlb' | 'rsi' | 'ok' | 'fixup' | 'fault' | 'other';

export const KIND_COLOUR: Record<MarkKind, string> = {
  pte: '#1f6fd1',
  tlb: '#f08c00',
  rsi: '#7b3fb5',
  ok: '#2e9e44',
  fixup: '#0fa3b1',
  fault: '#d62728',
  other: '#8c8c8c',
};

const KIND_LABEL: Record<MarkKind, string> = {
  pte: 'PTE change',
  tlb: 'TLBI / DSB ISH',
  rsi: 'RSI: RIPAS change',
  ok: 'access ok',
  fixup: 'fault fixed up (zeropad fixup / REC exit)',
  fault: 'SEA / GPF / finding',
  other: 'alloc, free, other',
};

/** Rows of event marks inside a lane (overview), top to bottom. */
const ROWS: MarkKind[][] = [['pte'], ['tlb'], ['rsi'], ['ok', 'fixup', 'fault'], ['other']];

export function markKind(e: TraceEvent): MarkKind | null {
  switch (eventGroup(e)) {
    case 'call': return null; // drawn as function spans
    case 'pte': return 'pte';
    case 'tlb': return 'tlb';
    case 'rsi': return 'rsi';
    case 'finding': return 'fault';
    case 'access': return isFault(e) ? 'fault' : e.b === Res.OK ? 'ok' : 'fixup';
    default: return 'other';
  }
}

/** A kernel function call drawn as a bar: outer (set_memory_*, vmalloc, ...) or inner (leaf helpers). */
export interface Span { actor: number; fn: string; call: string; start: number; end: number; outer: boolean; ret?: number; unfinished?: boolean }

/** Functions that bracket others: they own the outer bar row. Those with a RET event end there. */
const OUTER_FNS = new Set<string>([
  'set_memory_decrypted', 'set_memory_encrypted', 'vmalloc', 'vfree', 'dma_direct_alloc', 'dma_direct_free', 'netvsc_init_buf',
  'netvsc_free_buf', 'decrypted_pool_alloc', 'decrypted_pool_free', 'decrypted_pool_refill', 'decrypted_pool_shrink', 'host_virtio_io',
  'vm_unmap_aliases', 'vmap_pages_decrypted', 'arm64_rsi_setup_memory',
] satisfies FnName[]);
/**
 * The kernel functions that log a RET on every return path (every CALL site in
 * src/kernel and src/host): open at the end of the log means cut short by the
 * finding (KernelDeath unwinds without RETs) or by the end of the run, never
 * "returned unseen".
 */
const LOGS_RET = new Set<number>(([
  'set_memory_decrypted', 'set_memory_encrypted', '__change_memory_common', 'flush_tlb_kernel_range', 'flush_tlb_all',
  'rsi_set_memory_range', 'split_kernel_leaf_mapping', 'alloc_pages', '__free_pages', 'vmalloc', 'vfree',
  'decrypted_pool_alloc', 'decrypted_pool_free', 'decrypted_pool_refill', 'decrypted_pool_shrink', 'host_virtio_io',
  'arm64_rsi_setup_memory', 'vm_unmap_aliases', 'vmap_pages_decrypted',
] satisfies FnName[]).map(fnId));
const TLB_EVS = [Ev.TLBI_VA, Ev.TLBI_RANGE, Ev.TLBI_ALL, Ev.DSB];
/** Events a helper without RET may cover: any other event ends it (it returned, its caller went on). */
const HELPER_EVS: Partial<Record<FnName, Ev[]>> = {
  __change_memory_common: [Ev.PTE_SET, Ev.PMD_SPLIT],
  split_kernel_leaf_mapping: [Ev.PTE_SET, Ev.PMD_SPLIT],
  flush_tlb_kernel_range: TLB_EVS,
  flush_tlb_all: TLB_EVS,
  rsi_set_memory_range: [Ev.RSI_SET, Ev.RSI_GET],
  alloc_pages: [Ev.ALLOC],
  __free_pages: [Ev.FREE],
  kmalloc: [Ev.ALLOC],
  kfree: [Ev.FREE],
};
/** Helpers without RET that end with their first own event. */
const ONE_SHOT = new Set<number>((['alloc_pages', '__free_pages', 'kmalloc', 'kfree'] satisfies FnName[]).map(fnId));
/** Workload-level events: they end every open call that has no RET. */
const WORKLOAD_EVS = new Set<number>([Ev.ACCESS, Ev.ZEROPAD, Ev.POST, Ev.BLOCKED, Ev.FINDING]);

/**
 * Call spans per actor, from the typed CALL/RET events: a CALL of a function
 * that logs a RET (every kernel function: LOGS_RET) lasts until the RET with
 * its function id (nested calls inside it are inner bars); one still open at
 * the end of the log (cut short by the finding) is unfinished. A call without a RET in the log lasts while that
 * actor's events are of the helper's kind (PTE writes for
 * __change_memory_common, TLBIs for flush_tlb_kernel_range, ...) and before its
 * next call or workload-level event; an outer call without RET lasts until the
 * next outer call or workload-level event.
 */
export function functionSpans(view: TraceView): Span[] {
  const n = view.actors.length;
  const spans: Span[] = [];
  const withRet = new Set(view.events.filter((e) => e.ev === Ev.RET).map((e) => e.a));
  interface Open { fn: number; call: string; start: number; last: number; hasRet: boolean; outer: boolean }
  const stacks: Open[][] = Array.from({ length: n }, () => []);
  const close = (a: number, o: Open, extra: Partial<Span> = {}): void => {
    spans.push({ actor: a, fn: FN[o.fn] ?? `fn${o.fn}`, call: o.call, start: o.start, end: o.last, outer: o.outer, ...extra });
  };
  /** Close the calls without RET on top of the stack (while `until` does not hold). */
  const closeHeuristic = (a: number, until: (o: Open) => boolean = () => false): void => {
    const st = stacks[a];
    while (st.length && !st[st.length - 1].hasRet && !until(st[st.length - 1])) close(a, st.pop()!);
  };
  const extend = (a: number, step: number): void => {
    for (const o of stacks[a]) o.last = step;
  };
  for (const e of view.events) {
    if (e.step < 0) continue;
    const a = Math.min(Math.max(e.actor, 0), n - 1);
    const st = stacks[a];
    if (e.ev === Ev.CALL) {
      const name = FN[e.a] ?? '';
      const hasRet = withRet.has(e.a) || LOGS_RET.has(e.a);
      // Another call ends the helpers without RET; an outer call without RET also ends the previous one.
      closeHeuristic(a, (o) => o.outer && !(OUTER_FNS.has(name) && !hasRet));
      extend(a, e.step);
      const outer = st.length === 0 && (hasRet || OUTER_FNS.has(name));
      st.push({ fn: e.a, call: callText(e.a, e.b), start: e.step, last: e.step, hasRet, outer });
    } else if (e.ev === Ev.RET) {
      let at = st.length - 1;
      while (at >= 0 && !(st[at].fn === e.a && st[at].hasRet)) at--;
      if (at < 0) continue;
      while (st.length > at + 1) {
        const o = st.pop()!;
        o.last = e.step;
        close(a, o, o.hasRet ? { unfinished: true } : {});
      }
      const o = st.pop()!;
      o.last = e.step;
      close(a, o, { ret: e.b });
    } else if (WORKLOAD_EVS.has(e.ev)) {
      closeHeuristic(a);
      extend(a, e.step);
    } else {
      const top = st[st.length - 1];
      if (top && !top.hasRet && !top.outer) {
        const owns = HELPER_EVS[FN[top.fn]];
        if (owns && !owns.includes(e.ev)) close(a, st.pop()!);
        else {
          top.last = e.step;
          if (ONE_SHOT.has(top.fn)) close(a, st.pop()!);
        }
      }
      extend(a, e.step);
    }
  }
  for (let a = 0; a < n; a++) {
    for (const o of stacks[a].reverse()) close(a, o, o.hasRet || (!o.outer && view.finding !== null) ? { unfinished: true } : {});
  }
  return spans;
}

const SPAN_COLOUR: Record<string, string> = {
  set_memory_decrypted: '#a9d3f5',
  set_memory_encrypted: '#ffd59a',
  vmalloc: '#d7c4ea',
  vfree: '#e6dcf2',
  host_virtio_io: '#d9d9d9',
  __change_memory_common: '#cfe3fb',
  flush_tlb_kernel_range: '#ffe8c7',
  flush_tlb_all: '#ffe8c7',
  rsi_set_memory_range: '#e4d6f2',
  split_kernel_leaf_mapping: '#cdebcf',
};
const spanColour = (fn: string): string => SPAN_COLOUR[fn] ?? (fn.startsWith('decrypted_pool') || fn.startsWith('dma_') || fn.startsWith('netvsc') ? '#cdebc0' : '#e8e8e8');

const SHORT_FN: Record<string, string> = {
  set_memory_decrypted: 'decrypt', set_memory_encrypted: 'encrypt', __change_memory_common: 'cmc', flush_tlb_kernel_range: 'flush',
  flush_tlb_all: 'flush', rsi_set_memory_range: 'rsi', split_kernel_leaf_mapping: 'split', alloc_pages: 'alloc', __free_pages: 'free',
  host_virtio_io: 'io', vmalloc: 'vmalloc', vfree: 'vfree',
};
const TINY_FN: Record<string, string> = { set_memory_decrypted: 'dec', set_memory_encrypted: 'enc', vmalloc: 'vm', vfree: 'vf', host_virtio_io: 'io' };

/** Escape text for HTML/SVG text content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const MONO = 0.6; // advance of a monospace glyph, in font sizes
/**
 * Fit a label into `px` pixels of monospace text at `font` px: the first
 * alternative that fits, else the first cut with an ellipsis (if a useful
 * part fits), else a short alternative, else a shorter cut, else nothing.
 */
function label(px: number, font: number, alts: string[], short: string[] = []): string {
  const max = Math.floor(px / (font * MONO));
  for (const a of alts) if (a.length <= max) return a;
  const first = alts[0] ?? '';
  if (max >= 14) return first.slice(0, max - 1) + '…';
  for (const a of short) if (a && a.length <= max) return a;
  return max >= 6 ? first.slice(0, max - 1) + '…' : '';
}

const f1 = (x: number): string => (Math.round(x * 10) / 10).toString();

function niceTick(range: number, target: number): number {
  const raw = Math.max(1, range / target);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

interface Geometry {
  from: number; // first step shown
  to: number; // last step shown (inclusive)
  plotW: number;
  zoomed: boolean;
}

const GUTTER = 72;
const RIGHT = 14;

/** One swimlane SVG over steps [from, to]. */
function swimlane(view: TraceView, spans: Span[], g: Geometry, id: string): string {
  const { from, to, plotW, zoomed } = g;
  const nSteps = to - from + 1;
  const sx = plotW / nSteps;
  const X = (step: number): number => GUTTER + (step - from) * sx;
  const n = view.actors.length;

  // Lane geometry. Zoomed lanes are as tall as their longest vertical label needs.
  const top = zoomed ? 20 : 17;
  const outerH = zoomed ? 13 : 8;
  const innerH = zoomed ? 11 : 6;
  const rowH = 5; // overview: one row per kind
  const markH = 10; // zoom: one row of marks, then vertical labels
  const LABEL_FONT = 8.5;
  const labelMax = 150; // px: 29 glyphs, a four-digit pte[...]=... in full
  const zoomEvents = zoomed ? zoomCells(view, from, to) : [];
  const laneHs = view.actors.map((_, a) => {
    if (!zoomed) return 2 + outerH + 1 + innerH + 2 + ROWS.length * rowH + 2;
    let chars = 4;
    for (const c of zoomEvents) if (c.actor === a) chars = Math.max(chars, cellLabel(view, c.shown).length);
    return 3 + outerH + 2 + innerH + 3 + markH + 2 + Math.min(labelMax, Math.ceil(chars * LABEL_FONT * MONO) + 4) + 2;
  });
  const laneTops = laneHs.map((_, a) => top + laneHs.slice(0, a).reduce((x, y) => x + y, 0));
  const lanesH = laneHs.reduce((x, y) => x + y, 0);
  const axisH = 20;
  const width = GUTTER + plotW + RIGHT;
  const height = top + lanesH + axisH;
  const laneY = (a: number): number => laneTops[a];
  const spanY = (a: number, isOuter: boolean): number => laneY(a) + (zoomed ? 3 : 2) + (isOuter ? 0 : outerH + (zoomed ? 2 : 1));
  const marksY = (a: number): number => spanY(a, false) + innerH + (zoomed ? 3 : 2);
  const fontSpan = zoomed ? 10 : 8;

  const out: string[] = [];
  out.push(`<svg id="${id}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace" role="img">`);
  out.push(`<title>${esc(`${view.title}: ${zoomed ? `steps ${range(from, to + 1)}` : `all ${view.steps} steps`}`)}</title>`);
  out.push(`<defs><clipPath id="${id}-plot"><rect x="${GUTTER}" y="0" width="${f1(plotW)}" height="${height}"/></clipPath></defs>`);

  // Lane backgrounds and names.
  for (let a = 0; a < n; a++) {
    const y = laneY(a);
    out.push(`<rect class="lane" data-actor="${esc(view.actors[a])}" x="0" y="${y}" width="${width}" height="${laneHs[a]}" fill="${a % 2 ? '#ffffff' : '#eef1f4'}"/>`);
    out.push(`<text x="6" y="${y + (zoomed ? 18 : laneHs[a] / 2 + 4)}" font-size="13" font-weight="bold" fill="#222">${esc(view.actors[a])}</text>`);
    if (zoomed) {
      out.push(`<text x="${GUTTER - 4}" y="${spanY(a, true) + outerH - 3}" font-size="8" text-anchor="end" fill="#777">call</text>`);
      out.push(`<text x="${GUTTER - 4}" y="${marksY(a) + markH - 2}" font-size="8" text-anchor="end" fill="#777">events</text>`);
    } else {
      const names = ['PTE', 'TLB', 'RSI', 'acc', 'etc'];
      ROWS.forEach((_, r) => out.push(`<text x="${GUTTER - 4}" y="${marksY(a) + r * rowH + rowH - 0.5}" font-size="5.5" text-anchor="end" fill="#666">${names[r]}</text>`));
    }
  }

  // Axis and grid.
  const tick = zoomed ? 10 : niceTick(nSteps, 16);
  const grid: string[] = [];
  if (zoomed) for (let s = from; s <= to + 1; s++) grid.push(`<line x1="${f1(X(s))}" y1="${top}" x2="${f1(X(s))}" y2="${top + lanesH}" stroke="${s % 10 === 0 ? '#c4c8cc' : '#e6e8ea'}" stroke-width="${s % 10 === 0 ? 1 : 0.6}"/>`);
  const axisY = top + lanesH;
  grid.push(`<line x1="${GUTTER}" y1="${axisY}" x2="${f1(GUTTER + plotW)}" y2="${axisY}" stroke="#444"/>`);
  for (let s = Math.ceil(from / tick) * tick; s <= to; s += tick) {
    const x = zoomed ? X(s) + sx / 2 : X(s);
    if (!zoomed) grid.push(`<line x1="${f1(x)}" y1="${top}" x2="${f1(x)}" y2="${axisY}" stroke="#d5d9dd" stroke-width="0.6"/>`);
    grid.push(`<line x1="${f1(x)}" y1="${axisY}" x2="${f1(x)}" y2="${axisY + 4}" stroke="#444"/><text x="${f1(x)}" y="${axisY + 15}" font-size="10" text-anchor="middle" fill="#333">${s}</text>`);
  }
  grid.push(`<text x="8" y="${axisY + 15}" font-size="10" fill="#333">step</text>`);
  out.push(`<g class="grid">${grid.join('')}</g>`);

  // Zoom window highlighted on the overview.
  const zoomWin = !zoomed ? zoomWindow(view) : null;
  if (zoomWin) {
    const x0 = X(zoomWin.from), x1 = X(zoomWin.to + 1);
    out.push(`<rect x="${f1(x0)}" y="${top}" width="${f1(Math.max(2, x1 - x0))}" height="${lanesH}" fill="#ffe866" fill-opacity="0.35" stroke="#c9a800" stroke-width="0.8"/>`);
    out.push(`<text x="${f1(x0 - 3)}" y="${top + lanesH - 3}" font-size="9" text-anchor="end" fill="#8a7400">zoom below ▸</text>`);
  }

  // Function spans.
  const sp: string[] = [];
  for (const s of spans) {
    if (s.end < from || s.start > to) continue;
    const a0 = Math.max(s.start, from), a1 = Math.min(s.end, to);
    const x = X(a0) + (zoomed ? 1 : 0), w = Math.max(zoomed ? sx - 2 : 1, X(a1 + 1) - X(a0) - (zoomed ? 2 : 0));
    const y = spanY(s.actor, s.outer);
    const h = s.outer ? outerH : innerH;
    const bad = s.ret !== undefined && s.ret !== 0;
    const desc = `${view.actors[s.actor]}: ${s.call} steps ${range(s.start, s.end + 1)}${s.ret !== undefined ? ` returned ${s.ret}` : ''}${s.unfinished ? ' (did not return)' : ''}`;
    const lbl = label(w - 4, fontSpan, [bad ? `${s.call} = ${s.ret}` : s.call, s.fn], [SHORT_FN[s.fn] ?? '', TINY_FN[s.fn] ?? '']);
    sp.push(`<g class="span" data-fn="${esc(s.fn)}"><title>${esc(desc)}</title><rect x="${f1(x)}" y="${y}" width="${f1(w)}" height="${h}" rx="2" fill="${spanColour(s.fn)}" stroke="${bad ? '#d62728' : '#8a97a6'}" stroke-width="${bad ? 1.5 : 0.5}"/>${lbl ? `<text x="${f1(x + 2)}" y="${y + h - (zoomed ? 3.5 : 2)}" font-size="${fontSpan}" fill="#1d2630">${esc(lbl)}</text>` : ''}</g>`);
  }
  out.push(`<g class="spans" clip-path="url(#${id}-plot)">${sp.join('')}</g>`);

  // Event marks.
  const marks: string[] = [];
  const faults: string[] = [];
  const failing = view.finding ? view.failingStep : -1;
  if (!zoomed) {
    for (const e of view.events) {
      const k = markKind(e);
      if (e.step < from || e.step > to || k === null) continue;
      const a = Math.min(Math.max(e.actor, 0), n - 1);
      const r = ROWS.findIndex((row) => row.includes(k));
      const m = `<rect class="ev ev-${k}" x="${f1(X(e.step))}" y="${marksY(a) + r * rowH}" width="${f1(Math.max(1.2, sx))}" height="${rowH - 1}" fill="${KIND_COLOUR[k]}"><title>${esc(`step ${e.step} ${view.actors[a]}: ${viewEventText(e, view)}`)}</title></rect>`;
      (k === 'fault' ? faults : marks).push(m);
    }
  }
  for (const { step, actor: a, evs, shown } of zoomEvents) {
    const cw = sx / shown.length;
    shown.forEach((e, i) => {
      const k = markKind(e)!;
      const same = evs.filter((o) => o === e || (e.ev === Ev.PTE_SET && o.ev === Ev.VMAP && o.a === e.a) || (isFault(e) && o.ev === Ev.FINDING));
      const cx = X(step) + cw * (i + 0.5);
      const sz = Math.min(10, Math.max(4, cw - 3));
      const my = marksY(a);
      const isFail = step === failing && a === view.finding?.actor && k === 'fault';
      const tip = `step ${step} ${view.actors[a]}: ${same.map((o) => viewEventText(o, view)).join('; ')}`;
      const m = `<g class="ev ev-${k}${isFail ? ' failing' : ''}"><title>${esc(tip)}</title>` +
        (isFail ? `<circle cx="${f1(cx)}" cy="${my + markH / 2}" r="${f1(sz / 2 + 3)}" fill="none" stroke="${KIND_COLOUR.fault}" stroke-width="2"/>` : '') +
        `<rect x="${f1(cx - sz / 2)}" y="${my + (markH - sz) / 2}" width="${f1(sz)}" height="${f1(sz)}" fill="${KIND_COLOUR[k]}" rx="1.5"/></g>`;
      (k === 'fault' ? faults : marks).push(m);
    });
    // One vertical label per cell (a step is too narrow for two side by side), its events in order.
    const fault = shown.some((e) => markKind(e) === 'fault');
    const cx = X(step) + sx / 2;
    (fault ? faults : marks).push(`<text class="cell" transform="translate(${f1(cx - LABEL_FONT * 0.35)},${marksY(a) + markH + 3}) rotate(90)" font-size="${LABEL_FONT}" fill="${fault ? KIND_COLOUR.fault : '#222'}"${fault ? ' font-weight="bold"' : ''}>${esc(label(labelMax, LABEL_FONT, [cellLabel(view, shown)]))}</text>`);
  }
  out.push(`<g class="marks" clip-path="url(#${id}-plot)">${marks.join('')}${faults.join('')}</g>`);

  // The failing step.
  if (view.finding && failing >= from && failing <= to) {
    // Zoomed: on the right edge of the failing column, so it does not cross the circled mark's label.
    const x = zoomed ? X(failing) + sx - 1.5 : X(failing) + sx / 2;
    const f = view.finding;
    const txt = `✖ step ${failing}, ${view.actors[f.actor] ?? `actor ${f.actor}`}: ${f.signature}`;
    const right = x > GUTTER + plotW / 2;
    const room = right ? x - 4 : GUTTER + plotW + RIGHT - x - 4;
    out.push(`<g class="failing-step" data-step="${failing}"><title>${esc(`${txt}\n${f.detail}`)}</title>` +
      `<line x1="${f1(x)}" y1="${top - 6}" x2="${f1(x)}" y2="${top + lanesH}" stroke="${KIND_COLOUR.fault}" stroke-width="2"/>` +
      `<text x="${f1(right ? x - 4 : x + 4)}" y="${top - 8}" font-size="11" font-weight="bold" fill="${KIND_COLOUR.fault}" text-anchor="${right ? 'end' : 'start'}">${esc(label(room, 11, [txt]))}</text></g>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

/** The label of a zoomed (step, actor) cell: its events' texts in order. */
const cellLabel = (view: TraceView, shown: TraceEvent[]): string => shown.map((e) => viewEventText(e, view)).join(' · ');

interface ZoomCell { step: number; actor: number; evs: TraceEvent[]; shown: TraceEvent[] }

/** Drawn events of each (step, actor) in [from, to], merging what says the same thing twice (pte_set + vmap_pte, fault access + finding). */
function zoomCells(view: TraceView, from: number, to: number): ZoomCell[] {
  const n = view.actors.length;
  const cells = new Map<string, ZoomCell>();
  for (const e of view.events) {
    if (e.step < from || e.step > to || markKind(e) === null) continue;
    const actor = Math.min(Math.max(e.actor, 0), n - 1);
    const key = `${e.step}:${actor}`;
    const c = cells.get(key);
    if (c) c.evs.push(e); else cells.set(key, { step: e.step, actor, evs: [e], shown: [] });
  }
  for (const c of cells.values()) {
    c.shown = c.evs.filter((e) => !(e.ev === Ev.VMAP && c.evs.some((o) => o.ev === Ev.PTE_SET && o.a === e.a)) && !(e.ev === Ev.FINDING && c.evs.some(isFault)));
  }
  return [...cells.values()];
}

const ZOOM_STEPS = 80;
/**
 * Plot width: the page fits a 1400 px window without horizontal scrolling
 * (body margins 2 x 14, a 15 px scrollbar, GUTTER + RIGHT around the plot); on
 * narrower windows the SVGs scale down (CSS max-width).
 */
export const PAGE_WIDTH = 1400;
const PLOT_W = PAGE_WIDTH - 2 * 14 - 16 - GUTTER - RIGHT - 6;

function lastStepOf(view: TraceView): number {
  let last = view.steps - 1;
  for (const e of view.events) if (e.step > last) last = e.step;
  return Math.max(0, last);
}

/** The steps of the zoomed view: the last ZOOM_STEPS up to the failure (or the end). */
function zoomWindow(view: TraceView): { from: number; to: number } {
  const to = view.finding && view.failingStep >= 0 ? view.failingStep : lastStepOf(view);
  return { from: Math.max(0, to - ZOOM_STEPS + 1), to };
}

const CSS = `
body { font-family: system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif; margin: 6px 14px; color: #1d2630; background: #fff; }
.head { display: flex; align-items: baseline; gap: 26px; }
h1 { font-size: 19px; margin: 0 0 2px 0; }
h2 { font-size: 14px; margin: 6px 0 0 0; color: #333; }
.meta { font-size: 12.5px; display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 2px 0; }
.meta b { color: #555; font-weight: 600; }
.finding { font-size: 13px; color: #b01d1e; font-weight: 600; margin: 3px 0 1px 0; }
.detail, .boot { font-size: 12px; color: #444; margin: 1px 0; font-family: ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace; }
.legend { display: flex; flex-wrap: wrap; gap: 3px 13px; font-size: 11.5px; margin: 5px 0 2px 0; align-items: center; }
.legend span.sw { display: inline-block; width: 11px; height: 11px; border-radius: 2px; vertical-align: -1px; margin-right: 5px; }
.legend span.bar { display: inline-block; width: 26px; height: 10px; border: 0.5px solid #8a97a6; border-radius: 2px; vertical-align: -1px; margin-right: 5px; }
.legend span.line { display: inline-block; width: 3px; height: 13px; background: #d62728; vertical-align: -2px; margin-right: 5px; }
svg { display: block; max-width: 100%; height: auto; }
`;

export function renderTraceHtml(view: TraceView): string {
  const spans = functionSpans(view);
  const last = lastStepOf(view);
  const overview = swimlane(view, spans, { from: 0, to: last, plotW: PLOT_W, zoomed: false }, 'overview');
  const zw = zoomWindow(view);
  const zoom = swimlane(view, spans, { from: zw.from, to: zw.to, plotW: PLOT_W, zoomed: true }, 'zoom');
  const f = view.finding;
  const nEvents = view.events.filter((e) => e.step >= 0).length;
  const legend = [
    ...(Object.keys(KIND_COLOUR) as MarkKind[]).map((k) => `<span><span class="sw" style="background:${KIND_COLOUR[k]}"></span>${esc(KIND_LABEL[k])}</span>`),
    `<span><span class="bar" style="background:${spanColour('set_memory_decrypted')}"></span>set_memory_decrypted</span>`,
    `<span><span class="bar" style="background:${spanColour('set_memory_encrypted')}"></span>set_memory_encrypted</span>`,
    `<span><span class="bar" style="background:${spanColour('__change_memory_common')}"></span>other kernel functions (top bar: caller)</span>`,
    `<span><span class="line"></span>failing step</span>`,
  ].join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(`realmrace trace: ${view.title}`)}</title>
<style>${CSS}</style>
</head>
<body>
<div class="head"><h1>${esc(view.title)}</h1><div class="meta"><span><b>trace hash</b> ${esc(view.traceHash)}</span><span><b>steps</b> ${view.steps}</span><span><b>events</b> ${nEvents}</span><span><b>actors</b> ${esc(view.actors.join(', '))}</span>${f ? `<span><b>failing step</b> ${view.failingStep} on ${esc(view.actors[f.actor] ?? `actor ${f.actor}`)}</span>` : ''}</div></div>
${f ? `<div class="finding">${esc(f.signature)}</div>\n<div class="detail">${esc(f.detail)}</div>` : '<div class="finding" style="color:#2e7d32">no finding: the schedule ran to completion</div>'}
<div class="boot">${esc(bootSummary(view))}</div>
<div class="legend">${legend}</div>
<h2>Last ${zw.to - zw.from + 1} steps ${f ? 'up to the failure' : 'of the schedule'}: steps ${range(zw.from, zw.to + 1)}</h2>
${zoom}
<h2>Whole schedule: steps ${range(0, last + 1)} (hover a mark for the event)</h2>
${overview}
</body>
</html>
`;
}
