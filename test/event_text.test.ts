// One rendering of typed trace events (src/report/event_text.ts), used by every
// view: show text, show --html and a finding's "last events" (run, nightly).

import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runConfig } from '../src/run/config.js';
import { builtinPolicy } from '../src/kernel/policies/index.js';
import { runPolicyControlled } from '../src/run/run_policy.js';
import { reproducerForSeed } from '../src/repro/make.js';
import { replay } from '../src/repro/replay.js';
import { traceView, type TraceView } from '../src/report/trace_view.js';
import { renderTraceText } from '../src/report/trace_text.js';
import { esc, renderTraceHtml } from '../src/report/trace_html.js';
import { renderFindings } from '../src/report/outcome_table.js';
import { EV_TEXT, eventJson, eventText } from '../src/report/event_text.js';
import { Ev, Res, fnId, rsiSetProgress } from '../src/check/events.js';
import { Trace, type TraceEvent } from '../src/check/trace.js';
import { mergedLastEvents } from '../src/check/finding.js';
import { mk_pte } from '../src/model/pte.js';
import type { PolicyOutcome } from '../src/run/outcome.js';

const ev = (e: Ev, a = 0, b = 0): TraceEvent => ({ step: 7, actor: 1, ev: e, a, b });

/** The policy's first failing schedule: its outcome (with the finding's last events) and the replayed full trace. */
async function failing(policy: string, seed: string): Promise<{ outcome: PolicyOutcome; view: TraceView }> {
  const cfg = runConfig();
  const p = builtinPolicy(policy)!;
  const outcome = runPolicyControlled(p, cfg, seed, { schedules: 300, stopOnFirst: true });
  expect(outcome.buckets.length).toBeGreaterThan(0);
  const x = await replay(reproducerForSeed(cfg, p, policy, outcome.buckets[0].firstSeed), { log: true });
  return { outcome, view: traceView(policy, cfg.realm.vcpus, x.result.log!, x.result.finding, x.result.steps, x.result.traceHash) };
}

/** The "last events" block of a finding as `run` prints it. */
const lastEventLines = (o: PolicyOutcome): string[] => {
  const lines = renderFindings([o], () => []).split('\n');
  const from = lines.findIndex((l) => l.includes('last events'));
  return lines.slice(from + 1).filter((l) => /^ {6}\s*-?\d+ /.test(l));
};

let sea: { outcome: PolicyOutcome; view: TraceView }; // no-dsb: SEA through a stale TLB entry
let lastText: string[];
let showText: string;
let html: string;

beforeAll(async () => {
  sea = await failing('no-dsb', '0x35');
  lastText = lastEventLines(sea.outcome);
  showText = renderTraceText(sea.view, { width: 400 });
  html = renderTraceHtml(sea.view);
});

describe('event rendering', () => {
  it('reads like the show view: TLBI VAALE1IS 1511, DSB ISH, kernel calls with their argument', () => {
    expect(eventText(ev(Ev.TLBI_VA, 1511))).toBe('TLBI VAALE1IS 1511');
    expect(eventText(ev(Ev.DSB))).toBe('DSB ISH');
    expect(eventText(ev(Ev.CALL, fnId('set_memory_decrypted'), 92))).toBe('set_memory_decrypted(pg 92)');
    expect(eventText(ev(Ev.RET, fnId('set_memory_decrypted'), -22))).toBe('<- set_memory_decrypted: -22');
    expect(eventText(ev(Ev.ZEROPAD, 93, Res.SEA))).toBe('zeropad pg 93: SEA');
  });

  it('gives --json the typed fields, the code name and the same text', () => {
    expect(eventJson(ev(Ev.TLBI_VA, 1511))).toEqual({ step: 7, actor: 1, ev: 'TLBI_VA', a: 1511, b: 0, text: 'TLBI VAALE1IS 1511' });
  });

  it('has one entry per Ev code (a new code is one table line), none falling back to raw numbers', () => {
    const codes = Object.values(Ev).filter((v): v is Ev => typeof v === 'number');
    expect(codes.length).toBeGreaterThan(20);
    for (const c of codes) {
      expect(EV_TEXT[c]).toBeDefined();
      expect(eventText(ev(c, 5, 3))).not.toMatch(/^ev\d+ /);
    }
  });

  it("names the finding event after the schedule's finding, never `finding 0 0`", () => {
    expect(eventText(ev(Ev.FINDING), { findingKind: 'SEA' })).toBe('FINDING SEA');
    const kind = sea.outcome.buckets[0].first.kind;
    expect(lastText.at(-1)).toMatch(new RegExp(`\\d+ vCPU\\d\\s+FINDING ${kind}$`));
    expect(showText).toContain(`FINDING ${kind}`);
  });

  it("prints a finding's last events with the show view's words, not the event codes' names", () => {
    const f = sea.outcome.buckets[0].first;
    const events = mergedLastEvents(f).slice(-lastText.length);
    expect(lastText).toHaveLength(Math.min(14, mergedLastEvents(f).length));
    lastText.forEach((l, i) => expect(l.endsWith(` ${eventText(events[i], { findingKind: f.kind })}`)).toBe(true));
    const all = lastText.join('\n');
    expect(all).not.toMatch(/\b(tlbi_vaale1is|tlbi_rvaale1is|dsb_ish|pte_set|rsi_ipa_state_set|alloc_pages \d|free_pages \d|finding \d+ \d+|call \d|ret \d)\b/);
    // The same events read the same in the show view: each last event of the finding's actor is a cell there.
    for (const e of events.filter((x) => x.step >= 0)) expect(showText).toContain(eventText(e, { findingKind: f.kind }));
  });
});

describe('one PTE notation everywhere', () => {
  const PTE = /pte\[\d+\]=\d+ (VALID|invalid),(NS|prot)/;
  const OLD = [/pfn \d+ (VALID|invalid)\|/, /= pfn \d+/, /\bpte \d+(→\d+)? (V|inv)\b/, /\bPTE \d{5,}/];

  it('renders a descriptor as pte[vpn]=pfn VALID|invalid,NS|prot', () => {
    expect(eventText(ev(Ev.PTE_SET, 92, mk_pte(92, true, true)))).toBe('pte[92]=92 VALID,NS');
    expect(eventText(ev(Ev.PTE_SET, 92, mk_pte(92, false, false)))).toBe('pte[92]=92 invalid,prot');
  });

  it('show text, show --html, the last events and the finding detail use it, and no other', () => {
    const ptes = sea.view.events.filter((e) => e.ev === Ev.PTE_SET && e.step >= sea.view.steps - 80).map((e) => eventText(e));
    expect(ptes.length).toBeGreaterThan(0);
    for (const p of ptes) {
      expect(p).toMatch(PTE);
      expect(showText).toContain(p);
      expect(html).toContain(esc(p));
    }
    expect(lastText.join('\n')).toMatch(PTE);
    expect(sea.view.finding!.detail).toMatch(PTE); // do_sea ... at VA page n: pte[n]=...
    for (const out of [showText, html, lastText.join('\n'), sea.view.finding!.detail]) for (const o of OLD) expect(out).not.toMatch(o);
  });
});

describe('ranges are printed half-open', () => {
  it('RIPAS set, range TLBI, alloc and free as [first, end)', () => {
    expect(eventText(ev(Ev.RSI_SET, 92, rsiSetProgress(95, 0)))).toBe('RIPAS set [92, 95)');
    expect(eventText(ev(Ev.RSI_SET, 92, rsiSetProgress(92, 1)))).toBe('RIPAS set [92, 92) (none) REJECT');
    expect(eventText(ev(Ev.TLBI_RANGE, 92, 3))).toBe('TLBI RVAALE1IS [92, 95)');
    expect(eventText(ev(Ev.ALLOC, 92, 3))).toBe('alloc pg [92, 95)');
    expect(eventText(ev(Ev.FREE, 92, 1))).toBe('free pg [92, 93)');
  });

  it('no view prints an a..b range: steps, granules and pages read [a, b)', () => {
    for (const out of [showText, renderTraceText(sea.view), html, lastText.join('\n')]) expect(out).not.toMatch(/\d+\s*\.\.\s*\d+/);
    expect(showText).toMatch(/RIPAS_RAM set on granules \[0, \d+\)/);
    expect(html).toMatch(/Whole schedule: steps \[0, \d+\)/);
  });
});

describe('views work from the typed fields only', () => {
  it('a trace event is step, actor, Ev code, a, b: no text to parse', () => {
    const t = new Trace(2);
    t.record(1, Ev.TLBI_VA, 1511, 0);
    const [e] = t.lastEvents(1);
    expect(Object.keys(e).sort()).toEqual(['a', 'actor', 'b', 'ev', 'step']);
    expect(e.ev).toBe(Ev.TLBI_VA);
    for (const x of sea.view.events.slice(0, 50)) expect(Object.keys(x).sort()).toEqual(['a', 'actor', 'b', 'ev', 'step']);
  });

  it('no source file reads a .text property to recover structure (litmus instructions excepted: their text is the source line)', () => {
    const src = join(__dirname, '..', 'src');
    const files = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : f.endsWith('.ts') ? [join(d, f)] : []));
    const offenders = files(src).filter((f) => !f.includes(`${join('src', 'litmus')}`)).filter((f) => /\.text\b|split\(' -> '\)/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
