// Per-actor counters: their names and order. The counter observer
// (counter_observer.ts) counts them from the actor's events, the cost and
// wall-clock observers add the ns_* and wall_* figures; each actor owns its row,
// so no Atomics are needed; the runner sums rows at the end of a run.

export const COUNTERS = [
  'steps', 'ops',
  'tlbi_va', 'tlbi_range', 'tlbi_all', 'tlbi_targets', 'tlb_entries_dropped', 'dsb',
  'pte_writes', 'splits',
  'rsi_calls', 'rsi_partial', 'rsi_no_progress', 'rsi_reject', 'rsi_granules', 'rsi_errors',
  'set_memory_decrypted', 'set_memory_encrypted', 'flipped_pages',
  'zeropad_loads', 'zeropad_spills', 'zeropad_fixups',
  /** Translation faults the kernel found spurious (R29): benign, the access is retried. */
  'spurious_faults',
  /** Translations through the issuer's own shadow before its ISB (R27), and speculative fills (R28). */
  'tlb_shadow_hits', 'tlb_spec_fills',
  'rec_exit_data_create', 'rec_exit_ns_map',
  'vmalloc_einval', 'unaligned_warn', 'leaked_pages', 'alloc_fail',
  'pool_hits', 'pool_refills', 'pool_shrinks',
  'host_io', 'blocked_steps',
  /** Shared buffers the workload obtained (dma-direct and netvsc style). */
  'shared_buffers',
  // Modelled nanoseconds (src/cost), by where they go.
  'ns_break', 'ns_make', 'ns_tlbi', 'ns_sync', 'ns_victim', 'ns_rsi', 'ns_split',
  /** Modelled nanoseconds spent inside set_memory_decrypted/encrypted calls. */
  'ns_flip',
  /** Measured wall-clock nanoseconds inside those calls (only when a clock is attached). */
  'wall_flip_ns',
  /** Measured wall-clock nanoseconds waiting in DSB ISH for other PEs' accesses in flight (free mode). */
  'wall_dsb_wait_ns',
] as const;

/** The modelled-cost counters, in report order. */
export const NS_PARTS = ['ns_break', 'ns_tlbi', 'ns_sync', 'ns_rsi', 'ns_split', 'ns_make', 'ns_victim'] as const;
export type CounterName = (typeof COUNTERS)[number];
export const NCOUNTERS = COUNTERS.length;
export const C: Record<CounterName, number> = Object.fromEntries(COUNTERS.map((n, i) => [n, i])) as Record<CounterName, number>;

export type Counts = Record<CounterName, number>;

export function countsOf(rows: ArrayLike<number>[]): Counts {
  const sums = new Float64Array(NCOUNTERS);
  for (const r of rows) for (let i = 0; i < NCOUNTERS; i++) sums[i] += r[i];
  return countsFrom(sums);
}

/** Every counter at 0, built once: a copy of it has all the properties already, so filling it adds none. */
const ZERO: Counts = Object.fromEntries(COUNTERS.map((n) => [n, 0])) as Counts;

function countsFrom(sums: Float64Array): Counts {
  const out = { ...ZERO };
  for (let i = 0; i < NCOUNTERS; i++) out[COUNTERS[i]] = sums[i];
  return out;
}

export function addCounts(into: Counts, from: Counts): void {
  for (const n of COUNTERS) into[n] += from[n];
}

export function zeroCounts(): Counts {
  return { ...ZERO };
}
