// Uniform random walk: every step, any runnable actor with equal probability.

import seedrandom from 'seedrandom';
import type { Scheduler } from './scheduler.js';

export class RandomWalk implements Scheduler {
  readonly name = 'random';
  private readonly rng: seedrandom.PRNG;
  constructor(seed: string) {
    this.rng = seedrandom.alea(`${seed}/sched`);
  }
  pick(runnable: Int32Array, k: number): number {
    return runnable[k === 1 ? 0 : (this.rng.int32() >>> 0) % k];
  }
}
