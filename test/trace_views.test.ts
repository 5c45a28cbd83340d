// The trace views of a replayed failing schedule: the text columns and the
// HTML swimlanes (and, when Chromium is installed, that the page renders).

import { describe, it, expect, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConfig } from '../src/run/config.js';
import { builtinPolicy } from '../src/kernel/policies/index.js';
import { runPolicyControlled } from '../src/run/run_policy.js';
import { reproducerForSeed } from '../src/repro/make.js';
import { replay } from '../src/repro/replay.js';
import { traceView, type TraceView } from '../src/report/trace_view.js';
import { renderTraceText } from '../src/report/trace_text.js';
import { PAGE_WIDTH, esc, functionSpans, renderTraceHtml } from '../src/report/trace_html.js';
import { CHROMIUM, WINDOW, screenshotHtml } from '../src/report/screenshot.js';
import { Ev, fnId } from '../src/check/events.js';

async function failingView(policy: string, seed = '0x9'): Promise<TraceView> {
  const cfg = runConfig();
  const p = builtinPolicy(policy)!;
  const o = runPolicyControlled(p, cfg, seed, { schedules: 300, stopOnFirst: true });
  expect(o.buckets.length).toBeGreaterThan(0);
  const rep = reproducerForSeed(cfg, p, policy, o.buckets[0].firstSeed);
  const x = await replay(rep, { log: true });
  return traceView(policy, cfg.realm.vcpus, x.result.log!, x.result.finding, x.result.steps, x.result.traceHash);
}

// no-dsb: stale TLB entry (the TLBI never completed), SEA in a store. (It was v2-no-bbm's
// stale-entry SEA before R31 made v2's live NS flip a bbm-violation at the PTE write.)
let v2: TraceView;
let vm: TraceView; // vmalloc-naive: valid linear alias of a vmalloc-mapped page, a long schedule

beforeAll(async () => {
  v2 = await failingView('no-dsb', '0x35');
  vm = await failingView('vmalloc-naive');
});

/** Table rows (between the rules) split into trimmed cells: [step, ...actors]. */
function tableRows(text: string): string[][] {
  return text.split('\n').filter((l) => l.startsWith('|')).map((l) => l.slice(1, -1).split('|').map((c) => c.trim()));
}

/** The SVG fragments of a page, checked as XML: tags balance, attributes quoted, '&' only in entities. */
function svgFragments(html: string): string[] {
  const out: string[] = [];
  const re = /<svg[\s>][\s\S]*?<\/svg>/g;
  for (let m = re.exec(html); m; m = re.exec(html)) out.push(m[0]);
  return out;
}
function checkXml(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<|>/g;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    if (m[0] === '<') throw new Error(`stray '<' at ${m.index}: ${xml.slice(m.index, m.index + 60)}`);
    if (m[0] === '>') throw new Error(`stray '>' at ${m.index}: ${xml.slice(Math.max(0, m.index - 60), m.index + 1)}`);
    const [, close, name, , self] = m;
    if (self) continue;
    if (!close) stack.push(name);
    else if (stack.pop() !== name) throw new Error(`</${name}> closes the wrong element at ${m.index}`);
  }
  expect(stack).toEqual([]);
  expect(xml).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
}

describe('text trace view', () => {
  it('has one column per actor: step, vCPU0..vCPU3, host', () => {
    const text = renderTraceText(v2);
    const rows = tableRows(text);
    expect(rows[0]).toEqual(['step', 'vCPU0', 'vCPU1', 'vCPU2', 'vCPU3', 'host']);
    for (const r of rows) expect(r).toHaveLength(v2.actors.length + 1);
  });

  it('puts each event in the column of the actor that ran the step, several events of a step on continuation rows', () => {
    const rows = tableRows(renderTraceText(v2)).slice(1);
    const shown = v2.events.filter((e) => e.step >= v2.steps - 120);
    let step = -1;
    let cells = 0;
    for (const r of rows) {
      if (r[0] !== '') step = Number(r[0].replace('>>>', '').trim());
      const used = r.slice(1).map((c, i) => [c, i] as const).filter(([c]) => c !== '');
      expect(used).toHaveLength(1); // controlled mode: one actor per step
      expect(shown.some((e) => e.step === step && e.actor === used[0][1])).toBe(true);
      cells++;
    }
    expect(cells).toBe(shown.length);
  });

  it('marks the failing access with >>> and prints the finding signature under the table', () => {
    const text = renderTraceText(v2);
    const f = v2.finding!;
    const rows = tableRows(text);
    const first = rows.findIndex((r) => r[0].startsWith('>>>'));
    expect(rows[first][0]).toBe(`>>> ${f.step}`);
    // The step's lines: the first is labelled, the others (the same step) are not.
    let end = first + 1;
    while (end < rows.length && rows[end][0] === '') end++;
    const marked = rows.slice(first, end).map((r) => r[f.actor + 1]).filter((c) => c.startsWith('>>>'));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatch(/^>>> zeropad pg \d+: SEA$/);
    const lines = text.split('\n');
    const lastRule = lines.map((l) => l.startsWith('+')).lastIndexOf(true);
    expect(lines[lastRule + 1]).toBe(`>>> step ${f.step}, vCPU${f.actor}: ${f.signature}`);
    expect(lines[lastRule + 2]).toContain(f.detail);
  });

  it('names the kernel functions called (set_memory_*, __change_memory_common, flush_tlb_kernel_range, rsi_set_memory_range)', () => {
    const text = renderTraceText(vm);
    for (const fn of ['set_memory_encrypted(', '__change_memory_common(', 'flush_tlb_kernel_range(', 'rsi_set_memory_range(', '__free_pages(']) expect(text).toContain(fn);
    expect(renderTraceText(v2)).toContain('set_memory_decrypted(');
  });

  it('shows PTE, RIPAS and TLB changes', () => {
    const text = renderTraceText(vm);
    expect(text).toMatch(/pte\[\d+\]=\d+ VALID,(NS|prot)/);
    expect(text).toMatch(/pte\[\d+\]=\d+ invalid,(NS|prot)/);
    expect(text).toMatch(/RIPAS set \[\d+, \d+\)/);
    expect(text).toMatch(/TLBI VAALE1IS \d+/);
    expect(text).toContain('DSB ISH');
  });

  it('summarises boot in one line and, for a long schedule, shows the last 120 steps saying how many were elided', () => {
    const text = renderTraceText(vm);
    const boot = text.split('\n').filter((l) => l.includes('arm64_rsi_setup_memory'));
    expect(boot).toHaveLength(1);
    expect(boot[0]).toMatch(/^boot \(vCPU0, \d+ events\): arm64_rsi_setup_memory\(\d+ pg\) > rsi_set_memory_range/);
    const from = vm.steps - 120;
    expect(text).toContain(`... ${from} earlier steps elided (steps [0, ${from})); showing steps [${from}, ${vm.steps}) ...`);
    const steps = tableRows(text).slice(1).filter((r) => r[0] !== '').map((r) => Number(r[0].replace('>>>', '')));
    expect(Math.min(...steps)).toBeGreaterThanOrEqual(from);
    expect(Math.max(...steps)).toBe(vm.failingStep);
  });

  it('shows every step of a short schedule, and the last N steps when asked', () => {
    const short: TraceView = { ...v2, events: v2.events.filter((e) => e.step < 150), steps: 150, finding: null, failingStep: -1 };
    const all = renderTraceText(short);
    expect(all).not.toContain('elided');
    expect(all).toContain('no finding');
    const steps = new Set(tableRows(all).slice(1).filter((r) => r[0] !== '').map((r) => Number(r[0])));
    expect(steps).toEqual(new Set(short.events.filter((e) => e.step >= 0).map((e) => e.step)));
    const last30 = tableRows(renderTraceText(v2, { last: 30 })).slice(1).filter((r) => r[0] !== '').map((r) => Number(r[0].replace('>>>', '')));
    expect(Math.min(...last30)).toBeGreaterThanOrEqual(v2.steps - 30);
  });

  it('fits the table in the width, cutting long cells with an ellipsis', () => {
    for (const width of [160, 100]) {
      const table = renderTraceText(vm, { width }).split('\n').filter((l) => l.startsWith('|') || l.startsWith('+'));
      for (const l of table) expect(l.length).toBeLessThanOrEqual(width);
      if (width === 100) expect(table.some((l) => l.includes('…'))).toBe(true);
    }
  });
});

describe('HTML trace view', () => {
  it('is a well-formed page with an overview and a zoomed SVG, each with one lane per actor', () => {
    const html = renderTraceHtml(vm);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    const svgs = svgFragments(html);
    expect(svgs).toHaveLength(2);
    for (const svg of svgs) {
      checkXml(svg);
      const lanes = [...svg.matchAll(/class="lane" data-actor="([^"]+)"/g)].map((m) => m[1]);
      expect(lanes).toEqual(['vCPU0', 'vCPU1', 'vCPU2', 'vCPU3', 'host']);
    }
    expect(html).toContain(`Last 80 steps up to the failure: steps [${vm.failingStep - 79}, ${vm.failingStep + 1})`);
  });

  it('marks the failing step with a red vertical line labelled with the (escaped) finding signature', () => {
    const html = renderTraceHtml(v2);
    const markers = [...html.matchAll(/<g class="failing-step" data-step="(\d+)">[\s\S]*?<line [^>]*stroke="#d62728"[\s\S]*?<\/g>/g)];
    expect(markers).toHaveLength(2);
    for (const m of markers) {
      expect(Number(m[1])).toBe(v2.failingStep);
      expect(m[0]).toContain(esc(v2.finding!.signature));
    }
    expect(v2.finding!.signature).toContain(' > ');
    expect(html).not.toContain('d_hash > load_unaligned_zeropad');
    expect(html).toMatch(/class="ev ev-fault failing"/);
  });

  it('draws kernel function spans as labelled bars and gives every event mark hover text', () => {
    const html = renderTraceHtml(v2);
    expect(html).toMatch(/<g class="span" data-fn="set_memory_encrypted"><title>vCPU\d: set_memory_encrypted\(pg \d+\) steps \[\d+, \d+\) returned 0<\/title>/);
    expect(html).toMatch(/<text [^>]*>set_memory_decrypted\(pg \d+\)<\/text>/);
    const marks = [...html.matchAll(/<(rect|g) class="ev ev-(\w+)[^"]*"[^>]*>(<title>[^<]+<\/title>)?/g)];
    expect(marks.length).toBeGreaterThan(v2.events.length / 2);
    for (const m of marks) expect(m[3]).toBeDefined();
    expect(new Set(marks.map((m) => m[2]))).toEqual(new Set(['pte', 'tlb', 'rsi', 'ok', 'fixup', 'fault', 'other']));
  });

  it('reconstructs set_memory_* spans from CALL to RET', () => {
    const spans = functionSpans(vm).filter((s) => s.fn === 'set_memory_encrypted' && s.ret !== undefined);
    expect(spans.length).toBeGreaterThan(10);
    for (const s of spans) {
      expect(vm.events.some((e) => e.step === s.start && e.actor === s.actor && e.ev === Ev.CALL && e.a === fnId('set_memory_encrypted'))).toBe(true);
      expect(vm.events.some((e) => e.step === s.end && e.actor === s.actor && e.ev === Ev.RET && e.a === fnId('set_memory_encrypted') && e.b === s.ret)).toBe(true);
    }
  });

  it('escapes text: a title or finding detail containing <script> stays text', () => {
    const evil: TraceView = {
      ...v2,
      title: '<script>alert("x")</script> & co\'s',
      finding: { ...v2.finding!, detail: '<img src=x onerror=alert(1)>' },
    };
    const html = renderTraceHtml(evil);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co&#39;s');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    for (const svg of svgFragments(html)) checkXml(svg);
  });

  it('is self-contained: no http(s) src or href, no @import or url()', () => {
    for (const v of [v2, vm]) {
      const html = renderTraceHtml(v);
      expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
      expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg")/);
      expect(html).not.toMatch(/@import|url\((?!#)/);
      expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    }
  });

  it.skipIf(!existsSync(CHROMIUM))('renders in headless Chromium to a screenshot of the window size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realmrace-trace-'));
    try {
      const htmlPath = join(dir, 'trace.html');
      const pngPath = join(dir, 'trace.png');
      writeFileSync(htmlPath, renderTraceHtml(v2));
      await screenshotHtml(htmlPath, pngPath);
      expect(existsSync(pngPath)).toBe(true);
      expect(statSync(pngPath).size).toBeGreaterThan(10 * 1024);
      const png = readFileSync(pngPath);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([WINDOW.width, WINDOW.height]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
  // Layout measured by Chromium itself: a copy of the page with a probe script
  // (the page ships without scripts) that writes the document's scroll width and
  // the failing mark's box into an attribute, read back with --dump-dom.
  async function measure(html: string, width: number, height: number): Promise<{ scrollWidth: number; clientWidth: number; innerHeight: number; mark: number[]; line: number[] }> {
    const dir = mkdtempSync(join(tmpdir(), 'realmrace-measure-'));
    try {
      const probe = `<script>const box = (s) => { const r = document.querySelector(s).getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; };
document.body.setAttribute('data-measure', JSON.stringify({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth, innerHeight, mark: box('#zoom .failing'), line: box('#zoom .failing-step line') }));</script>`;
      const page = join(dir, 'trace.html');
      writeFileSync(page, html.replace('</body>', `${probe}</body>`));
      const args = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        `--user-data-dir=${join(dir, 'profile')}`, `--window-size=${width},${height}`, '--dump-dom', `file://${page}`];
      const dom = await new Promise<string>((ok, fail) => execFile(CHROMIUM, args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, out) => (err ? fail(err) : ok(String(out)))));
      const m = /data-measure="([^"]*)"/.exec(dom);
      expect(m).not.toBeNull();
      return JSON.parse(m![1].replaceAll('&quot;', '"'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it.skipIf(!existsSync(CHROMIUM))(`puts the failing step in view without horizontal scrolling at ${PAGE_WIDTH} px (measured in Chromium)`, async () => {
    for (const v of [v2, vm]) {
      const m = await measure(renderTraceHtml(v), PAGE_WIDTH, 900);
      expect(m.scrollWidth).toBeLessThanOrEqual(m.clientWidth); // nothing to scroll sideways
      const [left, right] = m.mark; // the circled failing access in the zoomed lanes
      expect(left).toBeGreaterThanOrEqual(0);
      expect(right).toBeLessThanOrEqual(m.clientWidth);
      // The red failing-step line (labelled step, actor, signature) starts in the first screen: the zoom comes first.
      const [lineLeft, lineRight, lineTop] = m.line;
      expect(lineLeft).toBeGreaterThanOrEqual(0);
      expect(lineRight).toBeLessThanOrEqual(m.clientWidth);
      expect(lineTop).toBeLessThan(m.innerHeight / 2);
    }
  }, 120_000);
});
