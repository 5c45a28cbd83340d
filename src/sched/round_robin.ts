// Round-robin with a quantum: deterministic, no randomness; a baseline schedule.

import { Actors, SeededStrategy } from './scheduler.js';

export class RoundRobin extends SeededStrategy {
  readonly name = 'rr';
  private current = -1;
  private left = 0;
  constructor(private readonly quantum: number) {
    super();
  }
  protected reset(): void {
    this.current = -1;
    this.left = 0;
  }
  pick({ runnable }: Actors): number {
    if (runnable.size === 1) return runnable.first(); // no choice: the turn does not move
    if (this.left > 0 && runnable.has(this.current)) { this.left--; return this.current; }
    const after = runnable.nextAfter(this.current);
    this.current = after >= 0 ? after : runnable.first();
    this.left = this.quantum - 1;
    return this.current;
  }
}
