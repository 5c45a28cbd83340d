// Worker threads for campaigns' controlled runs that a caller lends to several
// campaigns in one process (in-process CLI calls, as the tests make), one pool
// per thread count. A fresh thread is slow for its first schedules while V8
// compiles the model code (measured: the first 20 schedules of a new thread
// cost about 0.6 s of CPU, the next 20 about 0.1 s), so campaigns that each
// started their own pool paid that again every time. The lender closes the
// pools; a campaign without them starts and ends its own, as before.

import { Piscina } from 'piscina';
import type { ScheduleResult } from '../run/controlled.js';
import type { ScheduleTask } from '../run/schedule_task.js';

// The CommonJS entry: see workers/schedule.cts for why not schedule.js.
export const SCHEDULE_WORKER = new URL('../../workers/schedule.cjs', import.meta.url).href;

export type SchedulePool = Piscina<ScheduleTask, ScheduleResult & { wallMs?: number }>;

/** A campaign's pool of `threads` schedule threads, as runUnits makes it. */
export function newSchedulePool(threads: number): SchedulePool {
  const pool: SchedulePool = new Piscina({ filename: SCHEDULE_WORKER, minThreads: threads, maxThreads: threads, idleTimeout: 5_000 });
  pool.on('error', () => { /* a dead worker is reported through its task */ });
  return pool;
}

export class SchedulePools {
  private readonly pools = new Map<number, SchedulePool>();

  /** The pool of `threads` threads, started on first use. A dead or stopped thread is replaced by piscina, as in a campaign's own pool. */
  get(threads: number): SchedulePool {
    let p = this.pools.get(threads);
    if (!p) this.pools.set(threads, (p = newSchedulePool(threads)));
    return p;
  }

  /** End every thread; get() starts new ones after this. */
  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.destroy()));
  }
}
