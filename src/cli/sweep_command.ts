// `realmrace sweep`: TLB flush cost versus CPU count, per policy. Prints the
// table, a terminal chart and the bottleneck report; writes CSV, JSON and an
// SVG chart to --out.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { loadPolicy } from '../kernel/policies/index.js';
import { sweep, SweepSpec } from '../sweep/sweep.js';
import { bottleneckReport, renderSweepTable, sweepCsv, terminalChart } from '../report/sweep_report.js';
import { renderSweepSvg } from '../report/sweep_svg.js';
import { ConfigError } from '../run/errors.js';
import { SWEEP_POLICIES, type FlagValues } from '../config/fields.js';
import { overridesFromFlags } from '../config/flags.js';
import { runSpec, type SpecOverrides } from '../config/spec.js';
import { VERSION } from '../version.js';
import { fitText, outputWidth } from '../report/layout.js';
import { checkOutputDir } from './output_paths.js';

/** The sweep's flags: the spec's (with the sweep's own defaults, src/config/fields.ts PROFILES.sweep) and a vCPU list. */
export interface SweepFlags extends Partial<Omit<FlagValues, 'vcpus'>> {
  vcpus: string;
  policy: string;
  mode: 'controlled' | 'free';
  schedules: number;
  ops: number;
  seed: string;
  linearMap: 'pte' | 'block';
  flush: 'broadcast' | 'ipi';
  out: string;
  json?: boolean;
  /** Every column, no line wrapped. */
  wide?: boolean;
}

export const DEFAULT_SWEEP_POLICIES = SWEEP_POLICIES;

function parseVcpus(s: string): number[] {
  const v = s.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  if (v.length === 0 || v.some((x) => !Number.isInteger(x) || x < 1 || x > 256)) throw new ConfigError(`--vcpus wants a comma list of 1..256, got "${s}"`);
  return [...new Set(v)].sort((a, b) => a - b);
}

export async function sweepCommand(f: SweepFlags): Promise<number> {
  const vcpus = parseVcpus(f.vcpus);
  const specs = f.policy.split(',').map((s) => s.trim()).filter(Boolean);
  const policies = [];
  for (const s of specs) policies.push({ policy: await loadPolicy(s), spec: s });
  const over = overridesFromFlags('sweep', f as unknown as Record<string, unknown>) as SpecOverrides;
  runSpec({ ...over, realm: { ...over.realm, vcpus: vcpus[0] } }); // every field checked before the first run
  checkOutputDir('--out', f.out, true);
  const spec: SweepSpec = {
    vcpus, mode: f.mode, schedules: f.schedules, ops: f.ops, seed: f.seed,
    realm: over.realm ?? {}, workload: { mix: over.workload?.mix }, scheduler: over.scheduler, maxSteps: over.maxSteps,
  };
  const cores = availableParallelism();
  const width = outputWidth(f.wide);
  const log = (s: string): void => { if (!f.json) process.stdout.write(fitText(s, width) + '\n'); };
  log(`realmrace ${VERSION} sweep: ${specs.join(', ')} x vCPUs ${vcpus.join(',')}, ${f.mode} mode, ${f.flush} flushes, ${f.linearMap} linear map, ${f.schedules} schedule(s) of ${f.ops} ops per vCPU`);
  if (f.mode === 'free' && vcpus[vcpus.length - 1] + 1 > cores) {
    log(`note: free mode runs one thread per vCPU plus the host agent: up to ${vcpus[vcpus.length - 1] + 1} threads on ${cores} cores. Above ${cores - 1} vCPUs the threads time-share the cores, so measured ns include OS scheduling; modelled ns do not.`);
  }
  const t0 = performance.now();
  const rows = await sweep(policies, spec, (r) => log(`  ${r.policy} @ ${r.vcpus} vCPUs: ${r.modelledNsPerFlip.toFixed(0)} modelled ns/flip, ${r.measuredNsPerFlip.toFixed(0)} measured ns/flip (${(r.wallMs / 1000).toFixed(2)} s)`));
  const seconds = (performance.now() - t0) / 1000;
  mkdirSync(f.out, { recursive: true });
  const title = `modelled cost per flip vs vCPUs (${f.flush} flushes, ${f.linearMap} linear map, ${f.mode})`;
  writeFileSync(join(f.out, 'sweep.csv'), sweepCsv(rows));
  writeFileSync(join(f.out, 'sweep.svg'), renderSweepSvg(rows, title));
  const report = bottleneckReport(rows);
  const json = { tool: 'realmrace', version: VERSION, spec, seconds, cores, rows: rows.map(({ counts, ...r }) => ({ ...r, counts })), bottlenecks: report.split('\n') };
  writeFileSync(join(f.out, 'sweep.json'), JSON.stringify(json, null, 2) + '\n');
  if (f.json) {
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
    return 0;
  }
  log(renderSweepTable(rows, width));
  if (!f.json) process.stdout.write(terminalChart(rows, width) + '\n'); // coloured: fitted by terminalChart itself
  log('\nbottlenecks (modelled):');
  log(report);
  log(`\nwrote ${join(f.out, 'sweep.csv')}, ${join(f.out, 'sweep.json')}, ${join(f.out, 'sweep.svg')} (${seconds.toFixed(1)} s)`);
  return 0;
}
