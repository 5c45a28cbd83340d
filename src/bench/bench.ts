// npm run bench [-- --json]: the speed targets of issue 8, measured in one
// process. Wall-clock only; nothing here feeds back into the model. Every
// figure is the median of REPEAT runs (the machine is shared and noisy), shown
// with its target and with the bare-loop limit: what the same work costs
// without the harness (a bare generator step over plain arrays, a bare loop of
// the same Atomics, an empty worker, `node -e 0`).

import { availableParallelism, cpus, tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import Table from 'cli-table3';
import { ControlledRunner } from '../run/controlled.js';
import { FreeRunner } from '../run/free.js';
import { runConfig } from '../run/config.js';
import { BUILTIN_POLICIES, builtinPolicy } from '../kernel/policies/index.js';
import { Realm } from '../model/realm.js';
import { scheduleSeed } from '../run/seeds.js';
import { modelAloneRate } from './model_alone.js';
import { recordFreeAtomics, replayAtomics } from './free_atomics.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const REPEAT = 5;
const JSON_OUT = process.argv.includes('--json');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const log = (s: string): void => { if (!JSON_OUT) console.error(s); };

interface Figure {
  name: string;
  value: number;
  unit: string;
  /** Target and which way is better. */
  target: number;
  better: 'higher' | 'lower';
  /** The same work without the harness (same unit). */
  bare: number;
  runs: number[];
  /** In-thread figures: the same measured by this thread's CPU time (robust when the machine is shared). */
  cpu?: number;
  /**
   * The same figure if the harness cost nothing: the model and kernel alone
   * (model_alone.ts). A target beyond it cannot be met by the execution core.
   */
  floor?: number;
}

const met = (f: Figure): boolean => (f.better === 'higher' ? f.value >= f.target : f.value <= f.target);
/** How far from the target: value / target (higher-is-better) or target / value, as a factor still to gain (1 = met). */
const gap = (f: Figure): number => Math.max(1, f.better === 'higher' ? f.target / f.value : f.value / f.target);

/** CPU time of this process in ms (user + system): in-thread figures only. */
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };

/** All built-in policies, default config (4 vCPUs x 200 ops), schedules back to back in this thread. */
function controlledOnce(seed: string, seconds: number): { rate: number; msPerSchedule: number; stepsPerSchedule: number; cpuRate: number; cpuMsPerSchedule: number } {
  let steps = 0;
  let ms = 0;
  let cms = 0;
  // Per schedule: the mean over policies of each policy's own mean, so that a
  // policy whose schedules die at step 12 (v2-no-bbm) does not stand for all.
  let msPer = 0, cpuMsPer = 0, stepsPer = 0;
  for (const p of BUILTIN_POLICIES) {
    const r = new ControlledRunner(runConfig(), p);
    const t0 = performance.now();
    const c0 = cpuMs();
    let i = 0, s = 0;
    while (performance.now() - t0 < (seconds * 1000) / BUILTIN_POLICIES.length) s += r.runOne(scheduleSeed(seed, i++)).steps;
    const t = performance.now() - t0, c = cpuMs() - c0;
    steps += s; ms += t; cms += c;
    msPer += t / i / BUILTIN_POLICIES.length;
    cpuMsPer += c / i / BUILTIN_POLICIES.length;
    stepsPer += s / i / BUILTIN_POLICIES.length;
  }
  return { rate: (steps / ms) * 1000, msPerSchedule: msPer, stepsPerSchedule: stepsPer, cpuRate: (steps / cms) * 1000, cpuMsPerSchedule: cpuMsPer };
}

/** ns per controlled step of mainline with v vCPUs (realm sized as the sweep sizes it). */
function nsPerStepAt(vcpus: number, seconds: number): { wall: number; cpu: number } {
  const ops = Math.max(20, Math.round(800 / vcpus));
  const r = new ControlledRunner(runConfig({ realm: { vcpus, lmPages: 512 * (1 + Math.ceil(vcpus / 4)) }, workload: { ops } }), builtinPolicy('mainline')!);
  let steps = 0;
  const t0 = performance.now();
  const c0 = cpuMs();
  for (let i = 0; performance.now() - t0 < seconds * 1000; i++) steps += r.runOne(scheduleSeed('0xscale', i)).steps;
  return { wall: ((performance.now() - t0) * 1e6) / steps, cpu: ((cpuMs() - c0) * 1e6) / steps };
}

/**
 * The bare step: one generator resumption doing what a d_hash step does to the
 * tables (two TLB lookups and granule reads) and to the trace (one event
 * hashed), on plain arrays. ns per step.
 */
function bareStepNs(): number {
  const realm = new Realm(runConfig().realm);
  realm.reset();
  const a = realm.i32;
  let h1 = 0x811c9dc5 | 0;
  const dOff = realm.tlb.oDesc - realm.tlb.oTag; // a slot's descriptor word, from its tag word
  function* step(): Generator<number, void, void> {
    for (let i = 0; ; i++) {
      const vpn = i & 511;
      const s0 = realm.tlb.oTag + (vpn & realm.tlbMask);
      const s1 = realm.tlb.oTag + ((vpn + 1) & realm.tlbMask);
      const x = a[s0] + a[s0 + dOff] + a[realm.oGranule + vpn] + a[s1] + a[s1 + dOff] + a[realm.oGranule + vpn + 1];
      h1 = Math.imul(h1 ^ x, 16777619);
      yield 0;
    }
  }
  const N = 5e6;
  const times: number[] = [];
  for (let round = 0; round <= REPEAT; round++) {
    const g = step();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) g.next();
    if (round > 0) times.push(((performance.now() - t0) * 1e6) / N); // round 0 warms up the JIT
  }
  return median(times) + (h1 === 0.5 ? 1 : 0);
}

/** A program with no host I/O: every step is a vCPU step (the host agent sleeps on Atomics.wait). */
const cpuOnly = (vcpus: number) =>
  runConfig({ realm: { vcpus }, workload: { ops: 1e9, mix: { d_hash: 80, kmalloc: 12, kfree: 8, dma_buffer: 0, netvsc_buffer: 0 } }, maxSteps: Number.MAX_SAFE_INTEGER });

async function freeRates(vcpus: number): Promise<{ rate: number; nsPerStep: number; runs: number[] }> {
  const fr = new FreeRunner(cpuOnly(vcpus), 'mainline');
  try {
    await fr.runOne('0xwarm', { seconds: 0.3 });
    const rates: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const r = await fr.runOne(scheduleSeed('0xbench', i), { seconds: SECONDS / 2 });
      rates.push((r.steps / r.wallMs) * 1000);
    }
    const rate = median(rates);
    return { rate, nsPerStep: 1e9 / (rate / vcpus), runs: rates.map((x) => 1e9 / (x / vcpus)) };
  } finally {
    await fr.close();
  }
}

/**
 * The bare loop of the same Atomics (src/bench/free_atomics.ts): the Atomics
 * calls of the first 50,000 steps of the free figure's program on one vCPU,
 * recorded in this thread and replayed by a loop that does nothing else. ns per
 * step, and the calls a step makes.
 */
function bareAtomicsNs(): { ns: number; perStep: number; byKind: Record<string, number> } {
  const rec = recordFreeAtomics(cpuOnly(1), builtinPolicy('mainline')!, scheduleSeed('0xbench', 0), 50_000);
  let sink = 0;
  const times: number[] = [];
  for (let round = 0; round <= REPEAT; round++) {
    const t0 = performance.now();
    sink += replayAtomics(rec);
    if (round > 0) times.push(((performance.now() - t0) * 1e6) / rec.steps); // round 0 warms up the JIT
  }
  const perKind = Object.fromEntries(Object.entries(rec.byKind).map(([k, n]) => [k, n / rec.steps]));
  return { ns: median(times) + (sink === 0.5 ? 1 : 0), perStep: rec.calls / rec.steps, byKind: perKind };
}

/**
 * The CommonJS wrapper a start-up pool runs: it require()s `entry` exactly as
 * piscina require()s it in production (a workers/*.cjs file, whose export is a
 * Promise of the handler) and answers one ping per thread. With no entry it is
 * the bare limit: a piscina thread that loads nothing.
 */
const pingWorker = (entry: string | null): string => `'use strict';
const { threadId } = require('node:worker_threads');
const loaded = ${entry ? `require(${JSON.stringify(entry)})` : 'null'};
// The ping: every thread counts itself in and waits until all have, so the n
// answers come from n distinct threads, each of which has loaded its entry.
function ping({ arrived, threads }) {
  const a = new Int32Array(arrived);
  Atomics.add(a, 0, 1);
  Atomics.notify(a, 0);
  for (let v; (v = Atomics.load(a, 0)) < threads; ) if (Atomics.wait(a, 0, v, 10000) === 'timed-out') throw new Error('pool ping: only ' + v + ' of ' + threads + ' threads answered in 10 s');
  return threadId;
}
module.exports = Promise.resolve(loaded).then((handler) => {
  if (loaded !== null && typeof handler !== 'function') throw new Error('the entry does not export a Promise of a function');
  return ping;
});
`;

/**
 * A pool of `threads` workers is ready when it has been created and every
 * thread has loaded its entry and answered a ping. Wall ms, and CPU ms of the
 * whole process meanwhile (all threads: robust when the machine is shared).
 */
async function poolReady(filename: string, threads: number): Promise<{ ms: number; cpu: number }> {
  const arrived = new SharedArrayBuffer(4);
  const c0 = cpuMs();
  const t0 = performance.now();
  const pool = new Piscina({ filename, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  try {
    const ids = await Promise.all(Array.from({ length: threads }, () => pool.run({ arrived, threads }) as Promise<number>));
    const ms = performance.now() - t0;
    const cpu = cpuMs() - c0;
    if (new Set(ids).size !== threads) throw new Error(`pool ping answered by ${new Set(ids).size} threads, not ${threads}`);
    return { ms, cpu };
  } finally {
    await pool.destroy();
  }
}

/** Pool-ready medians for a production entry and for the bare wrapper, interleaved run by run. */
async function poolFigures(dir: string, entry: string, threads: number, repeat: number): Promise<{ ms: number[]; cpu: number[]; bareMs: number[]; bareCpu: number[] }> {
  const ours = join(dir, `ping_${threads}_${entry.replace(/\W+/g, '_')}.cjs`);
  const bare = join(dir, 'ping_bare.cjs');
  writeFileSync(ours, pingWorker(entry));
  writeFileSync(bare, pingWorker(null));
  await poolReady(ours, threads); // warm the file system cache
  await poolReady(bare, threads);
  const out = { ms: [] as number[], cpu: [] as number[], bareMs: [] as number[], bareCpu: [] as number[] };
  for (let i = 0; i < repeat; i++) {
    const o = await poolReady(ours, threads);
    const b = await poolReady(bare, threads);
    out.ms.push(o.ms); out.cpu.push(o.cpu); out.bareMs.push(b.ms); out.bareCpu.push(b.cpu);
  }
  return out;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // the package root (this file is dist/src/bench/)
const spawnMs = (args: string[]): number => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
  return performance.now() - t0;
};

async function main(): Promise<void> {
  log(`realmrace bench: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, median of ${REPEAT} x ${SECONDS}s`);
  const figs: Figure[] = [];
  const bareNs = bareStepNs();

  controlledOnce('0xwarm', SECONDS); // JIT warm-up
  const runs = Array.from({ length: REPEAT }, (_, i) => controlledOnce(scheduleSeed('0xbench', i), SECONDS));
  const stepsPerSchedule = median(runs.map((r) => r.stepsPerSchedule));
  figs.push({ name: 'controlled, in-thread steps/s (all built-in policies)', value: median(runs.map((r) => r.rate)), unit: 'steps/s', target: 5e6, better: 'higher', bare: 1e9 / bareNs, runs: runs.map((r) => r.rate), cpu: median(runs.map((r) => r.cpuRate)) });
  figs.push({ name: `controlled, one 4-vCPU x 200-op schedule (mean over built-in policies, ~${Math.round(stepsPerSchedule)} steps)`, value: median(runs.map((r) => r.msPerSchedule)), unit: 'ms', target: 1, better: 'lower', bare: (stepsPerSchedule * bareNs) / 1e6, runs: runs.map((r) => r.msPerSchedule), cpu: median(runs.map((r) => r.cpuMsPerSchedule)) });
  log('controlled done');

  nsPerStepAt(4, 0.3); nsPerStepAt(64, 0.3); // warm-up
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const at64 = nsPerStepAt(64, SECONDS / 2);
    const at4 = nsPerStepAt(4, SECONDS / 2);
    ratios.push(at64.wall / at4.wall);
    cpuRatios.push(at64.cpu / at4.cpu);
  }
  figs.push({ name: 'controlled, ns per step at 64 vCPUs / at 4 vCPUs (mainline)', value: median(ratios), unit: 'x', target: 1.3, better: 'lower', bare: 1, runs: ratios, cpu: median(cpuRatios) });
  log('scaling done');

  // After the figures above: recording makes the loop's scheduler calls polymorphic.
  modelAloneRate(runConfig(), BUILTIN_POLICIES, '0xwarm', SECONDS, cpuMs); // JIT warm-up
  const alone = Array.from({ length: REPEAT }, (_, i) => modelAloneRate(runConfig(), BUILTIN_POLICIES, scheduleSeed('0xbench', i), SECONDS, cpuMs));
  // The floors: each figure scaled by the ratio of bare to full on the same recorded schedules,
  // timed alternately (model_alone.ts), so that a change of the shared machine's speed between
  // the two measurements does not move them.
  const bareOverFull = median(alone.map((r) => r.cpuRate / r.fullCpuRate));
  figs[0].floor = figs[0].value * bareOverFull;
  figs[1].floor = figs[1].value / bareOverFull;
  /** Share of a controlled step that is the harness (scheduler, executor, watchdog, observers), by CPU time. */
  const harnessShare = 1 - 1 / bareOverFull;
  log('model alone done');

  const bareAtomics = bareAtomicsNs();
  const f1 = await freeRates(1);
  const f2 = await freeRates(2);
  figs.push({ name: 'free, 1 vCPU thread: ns per step / bare loop of the same Atomics', value: f1.nsPerStep / bareAtomics.ns, unit: 'x', target: 3, better: 'lower', bare: 1, runs: f1.runs.map((x) => x / bareAtomics.ns) });
  log('free done');

  // Start-up figures are cheap and noisy (process and thread creation on a shared machine): more runs.
  const startRepeat = 2 * REPEAT + 1;
  const entry = (name: string): string => fileURLToPath(new URL(`../../workers/${name}.cjs`, import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'realmrace-bench-'));
  const pools: Record<string, { ms: number; cpuMs: number; bareMs: number; bareCpuMs: number; overBare: number }> = {};
  try {
    // actor.cjs: the free runner's entry (4 vCPUs + the host agent = 5 threads); the others for comparison.
    for (const name of ['actor', 'turn_actor', 'schedule']) {
      const p = await poolFigures(dir, entry(name), 5, startRepeat);
      const ratios = p.ms.map((x, i) => x / p.bareMs[i]);
      pools[name] = { ms: median(p.ms), cpuMs: median(p.cpu), bareMs: median(p.bareMs), bareCpuMs: median(p.bareCpu), overBare: median(ratios) };
      if (name === 'actor') figs.push({ name: '5-worker pool ready (free-mode actor workers)', value: median(p.ms), unit: 'ms', target: 120, better: 'lower', bare: median(p.bareMs), runs: p.ms });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log('pool done');

  const help: number[] = [];
  const bareNode: number[] = [];
  const bin = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin.realmrace;
  spawnMs([bin, '--help']); spawnMs(['-e', '0']); // warm the file system cache
  for (let i = 0; i < startRepeat; i++) { help.push(spawnMs([bin, '--help'])); bareNode.push(spawnMs(['-e', '0'])); }
  figs.push({ name: 'realmrace --help (spawned node)', value: median(help), unit: 'ms', target: 150, better: 'lower', bare: median(bareNode), runs: help });

  const extra = { harnessShare, free1: f1.rate, free2: f2.rate, free2over1: f2.rate / f1.rate, bareStepNs: bareNs, bareAtomicsNs: bareAtomics.ns, atomicsPerFreeStep: bareAtomics.perStep, atomicsPerFreeStepByKind: bareAtomics.byKind, freeStepNs: f1.nsPerStep, pools, helpOverBare: median(help.map((x, i) => x / bareNode[i])) };
  if (JSON_OUT) {
    console.log(JSON.stringify({
      node: process.version, cores: availableParallelism(), repeat: REPEAT, seconds: SECONDS,
      figures: figs.map((f) => ({ ...f, met: met(f), gap: gap(f), ...(f.floor !== undefined ? { beyondFloor: !met({ ...f, value: f.floor }) } : {}) })), extra,
    }, null, 2));
    return;
  }
  const fmt = (v: number, unit: string): string => (unit === 'steps/s' ? `${(v / 1e6).toFixed(2)} M` : unit === 'x' ? `${v.toFixed(2)}x` : `${v.toFixed(unit === 'ms' && v < 10 ? 2 : 0)} ${unit}`);
  const t = new Table({ head: ['measurement', 'median', 'by CPU time', 'target', 'bare-loop limit', 'model alone', 'met', 'factor to go'], style: { head: [], border: [] } });
  for (const f of figs) t.push([f.name, fmt(f.value, f.unit), f.cpu === undefined ? '' : fmt(f.cpu, f.unit), `${f.better === 'higher' ? '>=' : '<='} ${fmt(f.target, f.unit)}`, fmt(f.bare, f.unit), f.floor === undefined ? '' : fmt(f.floor, f.unit), met(f) ? 'yes' : 'NO', met(f) ? '' : `${gap(f).toFixed(2)}x`]);
  console.log(t.toString());
  for (const [name, p] of Object.entries(pools)) console.log(`5-worker pool of workers/${name}.cjs: ${p.ms.toFixed(0)} ms, ${p.overBare.toFixed(2)}x the bare pool (${p.bareMs.toFixed(0)} ms); CPU of all threads ${p.cpuMs.toFixed(0)} ms (bare ${p.bareCpuMs.toFixed(0)} ms).`);
  console.log(`realmrace --help: ${extra.helpOverBare.toFixed(2)}x node -e 0.`);
  console.log(`model and kernel alone (the same schedules replayed by a bare loop, same trace hashes; no scheduler, executor, watchdog or observers): ${fmt(figs[0].floor!, 'steps/s')} steps/s, ${fmt(figs[1].floor!, 'ms')} per schedule (the 'model alone' column). The harness is ${(100 * harnessShare).toFixed(0)}% of a controlled step; no change to the execution core alone can go past these (a target beyond them needs the model and kernel paths themselves to get cheaper).`);
  console.log(`free mode: 1 thread ${(f1.rate / 1e6).toFixed(2)} M steps/s, 2 threads ${(f2.rate / 1e6).toFixed(2)} M (${extra.free2over1.toFixed(2)}x); CPU-only program, the host agent sleeps on Atomics.wait.`);
  const kinds = Object.entries(bareAtomics.byKind).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${n.toFixed(2)} ${k}`).join(', ');
  console.log(`free-mode step: ${f1.nsPerStep.toFixed(0)} ns; the same Atomics (src/bench/free_atomics.ts: ${bareAtomics.perStep.toFixed(1)} calls a step, ${kinds}) replayed bare: ${bareAtomics.ns.toFixed(0)} ns a step.`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
