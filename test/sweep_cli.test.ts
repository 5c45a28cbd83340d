// realmrace sweep from the command line: 1..64 vCPUs in controlled mode, the
// files it writes, the chart rendering in headless Chromium, and honest notes
// when free-mode threads outnumber the cores.

import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { screenshotHtml, CHROMIUM } from '../src/report/screenshot.js';

const CLI = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
const CWD = mkdtempSync(join(tmpdir(), 'realmrace-sweep-'));
const realmrace = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 300_000, cwd: CWD });

describe('realmrace sweep', () => {
  it('sweeps 1..64 vCPUs in controlled mode and writes CSV, JSON and SVG with a bottleneck report', () => {
    const r = realmrace('sweep', '--vcpus', '1,2,4,8,16,32,64', '--policy', 'mainline,gfp-decrypted', '--ops', '40', '--schedules', '1', '--out', 'out1');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/│ mainline +│ 64 +│/);
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

  it('the same sweep twice gives the same modelled figures', () => {
    const args = ['sweep', '--vcpus', '1,8', '--policy', 'mainline', '--ops', '30', '--schedules', '1', '--json'];
    const a = JSON.parse(realmrace(...args, '--out', 'o2').stdout);
    const b = JSON.parse(realmrace(...args, '--out', 'o3').stdout);
    const modelled = (j: { rows: { modelledNsPerFlip: number; perFlip: unknown; flushes: number }[] }) => j.rows.map((x) => [x.modelledNsPerFlip, x.perFlip, x.flushes]);
    expect(modelled(a)).toEqual(modelled(b));
  }, 120_000);

  it('free mode says so when threads outnumber the cores', () => {
    const v = availableParallelism() + 1;
    const r = realmrace('sweep', '--mode', 'free', '--vcpus', `1,${v}`, '--policy', 'mainline', '--ops', '30', '--schedules', '1', '--out', 'o4');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`note: free mode runs one thread per vCPU plus the host agent: up to ${v + 1} threads on ${availableParallelism()} cores`));
  }, 120_000);

  it('rejects a bad vCPU list and a bad cost file with one-line errors', () => {
    const r = realmrace('sweep', '--vcpus', '1,x');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^realmrace: error: --vcpus wants a comma list of 1\.\.256/);
    const c = realmrace('sweep', '--costs', 'nope.json');
    expect(c.status).toBe(1);
    expect(c.stderr).toMatch(/^realmrace: error: cost table nope\.json: ENOENT/);
  });

  it.skipIf(!existsSync(CHROMIUM))('the SVG chart renders in headless Chromium', async () => {
    const svg = join(CWD, 'out1', 'sweep.svg');
    const png = join(CWD, 'sweep.png');
    await screenshotHtml(svg, png);
    expect(statSync(png).size).toBeGreaterThan(10_000);
  }, 60_000);
});
