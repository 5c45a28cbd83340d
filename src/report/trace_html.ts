// The HTML trace view: a self-contained page (no external resources) with SVG
// swimlanes, one horizontal lane per actor (vCPU0.., host), steps along x.
// Each event is a small mark coloured by kind, kernel functions (CALL events)
// are labelled bars, the failing step is a red vertical line labelled with the
// finding signature. The first SVG fits the whole schedule; the second zooms
// into the last steps before the failure, where labels are legible.

import type { TraceEvent } from '../check/trace.js';
import type { TraceView } from './trace_view.js';
import { accessResult, bootSummary, compactEventText, isFault } from './trace_text.js';

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
  switch (e.ev) {
    case 'call': case 'ret': return null; // drawn as function spans
    case 'pte_set': case 'pmd_split': case 'vmap_pte': return 'pte';
    case 'tlbi_vaale1is': case 'tlbi_vmalle1is': case 'tlbi_rvaale1is': case 'dsb_ish': return 'tlb';
    case 'rsi_ipa_state_set': case 'rsi_ipa_state_get': return 'rsi';
    case 'finding': return 'fault';
    case 'access': case 'load_unaligned_zeropad': case 'host_io': {
      if (isFault(e)) return 'fault';
      const r = accessResult(e);
      return r === 'ok' ? 'ok' : 'fixup';
    }
    default: return 'other';
  }
}

/** A kernel function call drawn as a bar: outer (set_memory_*, vmalloc, ...) or inner (leaf helpers). */
export interface Span { actor: number; fn: string; arg: string; start: number; end: number; outer: boolean; ret?: string; unfinished?: boolean }

/** Functions that bracket others: they own the outer bar row. Those with a RET event end there. */
const OUTER_FNS = new Set([
  'set_memory_decrypted', 'set_memory_encrypted', 'vmalloc', 'vfree', 'dma_direct_alloc', 'dma_direct_free', 'netvsc_init_buf',
  'netvsc_free_buf', 'decrypted_pool_alloc', 'decrypted_pool_free', 'decrypted_pool_refill', 'decrypted_pool_shrink', 'host_virtio_io',
  'vm_unmap_aliases', 'vmap_pages_decrypted', 'arm64_rsi_setup_memory',
]);
/** Events a helper's span may cover: any other event ends the helper (it returned, its caller went on). */
const HELPER_EVS: Record<string, string[]> = {
  __change_memory_common: ['pte_set', 'pmd_split'],
  split_kernel_leaf_mapping: ['pte_set', 'pmd_split'],
  flush_tlb_kernel_range: ['tlbi_vaale1is', 'tlbi_rvaale1is', 'tlbi_vmalle1is', 'dsb_ish'],
  flush_tlb_all: ['tlbi_vaale1is', 'tlbi_rvaale1is', 'tlbi_vmalle1is', 'dsb_ish'],
  rsi_set_memory_range: ['rsi_ipa_state_set', 'rsi_ipa_state_get'],
  alloc_pages: ['alloc_pages'],
  __free_pages: ['free_pages'],
  kmalloc: ['alloc_pages'],
  kfree: ['free_pages'],
};
/** Helpers that end with their first own event. */
const ONE_SHOT = new Set(['alloc_pages', '__free_pages', 'kmalloc', 'kfree']);
/** Workload-level events: they end any open helper, and any outer call that has no RET. */
const WORKLOAD_EVS = new Set(['access', 'load_unaligned_zeropad', 'post_to_host', 'blocked', 'finding']);

/**
 * Reconstruct call spans per actor. Only set_memory_* log a RET, so a helper
 * call without one lasts while that actor's events are of the helper's kind
 * (PTE writes for __change_memory_common, TLBIs for flush_tlb_kernel_range,
 * ...) and before its next call or workload-level event; an outer call
 * without RET lasts until the next outer call or workload-level event.
 */
export function functionSpans(view: TraceView): Span[] {
  const n = view.actors.length;
  const spans: Span[] = [];
  const withRet = new Set(view.events.filter((e) => e.ev === 'ret').map((e) => e.text.split(' -> ')[0]));
  interface Open { fn: string; arg: string; start: number; last: number; hasRet: boolean }
  const outer: (Open | null)[] = new Array(n).fill(null);
  const inner: (Open | null)[] = new Array(n).fill(null);
  const close = (a: number, o: Open, isOuter: boolean, extra: Partial<Span> = {}): void => {
    spans.push({ actor: a, fn: o.fn, arg: o.arg, start: o.start, end: o.last, outer: isOuter, ...extra });
  };
  const closeInner = (a: number): void => {
    const o = inner[a];
    if (o) close(a, o, false);
    inner[a] = null;
  };
  for (const e of view.events) {
    if (e.step < 0) continue;
    const a = Math.min(Math.max(e.actor, 0), n - 1);
    if (e.ev === 'call') {
      const p = e.text.indexOf('(');
      const fn = p < 0 ? e.text : e.text.slice(0, p);
      const arg = p < 0 ? '' : e.text.slice(p + 1, -1);
      closeInner(a);
      if (OUTER_FNS.has(fn) || withRet.has(fn)) {
        const o = outer[a];
        if (o) close(a, o, true, o.hasRet ? { unfinished: true } : {});
        outer[a] = { fn, arg, start: e.step, last: e.step, hasRet: withRet.has(fn) };
      } else {
        inner[a] = { fn, arg, start: e.step, last: e.step, hasRet: false };
        if (outer[a]) outer[a]!.last = e.step;
      }
    } else if (e.ev === 'ret') {
      closeInner(a);
      const [fn, ret] = e.text.split(' -> ');
      const o = outer[a];
      if (o && o.fn === fn) {
        o.last = e.step;
        close(a, o, true, { ret });
        outer[a] = null;
      }
    } else if (WORKLOAD_EVS.has(e.ev)) {
      closeInner(a);
      const o = outer[a];
      if (o && !o.hasRet) {
        close(a, o, true);
        outer[a] = null;
      } else if (o) o.last = e.step;
    } else {
      const i = inner[a];
      if (i) {
        const owns = HELPER_EVS[i.fn];
        if (owns && !owns.includes(e.ev)) closeInner(a);
        else {
          i.last = e.step;
          if (ONE_SHOT.has(i.fn)) closeInner(a);
        }
      }
      if (outer[a]) outer[a]!.last = e.step;
    }
  }
  for (let a = 0; a < n; a++) {
    const i = inner[a], o = outer[a];
    if (i) close(a, i, false, { unfinished: view.finding !== null });
    if (o) close(a, o, true, o.hasRet ? { unfinished: true } : {});
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
  const LABEL_FONT = 9;
  const labelMax = 92;
  const zoomEvents = zoomed ? zoomCells(view, from, to) : [];
  const laneHs = view.actors.map((_, a) => {
    if (!zoomed) return 2 + outerH + 1 + innerH + 2 + ROWS.length * rowH + 2;
    let chars = 4;
    for (const c of zoomEvents) if (c.actor === a) for (const e of c.shown) chars = Math.max(chars, zoomLabel(e).length);
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
  out.push(`<title>${esc(`${view.title}: ${zoomed ? `steps ${from}..${to}` : `all ${view.steps} steps`}`)}</title>`);
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
    const bad = s.ret !== undefined && s.ret !== '0';
    const desc = `${view.actors[s.actor]}: ${s.fn}(${s.arg}) steps ${s.start}..${s.end}${s.ret !== undefined ? ` returned ${s.ret}` : ''}${s.unfinished ? ' (did not return)' : ''}`;
    const lbl = label(w - 4, fontSpan, [bad ? `${s.fn}(${s.arg}) = ${s.ret}` : `${s.fn}(${s.arg})`, s.fn], [SHORT_FN[s.fn] ?? '', TINY_FN[s.fn] ?? '']);
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
      const m = `<rect class="ev ev-${k}" x="${f1(X(e.step))}" y="${marksY(a) + r * rowH}" width="${f1(Math.max(1.2, sx))}" height="${rowH - 1}" fill="${KIND_COLOUR[k]}"><title>${esc(`step ${e.step} ${view.actors[a]}: ${e.text}`)}</title></rect>`;
      (k === 'fault' ? faults : marks).push(m);
    }
  }
  for (const { step, actor: a, evs, shown } of zoomEvents) {
    const cw = sx / shown.length;
    shown.forEach((e, i) => {
      const k = markKind(e)!;
      const same = evs.filter((o) => o === e || (e.ev === 'pte_set' && o.ev === 'vmap_pte' && o.a === e.a) || (isFault(e) && o.ev === 'finding'));
      const cx = X(step) + cw * (i + 0.5);
      const sz = Math.min(10, Math.max(4, cw - 3));
      const my = marksY(a);
      const isFail = step === failing && a === view.finding?.actor && k === 'fault';
      const tip = `step ${step} ${view.actors[a]}: ${same.map((o) => o.text).join('; ')}`;
      const m = `<g class="ev ev-${k}${isFail ? ' failing' : ''}"><title>${esc(tip)}</title>` +
        (isFail ? `<circle cx="${f1(cx)}" cy="${my + markH / 2}" r="${f1(sz / 2 + 3)}" fill="none" stroke="${KIND_COLOUR.fault}" stroke-width="2"/>` : '') +
        `<rect x="${f1(cx - sz / 2)}" y="${my + (markH - sz) / 2}" width="${f1(sz)}" height="${f1(sz)}" fill="${KIND_COLOUR[k]}" rx="1.5"/>` +
        `<text transform="translate(${f1(cx - LABEL_FONT * 0.35)},${my + markH + 3}) rotate(90)" font-size="${LABEL_FONT}" fill="${k === 'fault' ? KIND_COLOUR.fault : '#222'}"${k === 'fault' ? ' font-weight="bold"' : ''}>${esc(label(labelMax, LABEL_FONT, [zoomLabel(e)]))}</text></g>`;
      (k === 'fault' ? faults : marks).push(m);
    });
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
    c.shown = c.evs.filter((e) => !(e.ev === 'vmap_pte' && c.evs.some((o) => o.ev === 'pte_set' && o.a === e.a)) && !(e.ev === 'finding' && c.evs.some(isFault)));
  }
  return [...cells.values()];
}

const SHORT_RESULT: Record<string, string> = { 'rec-exit-then-ok': 'REC exit', 'translation-fault': 'xlate fault', 'no-progress': 'no progress' };
const shortResult = (e: TraceEvent): string => SHORT_RESULT[accessResult(e)] ?? accessResult(e);

/** Short label for an event in the zoomed view (written vertically under its mark). */
function zoomLabel(e: TraceEvent): string {
  switch (e.ev) {
    case 'pte_set': {
      const pfn = e.b & ((1 << 21) - 1), valid = (e.b >> 21) & 1, ns = (e.b >> 22) & 1;
      return valid ? `pte ${e.a}${pfn === e.a ? '' : `→${pfn}`} V${ns ? ' NS' : ''}` : `pte ${e.a} inv${ns ? ' NS' : ''}`;
    }
    case 'tlbi_vaale1is': return `tlbi va ${e.a}`;
    case 'tlbi_vmalle1is': return 'tlbi all';
    case 'tlbi_rvaale1is': return `tlbi ${e.a}+${e.b}`;
    case 'dsb_ish': return 'dsb ish';
    case 'rsi_ipa_state_set': {
      const p = e.b & 0x3fffffff;
      return `ripas ${e.a}..${p}${e.b >>> 30 ? ' REJECT' : ''}`;
    }
    case 'access': return `acc ${e.a} ${shortResult(e)}`;
    case 'load_unaligned_zeropad': return `zpad ${e.a} ${shortResult(e)}`;
    case 'host_io': return `io ${e.a} ${shortResult(e)}`;
    case 'alloc_pages': return `alloc ${e.a} x${e.b}`;
    case 'free_pages': return `free ${e.a} x${e.b}`;
    case 'vmap_pte': return `vmap ${e.a}=${e.b}`;
    case 'post_to_host': return `post ${e.a}`;
    case 'blocked': return 'blocked';
    case 'finding': return 'FINDING';
    default: return compactEventText(e);
  }
}

const ZOOM_STEPS = 80;
const PLOT_W = 1560;

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
svg { display: block; }
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
<h2>Whole schedule: steps 0..${last} (hover a mark for the event)</h2>
${overview}
<h2>Last ${zw.to - zw.from + 1} steps ${f ? 'up to the failure' : 'of the schedule'}: steps ${zw.from}..${zw.to}</h2>
${zoom}
</body>
</html>
`;
}
