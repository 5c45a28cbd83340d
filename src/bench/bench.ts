// npm run bench: the performance targets of docs/design.md, measured in one run
// on this machine. Wall-clock only; nothing here feeds back into the model.
// Every figure is the median of REPEAT measurements: this 2-core VM is noisy.

import { availableParallelism, cpus } from 'node:os';
import Table from 'cli-table3';
import { ControlledRunner } from '../run/controlled.js';
import { FreeRunner } from '../run/free.js';
import { runConfig } from '../run/config.js';
import { BUILTIN_POLICIES, builtinPolicy } from '../kernel/policies/index.js';
import { sweep } from '../sweep/sweep.js';
import { DEFAULT_SWEEP_POLICIES } from '../cli/sweep_command.js';
import { Realm, INFLIGHT_STRIDE } from '../model/realm.js';
import { scheduleSeed } from '../run/seeds.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const REPEAT = 3;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** All built-in policies, default config, schedules back to back in this thread. */
function controlledOnce(seed: string): { rate: number; msPerSchedule: number } {
  let steps = 0;
  let schedules = 0;
  let ms = 0;
  for (const p of BUILTIN_POLICIES) {
    const r = new ControlledRunner(runConfig(), p);
    const t0 = performance.now();
    let i = 0;
    while (performance.now() - t0 < (SECONDS * 1000) / BUILTIN_POLICIES.length) {
      steps += r.runOne(scheduleSeed(seed, i++)).steps;
      schedules++;
    }
    ms += performance.now() - t0;
  }
  return { rate: (steps / ms) * 1000, msPerSchedule: ms / schedules };
}

/** A program with no host I/O: every step is a vCPU step (the host agent sleeps on Atomics.wait). */
const cpuOnly = (vcpus: number) =>
  runConfig({ realm: { vcpus }, workload: { ops: 1e9, mix: { d_hash: 80, kmalloc: 12, kfree: 8, dma_buffer: 0, netvsc_buffer: 0 } }, maxSteps: Number.MAX_SAFE_INTEGER });

async function freeRates(vcpus: number): Promise<{ rate: number; nsPerStep: number }> {
  const fr = new FreeRunner(cpuOnly(vcpus), 'mainline');
  try {
    await fr.runOne('0xwarm', { seconds: 0.3 });
    const rates: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const r = await fr.runOne(scheduleSeed('0xbench', i), { seconds: SECONDS });
      rates.push((r.steps / r.wallMs) * 1000);
    }
    const rate = median(rates);
    return { rate, nsPerStep: 1e9 / (rate / vcpus) };
  } finally {
    await fr.close();
  }
}

/** The Atomics a zeropad step does (in-flight marks, TLB tag+descriptor and granule for two pages), nothing else. */
function bareLoopNs(): number {
  const realm = new Realm(cpuOnly(1).realm);
  realm.reset();
  const a = realm.i32;
  const N = 5e6;
  let sink = 0;
  const times: number[] = [];
  for (let round = 0; round <= REPEAT; round++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const vpn = i & 511;
      Atomics.store(a, realm.oInflight, 2 * i + 1);
      sink += Atomics.load(a, realm.oTlbTag + (vpn & realm.tlbMask)) + Atomics.load(a, realm.oTlbDesc + (vpn & realm.tlbMask));
      sink += Atomics.load(a, realm.oGranule + vpn);
      sink += Atomics.load(a, realm.oTlbTag + ((vpn + 1) & realm.tlbMask)) + Atomics.load(a, realm.oTlbDesc + ((vpn + 1) & realm.tlbMask));
      sink += Atomics.load(a, realm.oGranule + vpn + 1);
      Atomics.store(a, realm.oInflight + 0 * INFLIGHT_STRIDE, 2 * i + 2);
    }
    if (round > 0) times.push(((performance.now() - t0) * 1e6) / N); // round 0 warms up the JIT
  }
  return median(times) + (sink === 0.5 ? 1 : 0);
}

/** How long the default controlled sweep (5 policies x 1..64 vCPUs, 2 schedules of 100 ops) takes. */
async function sweepSeconds(): Promise<{ seconds: number; steps: number }> {
  const names = DEFAULT_SWEEP_POLICIES.split(',');
  const policies = names.map((n) => ({ policy: builtinPolicy(n)!, spec: n }));
  const t0 = performance.now();
  const rows = await sweep(policies, { vcpus: [1, 2, 4, 8, 16, 32, 64], mode: 'controlled', schedules: 2, ops: 100, seed: '0x1', realm: { linearMap: 'block' } });
  return { seconds: (performance.now() - t0) / 1000, steps: rows.reduce((s, r) => s + r.counts.steps, 0) };
}

async function main(): Promise<void> {
  console.log(`realmrace bench: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, median of ${REPEAT} x ${SECONDS}s`);
  controlledOnce('0xwarm'); // JIT warm-up
  const runs = Array.from({ length: REPEAT }, (_, i) => controlledOnce(scheduleSeed('0xbench', i)));
  const cRate = median(runs.map((r) => r.rate));
  const cSched = median(runs.map((r) => r.msPerSchedule));
  const f1 = await freeRates(1);
  const f2 = await freeRates(2);
  const bare = bareLoopNs();
  const sw = await sweepSeconds();
  const ratio = f2.rate / f1.rate;
  const stepVsBare = f1.nsPerStep / bare;
  const t = new Table({ head: ['measurement', 'value', 'target', 'met'], style: { head: [], border: [] } });
  const row = (m: string, v: string, target = '', ok?: boolean): void => { t.push([m, v, target, ok === undefined ? '' : ok ? 'yes' : 'NO']); };
  row('controlled, in-thread steps/s (all built-in policies)', `${(cRate / 1e6).toFixed(2)} M`, '>= 5 M', cRate >= 5e6);
  row('controlled, one 4-vCPU x 200-op schedule', `${cSched.toFixed(2)} ms`, '<= 1 ms', cSched <= 1);
  row('free, 1 vCPU thread, steps/s', `${(f1.rate / 1e6).toFixed(2)} M`);
  row('free, 2 vCPU threads, steps/s', `${(f2.rate / 1e6).toFixed(2)} M`);
  row('free, 2 threads / 1 thread', `${ratio.toFixed(2)}x`, '>= 1.7x', ratio >= 1.7);
  row('sweep 1..64 vCPUs, 5 policies, controlled (default settings)', `${sw.seconds.toFixed(1)} s, ${(sw.steps / 1e6).toFixed(1)} M steps`);
  row('free step vs bare loop of the same Atomics', `${f1.nsPerStep.toFixed(0)} ns / ${bare.toFixed(1)} ns = ${stepVsBare.toFixed(1)}x`, '<= 3x', stepVsBare <= 3);
  console.log(t.toString());
  console.log('free runs use a CPU-only program (zeropad reads and slab churn); the host agent thread sleeps on Atomics.wait.');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
