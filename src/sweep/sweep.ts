// realmrace sweep: run each policy at each vCPU count and collect what flipping
// memory costs there: flushes, invalidations delivered, full flushes, splits,
// RSI calls, modelled ns per flip (deterministic) and measured ns per flip.

import * as hdr from 'hdr-histogram-js';
import { availableParallelism } from 'node:os';
import type { Policy } from '../kernel/policy.js';
import { Counts, zeroCounts, addCounts, NS_PARTS } from '../check/counters.js';
import { ControlledRunner } from '../run/controlled.js';
import { FreeRunner } from '../run/free.js';
import { runConfig, RunConfig } from '../run/config.js';
import type { RealmOverrides } from '../model/config.js';
import type { WorkloadConfig } from '../workload/program.js';
import type { SchedulerSpec } from '../sched/scheduler.js';
import { scheduleSeed } from '../run/seeds.js';

/** What a sweep runs; any spec field it leaves out takes the spec's default (src/config/fields.ts). */
export interface SweepSpec {
  vcpus: number[];
  mode: 'controlled' | 'free';
  /** Schedules (controlled) or runs (free) per policy x vCPU count. */
  schedules: number;
  ops: number;
  seed: string;
  realm: RealmOverrides;
  workload?: { mix?: Partial<WorkloadConfig['mix']> };
  scheduler?: Partial<SchedulerSpec>;
  maxSteps?: number;
}

export interface Percentiles { count: number; p50: number; p99: number; max: number }

type Histogram = ReturnType<typeof hdr.build>;
const newHistogram = (): Histogram => hdr.build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3 });
const percentiles = (h: Histogram): Percentiles =>
  h.totalCount ? { count: h.totalCount, p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99), max: h.maxValue } : { count: 0, p50: 0, p99: 0, max: 0 };

export interface SweepRow {
  policy: string;
  vcpus: number;
  mode: 'controlled' | 'free';
  schedules: number;
  flips: number;
  flippedPages: number;
  flushes: number;
  invalidationsDelivered: number;
  fullFlushes: number;
  splits: number;
  rsiCalls: number;
  /** Modelled ns per set_memory_* call, including the DVM/IPI cost it imposes on the other CPUs. */
  modelledNsPerFlip: number;
  sharedBuffers: number;
  /** Modelled flip ns per shared buffer the workload obtained: compares pools with per-allocation flips. */
  modelledNsPerBuffer: number;
  /** Modelled ns per flip, by where it goes (break, tlbi, sync, rsi, split, make, victim). */
  perFlip: Record<(typeof NS_PARTS)[number], number>;
  /** Modelled ns charged to the busiest and the least busy vCPU. */
  vcpuNsMax: number;
  vcpuNsMin: number;
  /** Measured wall-clock ns per flip: mean and percentiles of the calls' own steps. */
  measuredNsPerFlip: number;
  p50: number;
  p99: number;
  max: number;
  /** The same percentiles for each direction. */
  decrypt: Percentiles;
  encrypt: Percentiles;
  /** Measured wall-clock waiting in DSB ISH for other threads' accesses (free mode), ns per flip. */
  dsbWaitNsPerFlip: number;
  opsPerSecond: number;
  wallMs: number;
  findings: number;
  threads: number;
  cores: number;
  counts: Counts;
}

/** Unless given, memory grows with the vCPU count, so 64 vCPUs are not starved of pages. */
export function sweepConfig(spec: SweepSpec, vcpus: number): RunConfig {
  const lmPages = 512 * (1 + Math.ceil(vcpus / 4));
  return runConfig({
    realm: { lmPages, vmPages: Math.max(512, 64 * vcpus), ...spec.realm, vcpus },
    workload: { ...spec.workload, ops: spec.ops },
    scheduler: spec.scheduler,
    maxSteps: spec.maxSteps,
  });
}

export async function sweepOne(policy: Policy, policySpec: string, spec: SweepSpec, vcpus: number): Promise<SweepRow> {
  const cfg = sweepConfig(spec, vcpus);
  const counts = zeroCounts();
  const hist = newHistogram();
  const dec = newHistogram();
  const enc = newHistogram();
  const vcpuNs = new Array(vcpus).fill(0);
  let findings = 0;
  const t0 = performance.now();
  const take = (r: { counts: Counts; finding: unknown; vcpuNs: number[]; flipWall?: number[] }): void => {
    addCounts(counts, r.counts);
    if (r.finding) findings++;
    r.vcpuNs.forEach((ns, i) => (vcpuNs[i] += ns));
    for (const w of r.flipWall ?? []) {
      const ns = Math.max(1, Math.round(Math.abs(w)));
      hist.recordValue(ns);
      (w < 0 ? enc : dec).recordValue(ns); // encrypt latencies are stored negated
    }
  };
  if (spec.mode === 'controlled') {
    const runner = new ControlledRunner(cfg, policy);
    for (let i = 0; i < spec.schedules; i++) take(runner.runOne(scheduleSeed(spec.seed, i), { measure: true }));
  } else {
    const runner = new FreeRunner(cfg, policySpec);
    try {
      for (let i = 0; i < spec.schedules; i++) take(await runner.runOne(scheduleSeed(spec.seed, i), { measure: true }));
    } finally {
      await runner.close();
    }
  }
  const wallMs = performance.now() - t0;
  const flips = counts.set_memory_decrypted + counts.set_memory_encrypted;
  const per = (x: number): number => (flips ? x / flips : 0);
  const perFlip = Object.fromEntries(NS_PARTS.map((p) => [p, per(counts[p])])) as SweepRow['perFlip'];
  return {
    policy: policy.name, vcpus, mode: spec.mode, schedules: spec.schedules,
    flips, flippedPages: counts.flipped_pages, flushes: counts.dsb, invalidationsDelivered: counts.tlbi_targets,
    fullFlushes: counts.tlbi_all, splits: counts.splits, rsiCalls: counts.rsi_calls,
    modelledNsPerFlip: per(counts.ns_flip), perFlip,
    sharedBuffers: counts.shared_buffers, modelledNsPerBuffer: counts.shared_buffers ? counts.ns_flip / counts.shared_buffers : 0,
    vcpuNsMax: Math.max(...vcpuNs), vcpuNsMin: Math.min(...vcpuNs),
    measuredNsPerFlip: per(counts.wall_flip_ns),
    ...(({ p50, p99, max }) => ({ p50, p99, max }))(percentiles(hist)),
    decrypt: percentiles(dec), encrypt: percentiles(enc),
    dsbWaitNsPerFlip: per(counts.wall_dsb_wait_ns),
    opsPerSecond: counts.ops / (wallMs / 1000),
    wallMs, findings,
    threads: spec.mode === 'free' ? vcpus + 1 : 1, cores: availableParallelism(),
    counts,
  };
}

export async function sweep(policies: { policy: Policy; spec: string }[], spec: SweepSpec, onRow?: (r: SweepRow) => void): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  for (const { policy, spec: ps } of policies) {
    for (const v of spec.vcpus) {
      const row = await sweepOne(policy, ps, spec, v);
      rows.push(row);
      onRow?.(row);
    }
  }
  return rows;
}
