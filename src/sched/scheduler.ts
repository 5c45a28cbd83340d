// One interface for every scheduling strategy of controlled mode: given the
// actors that may run now, pick one. Strategies own their seeded randomness.

export interface Scheduler {
  readonly name: string;
  /** runnable[0..k) are actor ids in ascending order; return one of them. */
  pick(runnable: Int32Array, k: number, step: number): number;
}

export type SchedulerName = 'random' | 'pct' | 'rr';
export const SCHEDULERS: SchedulerName[] = ['random', 'pct', 'rr'];

/** Defaults and ranges: the scheduler fields of the run spec (src/config/fields.ts). */
export interface SchedulerSpec {
  name: SchedulerName;
  /** PCT bug depth d (d-1 priority change points). */
  depth: number;
  /** Round-robin quantum in steps. */
  quantum: number;
}
