// PCT (Burckhardt et al., ASPLOS'10): random distinct priorities, always run the
// highest-priority runnable actor, and at d-1 random steps demote the actor that
// is running. Finds a depth-d bug with probability >= 1/(n * k^(d-1)).

import seedrandom from 'seedrandom';
import type { Scheduler } from './scheduler.js';

export class Pct implements Scheduler {
  readonly name = 'pct';
  private readonly prio: Float64Array;
  private readonly changeAt: number[];
  private next = 0;

  constructor(seed: string, actors: number, depth: number, estimatedSteps: number) {
    const rng = seedrandom.alea(`${seed}/sched`);
    const order = Array.from({ length: actors }, (_, i) => i);
    for (let i = actors - 1; i > 0; i--) {
      const j = (rng.int32() >>> 0) % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    this.prio = new Float64Array(actors);
    for (let i = 0; i < actors; i++) this.prio[order[i]] = depth + i; // initial priorities are all above d
    const k = Math.max(1, estimatedSteps);
    this.changeAt = [];
    for (let i = 0; i < depth - 1; i++) this.changeAt.push((rng.int32() >>> 0) % k);
    this.changeAt.sort((x, y) => x - y);
  }

  /** The priority-change bound printed with results: 1/(n k^(d-1)). */
  static bound(actors: number, depth: number, steps: number): number {
    return 1 / (actors * Math.pow(Math.max(1, steps), depth - 1));
  }

  pick(runnable: Int32Array, k: number, step: number): number {
    let best = runnable[0];
    for (let i = 1; i < k; i++) if (this.prio[runnable[i]] > this.prio[best]) best = runnable[i];
    while (this.next < this.changeAt.length && this.changeAt[this.next] <= step) {
      this.prio[best] = this.changeAt.length - this.next; // demote below every initial priority
      this.next++;
    }
    return best;
  }
}
