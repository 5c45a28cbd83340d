// Honest replay lines (issue 9 item 8): a printed line is one that reproduces,
// starts with `npx realmrace`, and runs as printed from the directory it was
// printed in. Controlled: the file and the seed line; record mode: the exact
// file only (its seed does not reproduce the race); free mode: the file,
// labelled inexact, and marked so in its name and contents; in campaigns too.
// A replay that does not reproduce its recorded finding exits 2.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flat, realmraceIn } from './cli_helpers.js';
import { expandCases, type CampaignConfig } from '../src/campaign/config.js';
import { junitXml, summarize, summaryMd } from '../src/campaign/summary.js';

const CWD = mkdtempSync(join(tmpdir(), 'realmrace-lines-'));
const realmrace = (...args: string[]) => realmraceIn(CWD, ...args);
const replayLines = (out: string): string[] => [...out.matchAll(/^ +replay: (.*)$/gm)].map((m) => m[1]);
/** A printed line back to argv (the lines quote nothing here: plain words). */
const argv = (line: string): string[] => line.replace(/ {3}# inexact:.*$/, '').split(' ').slice(2);
// Flip-heavy programs so real threads race quickly; bounded by --seconds, stopped at the first SEA.
const RACY = ['--policy', 'vmalloc-naive', '--ops', '1000', '--mix', 'd_hash=50,kmalloc=10,kfree=5,dma_buffer=25,netvsc_buffer=10', '--seconds', '60', '--stop-on-first'];

describe('replay lines', () => {
  it('controlled: the file and the seed line, both npx realmrace, both reproduce as printed', async () => {
    const r = await realmrace('run', '--policy', 'vmalloc-naive', '--schedules', '40', '--stop-on-first', '--repro-dir', 'c');
    const lines = replayLines(r.out);
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^npx realmrace replay /);
    const [file, seed] = lines;
    expect(file).toMatch(/^npx realmrace replay c\/vmalloc-naive-SEA-\S+\.json$/);
    const a = await realmrace(...argv(file));
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/REPRODUCED - same signature, same trace hash/);
    const b = await realmrace(...argv(seed), '--json');
    expect(b.code).toBe(0);
    expect(flat(r.out)).toContain(JSON.parse(b.out).finding.signature); // wrapped at 100 columns
  });

  it('record mode: only the exact file, no --seed line; it replays exactly', async () => {
    const r = await realmrace('run', '--mode', 'record', ...RACY, '--repro-dir', 'rec');
    const lines = replayLines(r.out);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npx realmrace replay rec\/vmalloc-naive-SEA-[0-9a-f]{8}-[0-9a-f]{8}\.json$/);
    expect(r.out).not.toMatch(/--seed/);
    const a = await realmrace(...argv(lines[0]));
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/REPRODUCED/);
  }, 90_000);

  it('free mode: the file is labelled inexact on the line, in its name and in its contents', async () => {
    const r = await realmrace('run', '--mode', 'free', ...RACY, '--repro-dir', 'free');
    const lines = replayLines(r.out);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npx realmrace replay free\/vmalloc-naive-SEA-\S+-inexact\.json {3}# inexact: free mode records no schedule/);
    expect(r.out).not.toMatch(/--seed/);
    const file = argv(lines[0])[1];
    expect(JSON.parse(readFileSync(join(CWD, file), 'utf8'))).toMatchObject({ exact: false, foundIn: 'free' });
    const j = JSON.parse((await realmrace('run', '--mode', 'free', ...RACY, '--repro-dir', 'free', '--json')).out);
    expect(j.outcomes[0].buckets[0]).toMatchObject({ exact: false });
    expect(j.outcomes[0].buckets[0].replay[0]).toMatch(/inexact/);
  }, 120_000);

  it('a replay that does not reproduce its recorded signature or trace exits 2, never 0', async () => {
    const r = await realmrace('run', '--policy', 'vmalloc-naive', '--schedules', '40', '--stop-on-first', '--repro-dir', 'bad');
    const file = argv(replayLines(r.out)[0])[1];
    const j = JSON.parse(readFileSync(join(CWD, file), 'utf8'));
    writeFileSync(join(CWD, 'othersig.json'), JSON.stringify({ ...j, finding: { ...j.finding, signature: 'SEA in somewhere else' } }));
    writeFileSync(join(CWD, 'otherhash.json'), JSON.stringify({ ...j, traceHash: '0123456789abcdef' }));
    for (const f of ['othersig.json', 'otherhash.json']) {
      const x = await realmrace('replay', f);
      expect(x.code).toBe(2);
      expect(x.out).toMatch(/NOT REPRODUCED/);
      expect(x.out).not.toMatch(/realmrace: (REPRODUCED|replayed)/);
    }
  });

  it('nightly: reproducer lines are npx realmrace and paths from the cwd; the files exist there', async () => {
    const cfg = join(CWD, 'camp.json');
    writeFileSync(cfg, JSON.stringify({ name: 'lines', seed: '0x2026', budget: '5m', entries: [{ policy: 'vmalloc-naive', vcpus: [4], seeds: 20 }] }));
    const r = await realmrace('nightly', '--config', cfg, '--out', 'n1');
    expect(r.code).toBe(0);
    const md = readFileSync(join(CWD, 'n1', 'summary.md'), 'utf8');
    const file = /replay: `npx realmrace replay (n1\/reproducers\/\S+\.json)`/.exec(md)?.[1];
    expect(file).toBeDefined();
    expect(existsSync(join(CWD, file!))).toBe(true);
    expect(readFileSync(join(CWD, 'n1', 'junit.xml'), 'utf8')).toContain(`replay: npx realmrace replay ${file}`);
    expect((await realmrace('replay', file!)).code).toBe(0);
  });

  it('nightly: a free-mode finding is inexact in summary.json, summary.md and JUnit', async () => {
    const config = { name: 'f', seed: '0x1', budget: '1m', taskTimeout: '120s', entries: [{ policy: 'vmalloc-naive', vcpus: [4], seeds: 1, mode: 'free' as const }] } as CampaignConfig;
    const cases = expandCases(config);
    const rec = { caseId: cases[0].id, index: 0, seed: '0xabc', status: 'finding' as const, kind: 'SEA' as const, signature: 'SEA in d_hash > x', step: 9, detail: 'd', steps: 10, traceHash: 'ff', ms: 1 };
    const s = await summarize(cases, [rec], { name: 'f', seed: '0x1', shard: null, seconds: 1, planned: 1, skippedByBudget: 0 });
    const b = s.cases[0].buckets[0];
    expect(b.exact).toBe(false);
    expect(b.replay).toMatch(/^npx realmrace replay --seed 0xabc --policy vmalloc-naive .* {3}# inexact: free mode records no schedule/);
    expect(JSON.parse(JSON.stringify(s)).cases[0].buckets[0].exact).toBe(false);
    expect(summaryMd(s)).toMatch(/replay: `npx realmrace replay --seed 0xabc .*# inexact: free mode/);
    expect(junitXml(s)).toMatch(/replay: npx realmrace replay --seed 0xabc .*# inexact: free mode/);
  });
});
