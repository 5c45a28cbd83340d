// realmrace sweep from the command line: 1..64 vCPUs in controlled mode, the
// files it writes, the chart rendering in headless Chromium, and honest notes
// when free-mode threads outnumber the cores.

import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { screenshotHtml, CHROMIUM } from '../src/report/screenshot.js';
import { realmraceIn } from './cli_helpers.js';

const CWD = mkdtempSync(join(tmpdir(), 'realmrace-sweep-'));
// In-process (main() of the built CLI), with stdout/stderr/status named as spawnSync names them.
const realmrace = async (...args: string[]) => {
  const r = await realmraceIn(CWD, ...args);
  return { status: r.code, stdout: r.out, stderr: r.err };
};

describe('realmrace sweep', () => {
  it('sweeps 1..64 vCPUs in controlled mode and writes CSV, JSON and SVG with a bottleneck report', async () => {
    const r = await realmrace('sweep', '--vcpus', '1,2,4,8,16,32,64', '--policy', 'mainline,gfp-decrypted', '--ops', '40', '--schedules', '1', '--out', 'out1');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/│ mainline +│ +64 │/);
    expect(r.stdout).toMatch(/modelled us per flip vs vCPUs/);
    expect(r.stdout).toMatch(/bottlenecks \(modelled\):\nmainline: .* ns per flip at 1 vCPU -> .* at 64/);
    expect(r.stdout).toMatch(/why it grows: /);
    const csv = readFileSync(join(CWD, 'out1', 'sweep.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^policy,mode,vcpus,schedules,flips,flipped_pages,flushes,invalidations_delivered,full_flushes,splits,rsi_calls,modelled_ns_per_flip/);
    expect(csv).toHaveLength(1 + 2 * 7);
    const json = JSON.parse(readFileSync(join(CWD, 'out1', 'sweep.json'), 'utf8'));
    expect(json.rows.map((x: { vcpus: number }) => x.vcpus)).toEqual([1, 2, 4, 8, 16, 32, 64, 1, 2, 4, 8, 16, 32, 64]);
    expect(readFileSync(join(CWD, 'out1', 'sweep.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>$/);
  }, 300_000);

  it('the same sweep twice gives the same modelled figures', async () => {
    const args = ['sweep', '--vcpus', '1,8', '--policy', 'mainline', '--ops', '30', '--schedules', '1', '--json'];
    const a = JSON.parse((await realmrace(...args, '--out', 'o2')).stdout);
    const b = JSON.parse((await realmrace(...args, '--out', 'o3')).stdout);
    const modelled = (j: { rows: { modelledNsPerFlip: number; perFlip: unknown; flushes: number }[] }) => j.rows.map((x) => [x.modelledNsPerFlip, x.perFlip, x.flushes]);
    expect(modelled(a)).toEqual(modelled(b));
  }, 120_000);

  it('free mode says so when threads outnumber the cores', async () => {
    const v = availableParallelism() + 1;
    const r = await realmrace('sweep', '--mode', 'free', '--vcpus', `1,${v}`, '--policy', 'mainline', '--ops', '30', '--schedules', '1', '--out', 'o4');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`note: free mode runs one thread per vCPU plus the host agent: up to ${v + 1} threads on ${availableParallelism()} cores`));
  }, 120_000);

  it('rejects a bad vCPU list and a bad cost file with one-line errors', async () => {
    const r = await realmrace('sweep', '--vcpus', '1,x');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^realmrace: error: --vcpus wants a comma list of 1\.\.256/);
    const c = await realmrace('sweep', '--costs', 'nope.json');
    expect(c.status).toBe(1);
    expect(c.stderr).toMatch(/^realmrace: error: option '--costs <file\.json\|key=ns,\.\.\.>' argument 'nope\.json' is invalid\. cost table nope\.json: ENOENT\n$/);
    writeFileSync(join(CWD, 'typo.json'), '{ "broadcastSnyc": 2000 }');
    const t = await realmrace('sweep', '--costs', 'typo.json');
    expect(t.status).toBe(1);
    expect(t.stderr).toMatch(/^realmrace: error: costs must be one of the keys pteWrite, .*, got "broadcastSnyc"\n$/);
  });

  it.skipIf(!existsSync(CHROMIUM))('the SVG chart renders in headless Chromium', async () => {
    const svg = join(CWD, 'out1', 'sweep.svg');
    const png = join(CWD, 'sweep.png');
    await screenshotHtml(svg, png);
    expect(statSync(png).size).toBeGreaterThan(10_000);
  }, 60_000);
});
