// PCT (Burckhardt et al., ASPLOS'10): random distinct priorities, always run the
// highest-priority runnable actor, and at d-1 random steps demote the actor that
// is running. Finds a depth-d bug with probability >= 1/(n * k^(d-1)).

import { seedrandom } from '../model/prng.js';
import { Actors, SeededStrategy } from './scheduler.js';

export class Pct extends SeededStrategy {
  readonly name = 'pct';
  /** Actors by priority, highest first: the pick is the first runnable one (O(1) while the top one can run). */
  private order: number[] = [];
  private changeAt: number[] = [];
  private next = 0;

  constructor(private readonly seed: string, private readonly actors: number, private readonly depth: number, private readonly estimatedSteps: number) {
    super();
    this.reset();
  }

  protected reset(): void {
    const { actors, depth } = this;
    const rng = seedrandom.alea(`${this.seed}/sched`);
    const order = Array.from({ length: actors }, (_, i) => i);
    for (let i = actors - 1; i > 0; i--) {
      const j = (rng.int32() >>> 0) % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    // Actor order[i] has priority depth + i (all initial priorities are above d): highest last.
    this.order = order.reverse();
    const k = Math.max(1, this.estimatedSteps);
    this.changeAt = [];
    for (let i = 0; i < depth - 1; i++) this.changeAt.push((rng.int32() >>> 0) % k);
    this.changeAt.sort((x, y) => x - y);
    this.next = 0;
  }

  pick({ runnable }: Actors, step: number): number {
    if (runnable.size === 1) return runnable.first(); // no choice: no change point is spent here
    const o = this.order;
    let i = 0;
    while (!runnable.has(o[i])) i++;
    const best = o[i];
    let demoted = false;
    while (this.next < this.changeAt.length && this.changeAt[this.next] <= step) {
      // Demoted below every initial priority and below every earlier demotion: last in the order.
      this.next++;
      demoted = true;
    }
    if (demoted) { o.splice(i, 1); o.push(best); }
    return best;
  }
}
