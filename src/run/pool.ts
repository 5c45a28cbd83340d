// Every worker pool of the run layer is made here, and piscina is required
// only then, not when a module that may start a pool loads. The replay and
// shrink workers hold the turn-passing and stoppable runners in their bundles
// (dist/workers/bundle/), but start a pool of their own only for `replay
// --threads`: loading piscina (about 20 ms) is not part of every thread's start.

import { createRequire } from 'node:module';
import type { Piscina } from 'piscina';

const require = createRequire(import.meta.url);

/** A piscina pool with these options (piscina loaded on the first call). */
export function newPool<T, R>(opts: ConstructorParameters<typeof Piscina>[0]): Piscina<T, R> {
  const { Piscina: Pool } = require('piscina') as typeof import('piscina');
  return new Pool<T, R>(opts);
}

export type { Piscina };

/** The controlled-schedule threads' entry, CommonJS: see workers/schedule.cts for why not schedule.js. */
export const SCHEDULE_WORKER = new URL('../../workers/schedule.cjs', import.meta.url).href;

/**
 * Pools that a process running many commands lends them (in-process CLI calls,
 * as the tests make), one per thread count, started on first use: a fresh
 * thread runs the model slowly for its first schedules while V8 compiles it, so
 * commands that each started their own paid that every time. The lender closes
 * them; a command without them starts and ends its own.
 */
export class PoolsByThreads<P> {
  private readonly pools = new Map<number, P>();

  constructor(private readonly make: (threads: number) => P, private readonly end: (pool: P) => Promise<void>) {}

  /** The pool of `threads` threads (a stopped thread is replaced by piscina, as in a command's own pool). */
  get(threads: number): P {
    let p = this.pools.get(threads);
    if (p === undefined) this.pools.set(threads, (p = this.make(threads)));
    return p;
  }

  /** End every thread; get() starts new ones after this. */
  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map(this.end));
  }
}

