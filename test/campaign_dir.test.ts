// Campaign directories are safe (issue 9 item 7): one campaign per --out (a
// lock naming its holder), a torn last line of results.jsonl dropped on
// --resume, and merge judging missing or unfinished shards inconclusive.

import { describe, it, expect, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, flat, realmraceIn } from './cli_helpers.js';
import { lockCampaignDir, LOCK_FILE } from '../src/campaign/lock.js';
import { readResults } from '../src/campaign/results.js';
import { shardCoverage, type ShardDir } from '../src/campaign/shards.js';
import type { CampaignConfig } from '../src/campaign/config.js';

const CWD = mkdtempSync(join(tmpdir(), 'realmrace-campdir-'));
afterAll(() => rmSync(CWD, { recursive: true, force: true }));
// In-process (main() of the built CLI), with stdout/stderr/status named as spawnSync names them;
// only the lock holder that is signalled runs as its own process.
const realmrace = async (...args: string[]) => {
  const r = await realmraceIn(CWD, ...args);
  return { status: r.code, stdout: r.out, stderr: r.err };
};

function campaign(name: string, entries: unknown[]): string {
  const path = join(CWD, `${name}.json`);
  writeFileSync(path, JSON.stringify({ name, seed: '0x7007', budget: '5m', entries }));
  return path;
}

/** A pid that surely is not running: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');

describe('the lock on a campaign directory', () => {
  it('in one process: a second lock names the holder; release frees it; another host\'s lock is never taken over', async () => {
    const dir = join(CWD, 'l1');
    mkdirSync(dir);
    const a = lockCampaignDir(dir, 'test');
    expect(a.note).toBeUndefined();
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => lockCampaignDir(dir, 'test')).toThrow(new RegExp(`^${dir.replace(/[/\\.]/g, '\\$&')} is in use by another campaign: pid ${process.pid} on `));
    a.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    a.release(); // idempotent
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), host: 'elsewhere', started: '2026-01-01T00:00:00Z' }));
    expect(() => lockCampaignDir(dir, 'test')).toThrow(/in use by another campaign: pid \d+ on elsewhere/);
    writeFileSync(join(dir, LOCK_FILE), 'garbage');
    expect(() => lockCampaignDir(dir, 'test')).toThrow(/campaign\.lock is not a realmrace lock \(7 bytes\): remove it if no campaign uses this directory/);
  });

  it('a second campaign on the same --out refuses with one line naming the holder\'s pid; SIGTERM releases the lock', async () => {
    const cfg = campaign('long', [{ policy: 'mainline', vcpus: [4], seeds: 100000 }]);
    const child = spawn(process.execPath, [BIN, 'nightly', '--config', cfg, '--out', 'busy', '--threads', '1'], { cwd: CWD, stdio: 'ignore' });
    const exited = new Promise((res) => child.on('exit', res));
    const results = join(CWD, 'busy', 'results.jsonl');
    // Wait (bounded) until the first campaign has started running.
    for (let i = 0; i < 1200 && !(existsSync(results) && readFileSync(results, 'utf8').length > 0); i++) await new Promise((res) => setTimeout(res, 50));
    expect(existsSync(join(CWD, 'busy', LOCK_FILE))).toBe(true);
    const second = await realmrace('nightly', '--config', cfg, '--out', 'busy', '--resume');
    expect(second.status).toBe(1);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(new RegExp(`^realmrace: error: busy is in use by another campaign: pid ${child.pid} on .*, since \\d{4}-.*; lock file busy/campaign.lock$`, 'm'));
    child.kill('SIGTERM');
    await exited;
    expect(existsSync(join(CWD, 'busy', LOCK_FILE))).toBe(false);
  }, 120_000);

  it('a stale lock of a dead pid on this host is taken over with a note, and released at the end', async () => {
    const cfg = campaign('stale', [{ policy: 'mainline', vcpus: [2], seeds: 4 }]);
    mkdirSync(join(CWD, 'stale'));
    const dead = deadPid();
    writeFileSync(join(CWD, 'stale', LOCK_FILE), JSON.stringify({ pid: dead, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
    const r = await realmrace('nightly', '--config', cfg, '--out', 'stale');
    expect(r.stderr).toBe('');
    expect(flat(r.stdout)).toContain(`note: took over the lock on stale from pid ${dead} (started 2026-01-01T00:00:00.000Z), which is no longer running`);
    expect(existsSync(join(CWD, 'stale', LOCK_FILE))).toBe(false);
    expect(readResults(join(CWD, 'stale', 'results.jsonl')).finished).not.toBeNull();
  }, 120_000);
});

describe('a torn last line of results.jsonl', () => {
  it('is dropped on --resume (which line, how many bytes) and cut off before appending; the campaign ends whole', async () => {
    const cfg = campaign('torn', [{ policy: 'mainline', vcpus: [2], seeds: 12 }]);
    expect((await realmrace('nightly', '--config', cfg, '--out', 'torn')).status).not.toBe(1);
    const path = join(CWD, 'torn', 'results.jsonl');
    const full = lines(path);
    expect(full).toHaveLength(13); // 12 runs and the finished marker
    expect(JSON.parse(full[12])).toMatchObject({ finished: expect.any(String), runs: 12, planned: 12 });
    // A kill mid-write: 5 whole records, then 30 bytes of the sixth.
    const half = full[5].slice(0, 30);
    writeFileSync(path, full.slice(0, 5).join('\n') + '\n' + half);
    expect(readResults(path)).toMatchObject({ finished: null, torn: { line: 6, bytes: 30 } });
    const r = await realmrace('nightly', '--config', cfg, '--out', 'torn', '--resume');
    expect(flat(r.stdout)).toContain('note: torn/results.jsonl: dropped the torn last line 6 (30 bytes, cut short by a kill); that run is done again');
    const after = lines(path);
    expect(after).toHaveLength(13);
    const recs = after.map((l) => JSON.parse(l)); // every line whole
    expect(new Set(recs.slice(0, 12).map((x) => `${x.caseId}#${x.index}`)).size).toBe(12);
    expect(after.slice(0, 5)).toEqual(full.slice(0, 5));
    expect(recs[12].finished).toEqual(expect.any(String));
  }, 120_000);

  it('any other corrupt line is an error naming its line number', async () => {
    const cfg = campaign('corrupt', [{ policy: 'mainline', vcpus: [2], seeds: 6 }]);
    await realmrace('nightly', '--config', cfg, '--out', 'corrupt');
    const path = join(CWD, 'corrupt', 'results.jsonl');
    const full = lines(path);
    writeFileSync(path, [...full.slice(0, 2), '{"caseId": oops', ...full.slice(3)].join('\n') + '\n');
    const r = await realmrace('nightly', '--config', cfg, '--out', 'corrupt', '--resume');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^realmrace: error: corrupt\/results\.jsonl: line 3 is not JSON \(.*\): the file is corrupt; fix or remove that line\n$/);
    writeFileSync(path, [...full.slice(0, 3), '{"some": "object"}', ...full.slice(4)].join('\n') + '\n');
    expect((await realmrace('nightly', '--config', cfg, '--out', 'corrupt', '--resume')).stderr).toMatch(/results\.jsonl: line 4 is not a run record/);
    expect((await realmrace('merge', 'corrupt', '--out', 'corrupt-merged')).stderr).toMatch(/results\.jsonl: line 4 is not a run record/);
  }, 120_000);
});

describe('shard coverage', () => {
  const config = { name: 'c', seed: '0x1', budget: '1m', taskTimeout: '120s', entries: [{ policy: 'mainline', vcpus: [2], seeds: 6 }] } as CampaignConfig;
  const done = { finished: '2026-01-01T00:00:00Z', runs: 3, planned: 3, skippedByBudget: 0 };
  const dir = (d: string, shard: string | null, finished: boolean, holder = false): ShardDir =>
    ({ dir: d, shard, finished: finished ? done : null, holder: holder ? { pid: 42, host: 'h', started: 's' } : null, runs: 3 });

  it('names missing, killed and still running shards, and the runs nobody finished', async () => {
    expect(shardCoverage(config, [dir('a', '1/2', true), dir('b', '2/2', true)])).toEqual({ problems: [], uncovered: new Set() });
    expect(shardCoverage(config, [dir('w', null, true)]).problems).toEqual([]);
    const missing = shardCoverage(config, [dir('a', '1/3', true), dir('c', '3/3', true)]);
    expect(missing.problems).toEqual(['shard 2/3 is missing']);
    expect([...missing.uncovered].sort()).toEqual(['0:mainline:controlled:2v#1', '0:mainline:controlled:2v#4']);
    expect(shardCoverage(config, [dir('a', '1/2', true), dir('b', '2/2', false)]).problems).toEqual(['shard 2/2 is unfinished: b has no finished marker (killed?) after 3 runs']);
    expect(shardCoverage(config, [dir('a', '1/2', true), dir('b', '2/2', true, true)]).problems).toEqual(['shard 2/2 is unfinished: still running (pid 42 holds b)']);
    // A killed shard resumed into another directory: one finished copy is enough.
    expect(shardCoverage(config, [dir('a', '1/2', true), dir('b', '2/2', false), dir('b2', '2/2', true)]).problems).toEqual([]);
    expect(shardCoverage(config, [dir('w', null, false)]).problems).toEqual(['the unsharded campaign is unfinished: w has no finished marker (killed?) after 3 runs']);
  });
});

describe('merge checks every shard', () => {
  // Three cases, so that each shard of two holds half of every case's seeds; minSchedules 5: half
  // of a safe case's seeds would be enough for a clean verdict, but not the planned whole.
  const ENTRIES = [{ policy: 'mainline', vcpus: [2, 4], seeds: 24, minSchedules: 5 }, { policy: 'vmalloc-naive', vcpus: [2], seeds: 24 }];

  // Both tests start from the same two finished shards: they run once (sh1, sh2), and the
  // test that kills one works on a copy (sk1, sk2).
  let finished: Promise<string> | undefined;
  const finishedShards = (): Promise<string> => (finished ??= (async () => {
    const cfg = campaign('sh', ENTRIES);
    expect((await realmrace('nightly', '--config', cfg, '--out', 'sh1', '--shard', '1/2')).status).toBe(0);
    expect((await realmrace('nightly', '--config', cfg, '--out', 'sh2', '--shard', '2/2')).status).toBe(0);
    return cfg;
  })());

  it('all shards finished: merged as before (exit 0); shard 2/2 missing: inconclusive, exit 4, naming the shard', async () => {
    await finishedShards();
    const ok = await realmrace('merge', 'sh1', 'sh2', '--out', 'sh-merged');
    expect(ok.status).toBe(0);
    expect(ok.stdout).not.toMatch(/missing|unfinished/);
    const m = await realmrace('merge', 'sh1', '--out', 'sh-half');
    expect(m.status).toBe(4);
    expect(m.stdout).toMatch(/INCONCLUSIVE \(exit 4\)/);
    expect(flat(m.stdout)).toMatch(/shard 2\/2 is missing/);
    const s = JSON.parse(readFileSync(join(CWD, 'sh-half', 'summary.json'), 'utf8'));
    expect(s.exitCode).toBe(4);
    expect(s.cases[0]).toMatchObject({ verdict: 'inconclusive', reason: expect.stringMatching(/^12 of 24 planned runs unexplored: shard 2\/2 is missing$/) });
    // A canary caught in the half that ran is caught: a witness is evidence enough.
    expect(s.cases[2]).toMatchObject({ verdict: 'met' });
    const md = readFileSync(join(CWD, 'sh-half', 'summary.md'), 'utf8');
    expect(md).not.toMatch(/left out when the budget ran out/);
    expect(md).toMatch(/shard 2\/2 is missing/);
  }, 180_000);

  it('a killed shard (no finished marker, a torn last line) is unfinished: inconclusive, exit 4, never "left out when the budget ran out"', async () => {
    const cfg = await finishedShards();
    for (const i of [1, 2]) cpSync(join(CWD, `sh${i}`), join(CWD, `sk${i}`), { recursive: true });
    // What a SIGKILL after 7 runs leaves behind: 7 records and a half line, no marker.
    const path = join(CWD, 'sk2', 'results.jsonl');
    const full = lines(path);
    writeFileSync(path, full.slice(0, 7).join('\n') + '\n' + full[7].slice(0, 20));
    const m = await realmrace('merge', 'sk1', 'sk2', '--out', 'sk-merged');
    expect(m.status).toBe(4);
    expect(flat(m.stdout)).toMatch(/shard 2\/2 is unfinished: sk2 has no finished marker \(killed\?\) after 7 runs/);
    const md = readFileSync(join(CWD, 'sk-merged', 'summary.md'), 'utf8');
    expect(md).not.toMatch(/left out when the budget ran out/);
    // The input directory is left as it was (merge reads, never repairs).
    expect(readFileSync(path, 'utf8').endsWith(full[7].slice(0, 20))).toBe(true);
    // Resumed, the shard finishes, and the merge is whole again.
    expect((await realmrace('nightly', '--config', cfg, '--out', 'sk2', '--shard', '2/2', '--resume')).status).toBe(0);
    expect((await realmrace('merge', 'sk1', 'sk2', '--out', 'sk-merged2')).status).toBe(0);
  }, 180_000);
});
