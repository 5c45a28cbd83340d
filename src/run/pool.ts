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
