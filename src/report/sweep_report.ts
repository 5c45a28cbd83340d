// What a sweep prints and writes: the table per policy x vCPU count, CSV, a
// terminal chart, and the bottleneck report that says where modelled time goes
// and what grows with the CPU count.

import asciichart from 'asciichart';
import { NS_PARTS } from '../check/counters.js';
import type { SweepRow } from '../sweep/sweep.js';
import { DEFAULT_WIDTH, fitTable, type Column } from './layout.js';

const k = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : n >= 100 ? n.toFixed(0) : n.toFixed(1));
export const PART_NAMES: Record<(typeof NS_PARTS)[number], string> = {
  ns_break: 'break (PTE writes)', ns_tlbi: 'TLBI issue', ns_sync: 'TLBI completion wait (DSB / IPI ack)', ns_rsi: 'RSI (REC exit + RMM)',
  ns_split: 'block split', ns_make: 'make (PTE writes)', ns_victim: 'cost imposed on other CPUs (DVM / IPI)',
};

/**
 * The sweep table fitted to `width`: policy, vCPUs, modelled ns per flip and
 * where that time goes, always; flushes, invalidations delivered, per buffer,
 * the measured figures and the other counts as the width allows (all with --wide, in sweep.csv and --json).
 */
export function renderSweepTable(rows: SweepRow[], width = DEFAULT_WIDTH): string {
  const num = (head: string, drop?: number): Omit<Column, 'width'> => ({ head, drop, align: 'right' });
  const cols: Omit<Column, 'width'>[] = [
    { head: 'policy', min: 12, grow: 1 }, num('vCPUs'), num('flips', 5), num('flushes', 1), num('invalidations delivered', 2), num('full flushes', 7), num('splits', 6), num('RSI calls', 8),
    num('modelled ns/flip'), num('modelled ns/buffer', 3), { head: 'measured ns/flip (p50/p99/max)', min: 16, drop: 4 }, { head: 'top modelled cost', min: 20, grow: 2 },
  ];
  const cells = rows.map((r) => {
    const top = NS_PARTS.reduce((a, b) => (r.perFlip[b] > r.perFlip[a] ? b : a));
    const share = Math.round((100 * r.perFlip[top]) / Math.max(1e-9, partsTotal(r)));
    return [
      r.policy, String(r.vcpus), String(r.flips), String(r.flushes), k(r.invalidationsDelivered), String(r.fullFlushes), String(r.splits), String(r.rsiCalls),
      k(r.modelledNsPerFlip), k(r.modelledNsPerBuffer), `${k(r.measuredNsPerFlip)} (${k(r.p50)}/${k(r.p99)}/${k(r.max)})`, r.flips ? `${PART_NAMES[top]} ${share}%` : '-',
    ];
  });
  return fitTable(cols, cells, width);
}

export const CSV_COLUMNS = [
  'policy', 'mode', 'vcpus', 'schedules', 'flips', 'flipped_pages', 'flushes', 'invalidations_delivered', 'full_flushes', 'splits', 'rsi_calls',
  'modelled_ns_per_flip', 'shared_buffers', 'modelled_ns_per_buffer', ...NS_PARTS.map((p) => `${p}_per_flip`), 'vcpu_ns_max', 'vcpu_ns_min',
  'measured_ns_per_flip', 'measured_p50_ns', 'measured_p99_ns', 'measured_max_ns',
  'decrypt_p50_ns', 'decrypt_p99_ns', 'decrypt_max_ns', 'encrypt_p50_ns', 'encrypt_p99_ns', 'encrypt_max_ns', 'dsb_wait_ns_per_flip', 'ops_per_second', 'wall_ms', 'findings', 'threads', 'cores',
];

export function sweepCsv(rows: SweepRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push([
      r.policy, r.mode, r.vcpus, r.schedules, r.flips, r.flippedPages, r.flushes, r.invalidationsDelivered, r.fullFlushes, r.splits, r.rsiCalls,
      r.modelledNsPerFlip.toFixed(1), r.sharedBuffers, r.modelledNsPerBuffer.toFixed(1), ...NS_PARTS.map((p) => r.perFlip[p].toFixed(1)), r.vcpuNsMax.toFixed(0), r.vcpuNsMin.toFixed(0),
      r.measuredNsPerFlip.toFixed(0), r.p50, r.p99, r.max,
      r.decrypt.p50, r.decrypt.p99, r.decrypt.max, r.encrypt.p50, r.encrypt.p99, r.encrypt.max, r.dsbWaitNsPerFlip.toFixed(0), r.opsPerSecond.toFixed(0), r.wallMs.toFixed(1), r.findings, r.threads, r.cores,
    ].join(','));
  }
  return lines.join('\n') + '\n';
}

/** Modelled ns per flip against vCPU count, one line per policy (x: the sweep's vCPU counts, evenly spaced). */
export function terminalChart(rows: SweepRow[], width = DEFAULT_WIDTH): string {
  const policies = [...new Set(rows.map((r) => r.policy))];
  const colours = [asciichart.blue, asciichart.green, asciichart.red, asciichart.yellow, asciichart.magenta, asciichart.cyan, asciichart.white];
  const series = policies.map((p) => rows.filter((r) => r.policy === p).map((r) => r.modelledNsPerFlip / 1000));
  const points = Math.max(...series.map((s) => s.length));
  // Columns per vCPU count: 6, fewer when that would not fit the width (the y labels take 12).
  const per = Math.max(1, Math.min(6, Math.floor((Math.min(width, 1000) - 13) / Math.max(1, points - 1))));
  const stretch = (s: number[]): number[] => s.flatMap((v, i) => (i === s.length - 1 ? [v] : Array.from({ length: per }, (_, j) => v + ((s[i + 1] - v) * j) / per)));
  const plot = asciichart.plot(series.map(stretch), { height: 12, colors: colours.slice(0, policies.length), format: (x: number) => `${x.toFixed(1).padStart(7)} us` });
  const vcpus = rows.filter((r) => r.policy === policies[0]).map((r) => r.vcpus);
  // Each count under its point; one that would run into the previous label is left out.
  let axis = ' '.repeat(11);
  vcpus.forEach((v, i) => {
    const at = 11 + i * per;
    if (axis.length <= at) axis = axis.padEnd(at) + String(v);
  });
  // The legend wraps between entries (each is `--- name`, 4 + name columns, coloured).
  const legend: string[] = [];
  let shown = 0;
  policies.forEach((p, i) => {
    const entry = `${colours[i % colours.length]}---${asciichart.reset} ${p}`;
    if (shown > 0 && shown + 3 + 4 + p.length <= width) {
      legend[legend.length - 1] += `   ${entry}`;
      shown += 3 + 4 + p.length;
    } else {
      legend.push(entry);
      shown = 4 + p.length;
    }
  });
  return `modelled us per flip vs vCPUs\n${plot}\n${axis} (vCPUs)\n${legend.join('\n')}`;
}

/** All modelled flush-related ns per flip, in set_memory_* calls or not (vfree's flush, pool refills). */
const partsTotal = (r: SweepRow): number => NS_PARTS.reduce((s, x) => s + r.perFlip[x], 0);

/** Where the modelled time goes, and why it grows from the fewest to the most vCPUs. */
export function bottleneckReport(rows: SweepRow[]): string {
  const out: string[] = [];
  for (const p of [...new Set(rows.map((r) => r.policy))]) {
    const rs = rows.filter((r) => r.policy === p && r.flips > 0);
    if (rs.length === 0) { out.push(`${p}: no flips in this workload`); continue; }
    const lo = rs[0];
    const hi = rs[rs.length - 1];
    const parts = (r: SweepRow): string => NS_PARTS.filter((x) => r.perFlip[x] > 0)
      .sort((a, b) => r.perFlip[b] - r.perFlip[a])
      .map((x) => `${PART_NAMES[x]} ${Math.round((100 * r.perFlip[x]) / partsTotal(r))}%`).join(', ');
    out.push(`${p}: ${k(lo.modelledNsPerFlip)} ns per flip at ${lo.vcpus} vCPU${lo.vcpus > 1 ? 's' : ''} -> ${k(hi.modelledNsPerFlip)} at ${hi.vcpus} (${(hi.modelledNsPerFlip / lo.modelledNsPerFlip).toFixed(2)}x); per shared buffer ${k(lo.modelledNsPerBuffer)} -> ${k(hi.modelledNsPerBuffer)}; ${hi.splits} block splits, ${hi.flushes} flushes at ${hi.vcpus}`);
    out.push(`  at ${hi.vcpus} vCPUs the time goes to: ${parts(hi)}`);
    const growth = NS_PARTS.map((x) => ({ x, d: hi.perFlip[x] - lo.perFlip[x] })).filter((g) => g.d > 0.5).sort((a, b) => b.d - a.d);
    const total = growth.reduce((s, g) => s + g.d, 0);
    if (growth.length && total > 0) {
      out.push(`  why it grows: ${growth.map((g) => `${PART_NAMES[g.x]} +${k(g.d)} ns/flip (${Math.round((100 * g.d) / total)}% of the growth)`).join('; ')}`);
      const why: string[] = [];
      if (growth.some((g) => g.x === 'ns_victim')) why.push(`every flush is delivered to all ${hi.vcpus} CPUs (${k(hi.invalidationsDelivered / Math.max(1, hi.flips))} invalidations delivered per flip), each paying for it`);
      if (growth.some((g) => g.x === 'ns_sync')) why.push('more CPUs flush at the same time, and a broadcast DSB waits longer the more broadcasters there are (concurrent-broadcaster term)');
      if (why.length) out.push(`  because ${why.join('; and ')}`);
    }
    if (hi.fullFlushes) out.push(`  ${hi.fullFlushes} full flushes (ranges of >= 512 pages) at ${hi.vcpus} vCPUs`);
  }
  return out.join('\n');
}
