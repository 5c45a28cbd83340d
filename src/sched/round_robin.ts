// Round-robin with a quantum: deterministic, no randomness; a baseline schedule.

import type { Scheduler } from './scheduler.js';

export class RoundRobin implements Scheduler {
  readonly name = 'rr';
  private current = -1;
  private left = 0;
  constructor(private readonly quantum: number) {}
  pick(runnable: Int32Array, k: number): number {
    if (this.left > 0) {
      for (let i = 0; i < k; i++) if (runnable[i] === this.current) { this.left--; return this.current; }
    }
    let nextActor = runnable[0];
    for (let i = 0; i < k; i++) if (runnable[i] > this.current) { nextActor = runnable[i]; break; }
    this.current = nextActor;
    this.left = this.quantum - 1;
    return nextActor;
  }
}
