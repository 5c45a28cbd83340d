// realmrace nightly / merge: a campaign for CI. Runs the built CLI (in-process) in scratch
// directories; campaigns are bounded by seed counts so they take seconds.

import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { readRecords } from '../src/campaign/results.js';
import { loadCampaign } from '../src/campaign/config.js';
import { flat, realmraceIn, verdictOf } from './cli_helpers.js';

const CLI = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
const fixture = (f: string): string => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));
const CWD = mkdtempSync(join(tmpdir(), 'realmrace-nightly-'));
// In-process (main() of the built CLI), with stdout/stderr/status named as spawnSync names them;
// only the campaign that is killed runs as its own process.
const realmrace = async (...args: string[]) => {
  const r = await realmraceIn(CWD, ...args);
  return { status: r.code, stdout: r.out, stderr: r.err };
};

function campaign(name: string, entries: unknown[], extra: Record<string, unknown> = {}): string {
  const path = join(CWD, `${name}.json`);
  writeFileSync(path, JSON.stringify({ name, seed: '0x2026', budget: '5m', entries, ...extra }));
  return path;
}

const SHORT = [
  { policy: 'v2-no-bbm', vcpus: [4], seeds: 60 },
  { policy: 'vmalloc-naive', vcpus: [2, 4], seeds: 20 },
  { policy: 'mainline', vcpus: [4], seeds: 30 },
  { policy: 'gfp-decrypted', vcpus: [4], seeds: 10, linearMap: 'block', minSchedules: 10 },
  { policy: 'mainline', vcpus: [4], mode: 'free', seeds: 2, ops: 300, minSchedules: 2 },
];

// The short campaign runs once (r1): its outputs are checked, and it is the unsharded run the shards are compared with.
let short: ReturnType<typeof realmrace> | undefined;
const shortCampaign = (): ReturnType<typeof realmrace> => (short ??= realmrace('nightly', '--config', campaign('short', SHORT), '--out', 'r1'));

describe('realmrace nightly', () => {
  it('a short campaign with canaries writes every output, a valid JUnit file, and exits 0', async () => {
    const r = await shortCampaign();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(verdictOf(r.stdout)).toMatch(/^realmrace nightly: SUCCESS - 6\/6 cases met their expectation in 142 runs$/);
    for (const f of ['summary.json', 'junit.xml', 'summary.md', 'testid.json', 'results.jsonl', 'campaign.json']) expect(existsSync(join(CWD, 'r1', f))).toBe(true);
    const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(CWD, 'r1', 'junit.xml'), 'utf8'));
    const suite = junit.testsuites.testsuite;
    expect(Number(suite['@_tests'])).toBe(6);
    expect(Number(suite['@_failures'])).toBe(0);
    expect(suite.testcase).toHaveLength(6);
    expect(suite.testcase[0]['@_classname']).toBe('realmrace.v2-no-bbm');
    expect(suite.testcase[0]['system-out']).toMatch(/replay: npx realmrace replay r1\/reproducers\/v2-no-bbm-controlled-4v-bbm-violation-[0-9a-f]{8}-[0-9a-f]{8}\.json/);
    const md = readFileSync(join(CWD, 'r1', 'summary.md'), 'utf8');
    expect(md).toMatch(/\| 0:v2-no-bbm:controlled:4v \(canary\) \| bbm-violation \| bbm-violation x\d+/);
    expect(md).toMatch(/replay: `npx realmrace replay r1\/reproducers\//);
    const repros = readdirSync(join(CWD, 'r1', 'reproducers'));
    expect(repros.some((f) => f.startsWith('vmalloc-naive-controlled-2v-SEA-'))).toBe(true);
    // A reproducer from the campaign replays.
    const rep = await realmrace('replay', join('r1', 'reproducers', repros[0]));
    expect(rep.status).toBe(0);
    const id = JSON.parse(readFileSync(join(CWD, 'r1', 'testid.json'), 'utf8'));
    expect(id).toMatchObject({ tool: 'realmrace', configHash: expect.stringMatching(/^[0-9a-f]{16}$/), cores: expect.any(Number) });
    // Progress is time against the budget and runs done.
    expect(r.stdout).toMatch(/^nightly: \d+s \/ 5m00s budget, \d+ runs, \d+ findings, 0 harness failures$/m);
    // Each JUnit testcase carries its real time: the sum of its runs' own time.
    const ms = new Map<string, number>();
    for (const x of readRecords(join(CWD, 'r1', 'results.jsonl'))) ms.set(x.caseId, (ms.get(x.caseId) ?? 0) + x.ms);
    for (const tc of suite.testcase) {
      const caseId = /\[(.*)\]$/.exec(tc['@_name'])![1];
      expect(Number(tc['@_time'])).toBeCloseTo(ms.get(caseId)! / 1000, 3);
      expect(Number(tc['@_time'])).toBeGreaterThan(0);
    }
  }, 120_000);

  it('exits 2 when a finding is unexpected (a canary whose bug expectation was removed)', async () => {
    const r = await realmrace('nightly', '--config', campaign('noexpect', [{ policy: fixture('policy_v2_claims_clean.js'), vcpus: [4], seeds: 150 }]), '--out', 'r2');
    expect(r.status).toBe(2);
    expect(flat(r.stdout)).toMatch(/FAILURE \(exit 2\) - 0:.*policy_v2_claims_clean\.js:controlled:4v: unexpected bbm-violation/);
    const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(CWD, 'r2', 'junit.xml'), 'utf8'));
    expect(junit.testsuites.testsuite.testcase.failure['@_message']).toMatch(/^bbm-violation in /);
    expect(junit.testsuites.testsuite.testcase.failure['#text']).toMatch(/replay: npx realmrace replay r2\/reproducers\//);
    // The last events read as `show` prints them (src/report/event_text.ts), the finding event named.
    expect(junit.testsuites.testsuite.testcase.failure['#text']).toMatch(/^\d+ vCPU\d +FINDING bbm-violation$/m);
    expect(junit.testsuites.testsuite.testcase.failure['#text']).toMatch(/^\d+ vCPU\d +pte\[\d+\]=\d+ (VALID|invalid),(NS|prot)$/m);
    expect(junit.testsuites.testsuite.testcase.failure['#text']).not.toMatch(/finding 0 0|pte_set|tlbi_vaale1is/);
  }, 120_000);

  it('exits 2 when a canary is not caught in enough complete runs: the harness lost its teeth', async () => {
    // One operation per vCPU cannot race: no catch rate is measured at 1 op, so the entry's stated minSchedules decides.
    const r = await realmrace('nightly', '--config', campaign('toothless', [{ policy: 'vmalloc-naive', vcpus: [2], seeds: 25, ops: 1, minSchedules: 20 }]), '--out', 'r3');
    expect(r.status).toBe(2);
    expect(flat(r.stdout)).toMatch(/canary not caught, the harness lost its teeth \(expected SEA was not found in 25 of 25 runs complete; a miss is called after 20 complete/);
  }, 60_000);

  it('a canary starved by the budget is inconclusive (exit 4), never "lost its teeth"; the campaign says its budget is short', async () => {
    // vmalloc-naive at 2 vCPUs catches in ~10% of runs: its first seeds here do not, and 1 ms of budget leaves at most 2 runs.
    const r = await realmrace('nightly', '--config', campaign('starved', [{ policy: 'vmalloc-naive', vcpus: [2], seeds: 2000 }, { policy: 'mainline', vcpus: [2], seeds: 100 }]), '--out', 'r3b', '--budget', '0.001s', '--threads', '1');
    expect(r.status).toBe(4);
    expect(r.stdout).not.toMatch(/lost its teeth/);
    expect(r.stdout).toMatch(/^realmrace nightly: budget 1ms cannot give every case its minimum runs: /m);
    expect(flat(r.stdout)).toMatch(/0:vmalloc-naive:controlled:2v: inconclusive: expected SEA was not found, (\d of \d runs complete|0 runs ran); a miss needs 89 complete \(99\.9% sure at the measured catch rate of 7\.5% per schedule\)/);
    expect(verdictOf(r.stdout)).toMatch(/^realmrace nightly: INCONCLUSIVE \(exit 4\) - 2\/2 cases without enough evidence/);
    const s = JSON.parse(readFileSync(join(CWD, 'r3b', 'summary.json'), 'utf8'));
    expect(s.cases.map((o: { verdict: string }) => o.verdict)).toEqual(['inconclusive', 'inconclusive']);
    const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(CWD, 'r3b', 'junit.xml'), 'utf8'));
    expect(Number(junit.testsuites.testsuite['@_failures'])).toBe(0);
    expect(Number(junit.testsuites.testsuite['@_skipped'])).toBe(2);
  }, 60_000);

  it('a case with 0 runs is never ok: merge exits 4 with the case inconclusive', async () => {
    // Case 1's only seed is run 1 of the plan, so shard 1/2 never runs it.
    const cfg = campaign('zero', [{ policy: 'mainline', vcpus: [2], seeds: 12, minSchedules: 5 }, { policy: 'alias-flip', vcpus: [2], seeds: 1, minSchedules: 1 }]);
    const s1 = await realmrace('nightly', '--config', cfg, '--out', 'z1', '--shard', '1/2');
    expect(s1.status).toBe(0); // a shard leaves the minimum to the merge
    const m = await realmrace('merge', 'z1', '--out', 'zm');
    expect(m.status).toBe(4);
    expect(flat(m.stdout)).toMatch(/1:alias-flip:controlled:2v: inconclusive: 0 runs ran; clean needs 1 complete \(minSchedules\)/);
    const s = JSON.parse(readFileSync(join(CWD, 'zm', 'summary.json'), 'utf8'));
    expect(s.cases.map((o: { verdict: string; runs: number }) => [o.verdict, o.runs])).toEqual([['inconclusive', 7], ['inconclusive', 0]]);
    // Shard 2/2 was never run: case 0 has enough complete runs for clean, but not its planned whole.
    expect(s.cases[0].reason).toBe('5 of 12 planned runs unexplored: shard 2/2 is missing');
    expect(readFileSync(join(CWD, 'zm', 'summary.md'), 'utf8')).toMatch(/\| 1:alias-flip:controlled:2v \| clean \| clean \| 0 \| 0 \| 0 \| 0 \| \*\*inconclusive\*\*: 0 runs ran/);
  }, 120_000);

  it('a worker that crashes is a harness failure and is replaced; a user policy stuck in one step is a hang finding (soft lockup); exit 3', async () => {
    const cfg = campaign('broken', [
      { policy: fixture('policy_crashes_worker.js'), vcpus: [2], seeds: 2 },
      { policy: fixture('policy_hangs_worker.js'), vcpus: [2], seeds: 1 },
      { policy: 'mainline', vcpus: [2], seeds: 6, minSchedules: 6 },
    // The timeout runs from when a worker begins the task (src/campaign/runner.ts taskSignal), so a
    // mainline seed queued behind the crashes is not charged for the start-up of replacement threads
    // (on a loaded 2-core machine that took over 3 s when the clock ran from submission).
    ], { taskTimeout: '3s' });
    const r = await realmrace('nightly', '--config', cfg, '--out', 'r4');
    expect(r.status).toBe(3);
    const s = JSON.parse(readFileSync(join(CWD, 'r4', 'summary.json'), 'utf8'));
    const [crash, hang, ok] = s.cases;
    expect(crash.verdict).toBe('harness-failure');
    expect(crash.harness[0]).toMatchObject({ harness: 'crash' });
    // Issue 9 item 3: a policy that loops without yielding is the policy's hang, not the harness's.
    expect(hang.harness).toEqual([]);
    expect(hang.verdict).toBe('unexpected');
    expect(hang.buckets[0].signature).toMatch(/^hang in \w+ > set_memory_decrypted: soft lockup: a step never returned/);
    expect(ok.verdict).toBe('met'); // the campaign went on with fresh workers
    expect(ok.runs).toBe(6);
    expect(r.stdout).toMatch(/FAILURE \(exit 3\)/);
  }, 120_000);

  it('killed mid-campaign, --resume finishes with no run lost or repeated', async () => {
    // 250 runs: the kill comes after 60 results, far from the end even on a fast machine (a poll is 50 ms).
    const cfg = campaign('resume', [{ policy: 'mainline', vcpus: [4], seeds: 200 }, { policy: 'vmalloc-naive', vcpus: [4], seeds: 50 }]);
    const out = join(CWD, 'r5');
    const child = spawn(process.execPath, [CLI, 'nightly', '--config', cfg, '--out', 'r5'], { cwd: CWD, stdio: 'ignore' });
    const results = join(out, 'results.jsonl');
    for (let i = 0; i < 600; i++) {
      await new Promise((res) => setTimeout(res, 50));
      if (existsSync(results) && readFileSync(results, 'utf8').split('\n').length > 60) break;
    }
    child.kill('SIGKILL');
    await new Promise((res) => child.on('exit', res));
    const before = readFileSync(results, 'utf8').trim().split('\n').length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(250);
    const r = await realmrace('nightly', '--config', cfg, '--out', 'r5', '--resume');
    expect(r.status).toBe(0);
    // Every line whole (a torn line left by the kill is cut off by --resume), the last one the finished marker.
    const lines = readFileSync(results, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.pop()).toMatchObject({ finished: expect.any(String), planned: 250 });
    const keys = lines.map((x) => `${x.caseId}#${x.index}`);
    expect(new Set(keys).size).toBe(250); // nothing lost
    expect(keys.length).toBe(250); // nothing run twice
  }, 180_000);

  it('shards 1/2 and 2/2, merged, explore exactly the seeds of the unsharded run', async () => {
    // The controlled entries of the short campaign (free runs are not deterministic); the unsharded
    // run is r1: its seeds depend on the campaign seed, the entry and the index, not on the other entries.
    const cfg = campaign('shards', SHORT.slice(0, 4));
    expect((await shortCampaign()).status).toBe(0);
    expect((await realmrace('nightly', '--config', cfg, '--out', 's1', '--shard', '1/2')).status).toBe(0);
    expect((await realmrace('nightly', '--config', cfg, '--out', 's2', '--shard', '2/2')).status).toBe(0);
    const m = await realmrace('merge', 's1', 's2', '--out', 'merged');
    expect(m.status).toBe(0);
    const controlled = (caseId: string): boolean => !caseId.includes(':free:');
    const seeds = (d: string) => readRecords(join(CWD, d, 'results.jsonl')).filter((r) => controlled(r.caseId)).map((r) => `${r.caseId}#${r.index}#${r.seed}#${r.traceHash}`).sort();
    expect(seeds('merged')).toEqual(seeds('r1'));
    expect(seeds('merged')).toHaveLength(140);
    expect(seeds('s1').length).toBeGreaterThan(0);
    expect(seeds('s2').length).toBeGreaterThan(0);
    type Case = { case: { id: string }; runs: number; buckets: unknown[] };
    const cases = (d: string): [string, number, number][] => JSON.parse(readFileSync(join(CWD, d, 'summary.json'), 'utf8')).cases
      .filter((o: Case) => controlled(o.case.id)).map((o: Case) => [o.case.id, o.runs, o.buckets.length]);
    expect(cases('merged')).toEqual(cases('r1'));
    expect(cases('merged')).toHaveLength(5);
  }, 180_000);

  it('a bad campaign file names the field; the default profile loads', async () => {
    const bad = join(CWD, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'x', seed: '0x1', budget: '30 minutes', entries: [] }));
    const r = await realmrace('nightly', '--config', bad);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^realmrace: error: campaign config .*bad\.json: budget: a duration like 90s, 30m or 2h/);
    writeFileSync(bad, JSON.stringify({ name: 'x', seed: '0x1', budget: '30m', entries: [{ policy: 'mainline', vcpus: [0], seeds: 1 }] }));
    expect((await realmrace('nightly', '--config', bad)).stderr).toMatch(/campaign config .*: entries\.0\.vcpus\.0: /);
    const def = loadCampaign(fileURLToPath(new URL('../stress/nightly.json', import.meta.url)));
    expect(def.config.budget).toBe('30m');
    expect(def.config.entries.some((e) => e.canary)).toBe(true);
  });
});
