// Interrupts keep the work (issue 9 item 6): `nightly` on SIGINT/SIGTERM stops
// scheduling, writes summary.json/junit.xml/summary.md marked interrupted (cases
// cut short inconclusive, never ok, never "canary missed"), prints the --resume
// line, releases the lock and exits 130; the printed line continues the
// campaign to the result an uninterrupted campaign gives. The campaigns run as
// real processes of the built CLI in a temp dir; the signal is sent once the
// first run is in results.jsonl, while hundreds of the plan's runs are still to go.

import { describe, it, expect, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { BIN, flat, realmraceIn, verdictOf } from './cli_helpers.js';
import { readResults } from '../src/campaign/results.js';
import { LOCK_FILE } from '../src/campaign/lock.js';
import { summarize, junitXml, summaryMd } from '../src/campaign/summary.js';
import { expandCases, workUnits, type CampaignConfig } from '../src/campaign/config.js';
import type { RunRecord } from '../src/campaign/results.js';

const CWD = mkdtempSync(join(tmpdir(), 'realmrace-interrupt-'));
afterAll(() => rmSync(CWD, { recursive: true, force: true }));
const fixture = (f: string): string => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));
// Campaigns that are not signalled run in-process (main() of the built CLI), with stdout/stderr/status named as spawnSync names them.
const realmrace = async (...args: string[]) => {
  const r = await realmraceIn(CWD, ...args);
  return { status: r.code, stdout: r.out, stderr: r.err };
};

function campaign(name: string, entries: unknown[], extra: Record<string, unknown> = {}): string {
  writeFileSync(join(CWD, `${name}.json`), JSON.stringify({ name, seed: '0x5151', budget: '10m', entries, ...extra }));
  return `${name}.json`; // cwd-relative, as a user types it: the resume line must work as printed
}

// Hundreds of controlled seeds on one thread: seconds of work after the first line.
const LONG = [{ policy: 'mainline', vcpus: [4], seeds: 160 }, { policy: 'vmalloc-naive', vcpus: [4], seeds: 40 }];

interface Live { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> }

function start(...args: string[]): Live {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: CWD, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout!.on('data', (b) => { out += b; });
  child.stderr!.on('data', (b) => { err += b; });
  const exit = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  return { child, out: () => out, err: () => err, exit };
}

/** Wait (bounded: two minutes) until cond() holds. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2400; i++) {
    if (cond()) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const hasRun = (dir: string) => (): boolean => { const p = join(CWD, dir, 'results.jsonl'); return existsSync(p) && readFileSync(p, 'utf8').includes('\n'); };

/** Start a campaign, signal it after its first run, and wait for its exit. */
async function interrupted(sig: NodeJS.Signals, dir: string, cfg: string, ...extra: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const live = start('nightly', '--config', cfg, '--out', dir, ...extra);
  await until(hasRun(dir), 'the first run');
  live.child.kill(sig);
  const code = await live.exit;
  return { code, out: live.out(), err: live.err() };
}

/** The paste-ready line, run as printed (but with this checkout's built bin for `npx realmrace`). */
function runPrinted(line: string): ReturnType<typeof spawnSync> {
  expect(line.startsWith('npx realmrace nightly ')).toBe(true);
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${line.slice('npx realmrace '.length)}`;
  return spawnSync('sh', ['-c', cmd], { encoding: 'utf8', timeout: 300_000, cwd: CWD });
}

const resumeLine = (out: string): string => /^continue with: (.*)$/m.exec(out)![1];
const json = (dir: string, f: string) => JSON.parse(readFileSync(join(CWD, dir, f), 'utf8'));
const units = (dir: string) => readResults(join(CWD, dir, 'results.jsonl')).records.map((r) => `${r.caseId}#${r.index}#${r.seed}#${r.traceHash}#${r.status}`).sort();

/** The marks every interrupted campaign directory carries. */
function expectMarkedInterrupted(dir: string, sig: string, r: { code: number | null; out: string; err: string }): void {
  expect(r.code).toBe(130);
  expect(r.err).toMatch(new RegExp(`^realmrace: ${sig}: stopping: no new runs; runs in flight get 2 s to end`));
  const verdict = verdictOf(r.out); // wrapped at 100 columns
  expect(verdict).toMatch(new RegExp(`^realmrace nightly: INTERRUPTED by ${sig} \\(exit 130\\) - \\d+ of \\d+ planned runs done; \\d+/\\d+ cases cut short \\(inconclusive\\)`));
  expect(existsSync(join(CWD, dir, LOCK_FILE))).toBe(false); // released
  const res = readResults(join(CWD, dir, 'results.jsonl'));
  expect(res.finished).toBeNull(); // merge and --resume see an unfinished campaign
  expect(res.torn).toBeNull();
  const s = json(dir, 'summary.json');
  expect(s).toMatchObject({ interrupted: true, signal: sig, exitCode: 130, verdict, resume: resumeLine(r.out) });
  expect(s.notRun).toBe(s.planned - res.records.length);
  // A case with runs left is never ok (and a canary never "missed"); a found canary keeps its witness.
  for (const o of s.cases) {
    if (o.runs < o.case.seeds) expect(o.verdict === 'inconclusive' || (o.verdict === 'met' && o.canary)).toBe(true);
    if (o.verdict === 'inconclusive' && o.runs < o.case.seeds) expect(o.reason).toMatch(new RegExp(`interrupted by ${sig}: \\d+ of ${o.case.seeds} planned runs not run`));
  }
  const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(CWD, dir, 'junit.xml'), 'utf8'));
  const suite = junit.testsuites.testsuite;
  const props = [suite.properties.property].flat();
  expect(props).toContainEqual({ '@_name': 'interrupted', '@_value': sig });
  expect(props).toContainEqual({ '@_name': 'resume', '@_value': resumeLine(r.out) });
  for (const tc of [suite.testcase].flat()) {
    const o = s.cases.find((x: { case: { id: string } }) => tc['@_name'].endsWith(`[${x.case.id}]`));
    if (o.verdict === 'inconclusive') expect(tc.skipped['@_message']).toMatch(/^inconclusive: /);
  }
  expect(readFileSync(join(CWD, dir, 'summary.md'), 'utf8').split('\n')[0]).toBe(`**INTERRUPTED by ${sig}**: ${s.notRun} of ${s.planned} planned runs not run; continue with \`${resumeLine(r.out)}\``);
}

describe('nightly interrupted by a signal', () => {
  it('SIGINT: summaries marked interrupted, exit 130, lock released; the printed --resume line ends as the uninterrupted campaign', async () => {
    const cfg = campaign('int', LONG);
    const r = await interrupted('SIGINT', 'i1', cfg, '--threads', '1');
    expectMarkedInterrupted('i1', 'SIGINT', r);
    expect(resumeLine(r.out)).toBe(`npx realmrace nightly --config ${cfg} --out i1 --threads 1 --resume`);
    expect(json('i1', 'summary.json').cases[0]).toMatchObject({ verdict: 'inconclusive' }); // mainline: the last runs of the plan are its own
    const before = readResults(join(CWD, 'i1', 'results.jsonl')).records.length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(200);

    const again = runPrinted(resumeLine(r.out));
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    const lines = readFileSync(join(CWD, 'i1', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.pop()).toMatchObject({ finished: expect.any(String), planned: 200 });
    expect(lines.length).toBe(200); // nothing run twice
    expect(new Set(lines.map((x) => `${x.caseId}#${x.index}`)).size).toBe(200); // nothing lost
    expect(json('i1', 'summary.json')).toMatchObject({ interrupted: false, exitCode: 0 });
    expect(readFileSync(join(CWD, 'i1', 'summary.md'), 'utf8')).not.toMatch(/INTERRUPTED/);

    // The same campaign, never interrupted: the same runs, the same verdicts.
    const whole = await realmrace('nightly', '--config', cfg, '--out', 'i1-whole', '--threads', '1');
    expect(whole.status).toBe(0);
    expect(units('i1')).toEqual(units('i1-whole'));
    const verdicts = (d: string) => json(d, 'summary.json').cases.map((o: { verdict: string; runs: number; buckets: { signature: string; count: number }[] }) => [o.verdict, o.runs, o.buckets.map((b) => [b.signature, b.count])]);
    expect(verdicts('i1')).toEqual(verdicts('i1-whole'));
    expect(verdictOf(again.stdout)).toBe(verdictOf(whole.stdout));
  }, 300_000);

  it('SIGTERM: the same marks; the --resume line (with --budget and --threads) finishes the campaign with no run repeated or lost', async () => {
    const cfg = campaign('term', LONG);
    const r = await interrupted('SIGTERM', 'i2', cfg, '--threads', '1', '--budget', '9m');
    expectMarkedInterrupted('i2', 'SIGTERM', r);
    expect(resumeLine(r.out)).toBe(`npx realmrace nightly --config ${cfg} --out i2 --budget 9m --threads 1 --resume`);
    const again = runPrinted(resumeLine(r.out));
    expect(again.status).toBe(0);
    const res = readResults(join(CWD, 'i2', 'results.jsonl'));
    expect(res.finished).toMatchObject({ runs: 200, planned: 200 });
    expect(readFileSync(join(CWD, 'i2', 'results.jsonl'), 'utf8').trim().split('\n')).toHaveLength(201);
  }, 300_000);

  it('runs in flight that do not end within the grace time are cancelled, not recorded, and said so', async () => {
    // Each worker thread's second schedule spins forever: only the cancel ends it.
    const cfg = campaign('stuck', [{ policy: fixture('policy_hangs_second_run.js'), vcpus: [2], seeds: 40, minSchedules: 1 }], { interruptGrace: '0.5s' }); // they never end: a short grace
    const r = await interrupted('SIGINT', 'i3', cfg, '--threads', '2');
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/^realmrace: SIGINT: stopping: no new runs; runs in flight get 0\.5 s to end/);
    expect(flat(r.out)).toMatch(/ \d+ run\(s\) in flight or queued were cut short \(cancelled after 0\.5 s, or stopped by the signal\): not recorded; --resume runs them again /);
    const res = readResults(join(CWD, 'i3', 'results.jsonl'));
    expect(res.records.length).toBeGreaterThan(0);
    expect(res.records.every((x: RunRecord) => x.status === 'clean' || x.status === 'bounded')).toBe(true); // no cancel recorded as a hang
    expect(json('i3', 'summary.json')).toMatchObject({ interrupted: true, signal: 'SIGINT', notRun: 40 - res.records.length });
    expect(existsSync(join(CWD, 'i3', LOCK_FILE))).toBe(false);
  }, 180_000);

  it('free mode: the run in flight is stopped and not recorded as cut by time; --resume completes the plan', async () => {
    const cfg = campaign('free', [{ policy: 'mainline', vcpus: [2], mode: 'free', seeds: 4, ops: 3000, minSchedules: 2 }]);
    const r = await interrupted('SIGINT', 'i5', cfg);
    expect(r.code).toBe(130);
    const res = readResults(join(CWD, 'i5', 'results.jsonl'));
    expect(res.records.length).toBeLessThan(4);
    expect(res.records.every((x: RunRecord) => x.stop === 'complete')).toBe(true); // never one the signal cut short
    expect(json('i5', 'summary.json').cases[0]).toMatchObject({ verdict: 'inconclusive' });
    const again = runPrinted(resumeLine(r.out));
    expect(again.status).toBe(0);
    expect(readResults(join(CWD, 'i5', 'results.jsonl')).finished).toMatchObject({ runs: 4, planned: 4 });
  }, 180_000);

  it('a second signal quits at once: every result line whole, the lock released, no summary, and it says so with the resume line', async () => {
    const cfg = campaign('twice', [{ policy: fixture('policy_hangs_second_run.js'), vcpus: [2], seeds: 40, minSchedules: 1 }], { interruptGrace: '10m' });
    const live = start('nightly', '--config', cfg, '--out', 'i4', '--threads', '2');
    await until(hasRun('i4'), 'the first run');
    live.child.kill('SIGINT');
    await until(() => live.err().includes('stopping'), 'the first signal\'s line');
    live.child.kill('SIGINT');
    expect(await live.exit).toBe(130);
    const res = readResults(join(CWD, 'i4', 'results.jsonl'));
    expect(res.torn).toBeNull();
    expect(res.finished).toBeNull();
    const lines = live.err().trim().split('\n');
    expect(lines[1]).toBe(`realmrace: SIGINT again: quitting at once: i4/results.jsonl keeps the ${res.records.length} runs that finished (every line whole); no summary written; the lock on i4 is released`);
    expect(lines[2]).toBe(`realmrace: continue with: npx realmrace nightly --config ${cfg} --out i4 --threads 2 --resume`);
    expect(existsSync(join(CWD, 'i4', LOCK_FILE))).toBe(false);
    for (const f of ['summary.json', 'junit.xml', 'summary.md']) expect(existsSync(join(CWD, 'i4', f))).toBe(false);
  }, 180_000);

  it('merge of an interrupted shard reports it unfinished (interrupted, with its resume line): inconclusive, exit 4', async () => {
    const cfg = campaign('shard', LONG);
    expect((await realmrace('nightly', '--config', cfg, '--out', 'sh1', '--shard', '1/2', '--threads', '1')).status).toBe(0);
    const r = await interrupted('SIGINT', 'sh2', cfg, '--shard', '2/2', '--threads', '1');
    expect(r.code).toBe(130);
    const n = readResults(join(CWD, 'sh2', 'results.jsonl')).records.length;
    const m = await realmrace('merge', 'sh1', 'sh2', '--out', 'shm');
    expect(m.status).toBe(4);
    expect(m.stdout).toContain(`shard 2/2 is unfinished: sh2 was interrupted by SIGINT after ${n} runs (continue it with: npx realmrace nightly --config ${cfg} --out sh2 --shard 2/2 --threads 1 --resume)`);
    expect(m.stdout).not.toMatch(/left out when the budget ran out/);
    const s = json('shm', 'summary.json');
    expect(s.cases[0].verdict).toBe('inconclusive'); // mainline: clean needs its whole plan
    expect(s.exitCode).toBe(4);
  }, 300_000);
});

describe('the summary of an interrupted campaign', () => {
  const config: CampaignConfig = { name: 'unit', seed: '0x1', budget: '1m', taskTimeout: '120s', entries: [
    { policy: 'mainline', vcpus: [4], seeds: 100 },
    { policy: 'v2-no-bbm', vcpus: [4], seeds: 100, canary: true },
    { policy: 'vmalloc-naive', vcpus: [4], seeds: 100, canary: true },
  ] };
  const cases = expandCases(config);
  // 40 runs of each case: mainline clean in all (enough for "clean"), v2-no-bbm clean in all
  // (enough to call its miss at its measured catch rate), vmalloc-naive found its SEA.
  const records: RunRecord[] = workUnits(config, cases).filter((u) => u.index < 40).map((u) => ({
    caseId: u.caseId, index: u.index, seed: u.seed, steps: 10, traceHash: 'h', ms: 1,
    ...(u.caseId.includes('vmalloc') && u.index === 3 ? { status: 'finding' as const, stop: 'finding' as const, kind: 'SEA' as const, signature: 'SEA x', step: 5 } : { status: 'clean' as const, stop: 'complete' as const }),
  }));
  const meta = { name: 'unit', seed: '0x1', shard: null, seconds: 1, planned: 300, skippedByBudget: 0 };

  it('uninterrupted, the same runs give clean and "canary not caught" (exit 2): the test can fail', async () => {
    const s = await summarize(cases, records, meta);
    expect(s.cases.map((o) => o.verdict)).toEqual(['met', 'missed', 'met']);
    expect(s.exitCode).toBe(2);
    expect(s.interrupted).toBe(false);
  });

  it('interrupted, a case cut short is inconclusive (never ok, never missed); a witness still counts; exit 130', async () => {
    const notRun = new Map(cases.map((k) => [k.id, { planned: 100, notRun: 60 }]));
    const s = await summarize(cases, records, { ...meta, interrupted: { signal: 'SIGTERM', notRun, resume: 'npx realmrace nightly --config c.json --out o --resume' } });
    expect(s.cases.map((o) => o.verdict)).toEqual(['inconclusive', 'inconclusive', 'met']);
    expect(s.cases[1].reason).toMatch(/interrupted by SIGTERM: 60 of 100 planned runs not run/);
    expect(s).toMatchObject({ interrupted: true, signal: 'SIGTERM', notRun: 180, exitCode: 130 });
    expect(s.verdict).toBe('realmrace nightly: INTERRUPTED by SIGTERM (exit 130) - 120 of 300 planned runs done; 2/3 cases cut short (inconclusive)');
    expect(s.verdict).not.toMatch(/lost its teeth/);
    const junit = new XMLParser({ ignoreAttributes: false }).parse(junitXml(s)).testsuites.testsuite;
    expect(junit['@_failures']).toBe('0');
    expect(junit['@_skipped']).toBe('2');
    expect(summaryMd(s)).toMatch(/^\*\*INTERRUPTED by SIGTERM\*\*: 180 of 300 planned runs not run; continue with `npx realmrace nightly --config c.json --out o --resume`\n/);
    expect(summaryMd(s)).toMatch(/\| 0:mainline:controlled:4v \| clean \| clean \| 40 \| 40 \| 0 \| 0 \| \*\*inconclusive\*\*: interrupted by SIGTERM: 60 of 100 planned runs not run/);
  });
});
