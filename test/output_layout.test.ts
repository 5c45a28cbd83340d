// Output a person can read (issue 9 item 11, layout): every table and line of
// run, sweep, nightly and merge fits 100 columns off a terminal, widens on a
// wider one, --wide shows every column, --json is one document with every
// column; run prints each policy's row as it finishes and shows progress only
// on a terminal. Paste-ready replay lines stay whole: the one exception to the width.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flat, realmraceSpawn, verdictOf } from './cli_helpers.js';
import { fitColumns, isPasteReady, wrapCell, wrapLine } from '../src/report/layout.js';
import { budgetProgress } from '../src/cli/run_progress.js';
import { verdictLine } from '../src/report/outcome_table.js';
import type { PolicyOutcome } from '../src/run/outcome.js';
import type { main as Main, Io } from '../src/cli/main.js';

const CWD = mkdtempSync(join(tmpdir(), 'realmrace-layout-'));
const MAIN = new URL('../dist/src/cli/main.js', import.meta.url).href;
const fixture = (f: string): string => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));

/** Every write to out and err, in order; `columns`: a fake terminal that wide (absent: no terminal). */
async function cli(args: string[], columns?: number): Promise<{ code: number; out: string; err: string; log: { to: 'out' | 'err'; s: string }[] }> {
  const { main } = (await import(MAIN)) as { main: typeof Main };
  const log: { to: 'out' | 'err'; s: string }[] = [];
  const io: Io = { out: (s) => void log.push({ to: 'out', s }), err: (s) => void log.push({ to: 'err', s }), ...(columns ? { columns } : {}) };
  const prev = process.cwd();
  process.chdir(CWD);
  try {
    const code = await main(args, io);
    const text = (to: 'out' | 'err'): string => log.filter((x) => x.to === to).map((x) => x.s).join('');
    return { code, out: text('out'), err: text('err'), log };
  } finally {
    process.chdir(prev);
  }
}

const visible = (l: string): number => l.replace(/\x1b\[[0-9;]*m/g, '').length;
/** Lines wider than `width`, leaving out the paste-ready ones (the documented exception). */
const tooWide = (out: string, width: number): string[] => out.split('\n').filter((l) => visible(l) > width && !isPasteReady(l));
const widest = (out: string): number => Math.max(...out.split('\n').map(visible));

// Findings with long signatures and details, a canary with two kinds, and a safe policy.
const RUN = ['run', '--policy', 'v2-no-bbm,no-dsb,mainline-per-page', '--schedules', '30', '--seed', '0x1'];
const HEADS = ['policy', 'mode', 'expected', 'observed', 'runs', 'complete', 'bounded', 'steps', 'steps/s', 'flushes', 'zeropad fixups', 'RSI partial/reject', 'vmalloc -EINVAL', 'leaked pg', 'verdict'];
const headRow = (out: string): string => out.split('\n').find((l) => l.startsWith('│ policy'))!;

describe('run output fits the width', () => {
  it('off a terminal: every line within 100 columns but the paste-ready replay lines, which stay whole', async () => {
    const r = await cli(RUN);
    expect(r.code).toBe(0);
    expect(tooWide(r.out, 100)).toEqual([]);
    expect(widest(r.out.split('\n').filter((l) => !isPasteReady(l)).join('\n'))).toBeGreaterThan(90); // the table uses the width
    // The verdict and the evidence are always there; the benign counts wait for a wider terminal.
    for (const h of ['policy', 'expected', 'observed', 'runs', 'complete', 'bounded', 'verdict']) expect(headRow(r.out)).toContain(` ${h} `);
    for (const h of ['mode', 'steps', 'zeropad']) expect(headRow(r.out)).not.toContain(h);
    expect(r.out).toMatch(/│ no-dsb +│ SEA, +│ SEA x\d+, +│ +30 │ +\d+ │ +0 │ ok +│/);
    // Wrapped, nothing is lost: the signatures and the verdict read whole once unwrapped.
    const j = JSON.parse((await cli([...RUN, '--json'])).out);
    for (const o of j.outcomes) for (const b of o.buckets) {
      expect(flat(r.out)).toContain(b.signature);
      // Each replay line exactly as --json gives it, on one line.
      for (const line of b.replay) expect(r.out.split('\n')).toContain(`    replay: ${line}`);
    }
    expect(verdictOf(r.out)).toBe(j.verdict);
    expect(r.err).toBe(''); // no terminal, no progress
  }, 120_000);

  it('on a wider terminal the table widens, up to its width', async () => {
    const r = await cli(RUN, 180);
    expect(r.code).toBe(0);
    expect(tooWide(r.out, 180)).toEqual([]);
    expect(widest(r.out)).toBeGreaterThan(100);
    for (const h of ['mode', 'steps', 'flushes']) expect(headRow(r.out)).toContain(` ${h} `);
    expect(r.out).toMatch(/│ no-dsb +│ controlled │ SEA,data-exposed │/);
  }, 120_000);

  it('the default PASS verdict of `npm start` (5 policies, 4 vCPUs) is one line within 100 columns', () => {
    const line = verdictLine(['v2-no-bbm', 'mainline', 'vmalloc-naive', 'alias-flip', 'gfp-decrypted'].map((policy) => ({ policy, verdict: 'met' }) as unknown as PolicyOutcome), 'controlled, 4 vCPUs, seed 0x1, scheduler random');
    expect(line).toBe('realmrace: PASS - 5/5 policies met expectations (controlled, 4 vCPUs, seed 0x1, scheduler random)');
    expect(line.length).toBeLessThanOrEqual(100);
  });

  it('--wide: every column, whatever the width, and no line wrapped', async () => {
    const r = await cli([...RUN, '--wide']);
    expect(r.code).toBe(0);
    const heads = headRow(r.out).split('│').map((s) => s.trim()).filter(Boolean);
    expect(heads).toEqual(HEADS);
    expect(r.out.trim().split('\n').pop()).toMatch(/^realmrace: PASS - 3\/3 policies met expectations \(controlled, 4 vCPUs, seed 0x1, scheduler random\)$/);
  }, 120_000);

  it('--json: one document on stdout with every column, the verdict and the exit code; nothing else, even on a terminal', async () => {
    const r = await cli([...RUN, '--json'], 120);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ result: 'PASS', exitCode: 0 });
    for (const o of j.outcomes) {
      for (const k of ['policy', 'mode', 'expect', 'buckets', 'schedules', 'clean', 'bounded', 'timed', 'steps', 'wallMs', 'verdict', 'reason']) expect(o).toHaveProperty(k);
      for (const k of ['zeropad_fixups', 'rsi_partial', 'rsi_reject', 'vmalloc_einval', 'leaked_pages', 'tlbi_va']) expect(o.counts).toHaveProperty(k);
    }
    expect(r.err).toMatch(/\d+\/30 schedules/); // the progress went to stderr
  }, 120_000);

  it('streams: each policy\'s row is printed as it finishes, before the next policy starts; progress only on a terminal', async () => {
    const r = await cli(['run', '--policy', 'v2-no-bbm,mainline', '--schedules', '20'], 100);
    expect(r.code).toBe(0);
    const at = (to: 'out' | 'err', re: RegExp): number => r.log.findIndex((x) => x.to === to && re.test(x.s));
    const row1 = at('out', /│ v2-no-bbm +│/);
    const bar2 = at('err', /mainline \[/);
    const row2 = at('out', /│ mainline +│/);
    expect(row1).toBeGreaterThan(at('err', /v2-no-bbm \[/));
    expect(bar2).toBeGreaterThan(row1); // policy 2 started after policy 1's row was out
    expect(row2).toBeGreaterThan(bar2);
    expect(at('out', /└/)).toBeGreaterThan(row2);
    expect(r.err).toMatch(/v2-no-bbm \[[^\]]*\] \d+% \| \d+\/20 schedules/);
    expect(tooWide(r.out, 100)).toEqual([]);
    // Off a terminal: the same rows, no bar.
    const plain = await cli(['run', '--policy', 'v2-no-bbm,mainline', '--schedules', '20']);
    expect(plain.err).toBe('');
    expect(plain.out).toMatch(/│ v2-no-bbm +│[\s\S]*│ mainline +│[\s\S]*└/);
  }, 120_000);
  it('a policy that fails with an error after another finished: the finished row, the table closed, the one-line error', async () => {
    const r = await cli(['run', '--policy', `mainline,${fixture('policy_throws.js')}`, '--schedules', '20']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/│ mainline +│ clean +│ clean +│ +20 │[^\n]*\n└─+┴/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});

describe('sweep, nightly and merge output fits the width', () => {
  const SWEEP = ['sweep', '--vcpus', '1,2,4,8,16', '--policy', 'mainline,mainline-per-page,alias-flip,paced,gfp-decrypted', '--ops', '20', '--schedules', '1'];
  const SWEEP_HEADS = ['policy', 'vCPUs', 'flips', 'flushes', 'invalidations delivered', 'full flushes', 'splits', 'RSI calls', 'modelled ns/flip', 'modelled ns/buffer', 'measured ns/flip (p50/p99/max)', 'top modelled cost'];

  it('sweep: 100 columns off a terminal (table, chart, legend, report); wider on a wide terminal; --wide has every column', async () => {
    const r = await cli([...SWEEP, '--out', 's1']);
    expect(r.code).toBe(0);
    expect(tooWide(r.out, 100)).toEqual([]);
    expect(r.out).toMatch(/│ mainline +│ +16 │/);
    expect(r.out).toMatch(/top modelled cost/);
    expect(r.out).not.toMatch(/measured ns\/flip \(p50/);
    const wide = await cli([...SWEEP, '--out', 's2'], 220);
    expect(tooWide(wide.out, 220)).toEqual([]);
    expect(widest(wide.out)).toBeGreaterThan(100);
    expect(wide.out).toMatch(/invalidations delivered/);
    const all = await cli([...SWEEP, '--out', 's3', '--wide']);
    const heads = all.out.split('\n').find((l) => l.startsWith('│ policy'))!.split('│').map((s) => s.trim()).filter(Boolean);
    expect(heads).toEqual(SWEEP_HEADS);
  }, 300_000);

  // In this process, off a terminal (main() with no columns); the --json case below runs the bin, whose stdout must hold nothing else.
  it('nightly and merge: a long verdict (a policy module path, an unexpected finding) wraps within 100 columns, nothing lost', async () => {
    const cfg = join(CWD, 'long.json');
    writeFileSync(cfg, JSON.stringify({ name: 'long', seed: '0x2026', budget: '5m', entries: [{ policy: fixture('policy_v2_claims_clean.js'), vcpus: [4], seeds: 30 }, { policy: 'vmalloc-naive', vcpus: [2], seeds: 3, ops: 1, minSchedules: 3 }] }));
    const r = await cli(['nightly', '--config', cfg, '--out', 'n1']);
    expect(r.code).toBe(2);
    expect(tooWide(r.out, 100)).toEqual([]);
    expect(verdictOf(r.out)).toMatch(/^realmrace nightly: FAILURE \(exit 2\) - 0:.*policy_v2_claims_clean\.js:controlled:4v: unexpected bbm-violation; 1:vmalloc-naive:controlled:2v: /);
    const m = await cli(['merge', 'n1', '--out', 'n1-merged']);
    expect(m.code).toBe(2);
    expect(tooWide(m.out, 100)).toEqual([]);
    expect(verdictOf(m.out)).toBe(verdictOf(r.out));
    const w = await cli(['merge', 'n1', '--out', 'n1-wide', '--wide']);
    expect(w.out.trim().split('\n').pop()).toBe(verdictOf(r.out)); // --wide: one line
  }, 120_000);

  it('nightly --json and merge --json: the summary alone on stdout (every column), the human lines on stderr, the same exit', () => {
    const cfg = join(CWD, 'json.json');
    writeFileSync(cfg, JSON.stringify({ name: 'json', seed: '0x2026', budget: '5m', entries: [{ policy: 'mainline', vcpus: [2], seeds: 4, ops: 20, minSchedules: 4 }, { policy: 'vmalloc-naive', vcpus: [2], seeds: 3, ops: 1, minSchedules: 3 }] }));
    const r = realmraceSpawn(CWD, 'nightly', '--config', cfg, '--out', 'j1', '--json');
    const s = JSON.parse(r.out);
    expect(r.code).toBe(s.exitCode);
    expect(s.cases.map((o: { case: { id: string }; verdict: string }) => [o.case.id, o.verdict])).toEqual([['0:mainline:controlled:2v', 'met'], ['1:vmalloc-naive:controlled:2v', expect.any(String)]]);
    expect(s).toEqual(JSON.parse(readFileSync(join(CWD, 'j1', 'summary.json'), 'utf8')));
    expect(verdictOf(r.err)).toBe(flat(s.verdict));
    const m = realmraceSpawn(CWD, 'merge', 'j1', '--out', 'j1-merged', '--json');
    expect(m.code).toBe(r.code);
    expect(JSON.parse(m.out).cases.map((o: { verdict: string }) => o.verdict)).toEqual(s.cases.map((o: { verdict: string }) => o.verdict));
    expect(m.err).toMatch(/^merged 1 result directories/);
  }, 120_000);
});

describe('layout helpers', () => {
  const text = '[v2-no-bbm] expected x30: bbm-violation in dma_buffer > set_pte: live change of a valid descriptor\'s output address without break-before-make';

  it('wrapLine: within the width, indented continuations, nothing lost; paste-ready lines and over-long words stay whole', () => {
    const lines = wrapLine(text, 60);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {4}\S/);
    expect(flat(lines.join('\n'))).toBe(text);
    // Internal alignment of the first line is kept (event lines pad their step column).
    expect(wrapLine('      4794 vCPU1  rsi_ipa_state_set granule 92 -> progress to 96', 43, 15)[0]).toBe('      4794 vCPU1  rsi_ipa_state_set granule');
    const replay = `    replay: npx realmrace replay --seed 0xd186404ac1437c46 --policy ${'/a/long/path/'.repeat(8)}policy.js --vcpus 4`;
    expect(replay.length).toBeGreaterThan(100);
    expect(wrapLine(replay, 100)).toEqual([replay]);
    const path = `wrote ${'/tmp/x'.repeat(20)}/summary.json, and more`;
    expect(wrapLine(path, 50)).toEqual(['wrote', `    ${'/tmp/x'.repeat(20)}/summary.json,`, '    and more']);
    expect(wrapLine('short', 10)).toEqual(['short']);
    expect(wrapLine(text, Infinity)).toEqual([text]);
  });

  it('wrapCell: wraps at spaces, commas, slashes, dashes, else anywhere; never truncates', () => {
    expect(wrapCell('SEA x27, data-exposed x2', 16)).toEqual(['SEA x27,', 'data-exposed x2']);
    expect(wrapCell('SEA,data-exposed', 13)).toEqual(['SEA,', 'data-exposed']);
    expect(wrapCell('test/fixtures/policy_v2_claims_clean.js', 16)).toEqual(['test/fixtures/', 'policy_v2_', 'claims_clean.js']);
    expect(wrapCell('12345678', 3)).toEqual(['123', '456', '78']);
  });

  it('fitColumns: the always-shown columns whatever the width, the droppable ones in order as the width allows, all with no limit', () => {
    const cols = [
      { head: 'policy', width: 17, min: 12 }, { head: 'mode', width: 10, drop: 1 }, { head: 'steps', width: 6, drop: 2 }, { head: 'observed', width: 24, min: 13, grow: 1 }, { head: 'verdict', width: 12 },
    ];
    const shown = (w: number): number[] => fitColumns(cols, w).map((p) => p.index);
    const total = (w: number): number => fitColumns(cols, w).reduce((n, p) => n + p.width + 3, 1);
    expect(shown(40)).toEqual([0, 3, 4]);
    expect(shown(70)).toEqual([0, 3, 4]); // mode and steps do not fit at their narrowest
    expect(total(80)).toBeLessThanOrEqual(80);
    expect(shown(80)).toEqual([0, 1, 3, 4]);
    expect(shown(200)).toEqual([0, 1, 2, 3, 4]);
    expect(fitColumns(cols, Infinity).map((p) => p.width)).toEqual([17, 10, 6, 24, 12]);
  });

  it('budgetProgress: schedules of those planned, elapsed of --seconds, never past the end', () => {
    expect(budgetProgress({ schedules: 40 }, 10, 500, 1)).toEqual({ fraction: 0.25, words: '10/40 schedules' });
    expect(budgetProgress({ seconds: 2 }, 7, 500, 1)).toEqual({ fraction: 0.5, words: '7 schedules, 1.0/2 s' });
    // The default budget: 1 s, but never fewer than atLeast schedules.
    expect(budgetProgress({ seconds: 1, atLeast: 20 }, 5, 500, 3).fraction).toBe(0.25);
    expect(budgetProgress({ steps: 1000 }, 3, 5000, 0).fraction).toBe(1);
  });
});
