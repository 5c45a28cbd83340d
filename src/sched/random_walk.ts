// Uniform random walk: every step, any runnable actor with equal probability.

import { seedrandom } from '../model/prng.js';
import { Actors, SeededStrategy } from './scheduler.js';

export class RandomWalk extends SeededStrategy {
  readonly name = 'random';
  private rng!: seedrandom.PRNG;
  constructor(private readonly seed: string) {
    super();
    this.reset();
  }
  protected reset(): void {
    this.rng = seedrandom.alea(`${this.seed}/sched`);
  }
  pick({ runnable }: Actors): number {
    const k = runnable.size;
    return runnable.nth(k === 1 ? 0 : (this.rng.int32() >>> 0) % k);
  }
}
