// Worker threads for campaigns' controlled runs that a caller lends to several
// campaigns in one process (src/run/pool.ts, PoolsByThreads). A fresh thread is
// slow for its first schedules while V8 compiles the model code (measured: the
// first 20 schedules of a new thread cost about 0.6 s of CPU, the next 20 about
// 0.1 s). A campaign without them starts and ends its own, as before.

import { newPool, PoolsByThreads, SCHEDULE_WORKER, type Piscina } from '../run/pool.js';
import type { ScheduleResult } from '../run/controlled.js';
import type { ScheduleTask } from '../run/schedule_task.js';

export type SchedulePool = Piscina<ScheduleTask, ScheduleResult & { wallMs?: number }>;

/** A campaign's pool of `threads` schedule threads, as runUnits makes it. */
export function newSchedulePool(threads: number): SchedulePool {
  const pool: SchedulePool = newPool({ filename: SCHEDULE_WORKER, minThreads: threads, maxThreads: threads, idleTimeout: 5_000 });
  pool.on('error', () => { /* a dead worker is reported through its task */ });
  return pool;
}

/** Schedule pools lent to several campaigns, one per thread count; the lender closes them. */
export class SchedulePools extends PoolsByThreads<SchedulePool> {
  constructor() {
    super(newSchedulePool, (p) => p.destroy());
  }
}
