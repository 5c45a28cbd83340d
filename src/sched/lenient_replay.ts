// Lenient replay (shrinking; Shuttle's replay with allow_incomplete): follow a
// recorded order of actors, skipping entries whose actor has finished or waits
// for something that has not happened yet; when the record runs out, the
// scheduler inside takes over. Model choices are left to the scheduler inside:
// each operation's seeded stream stays the same when other operations or
// actors are removed, which is what makes shrinking stable.

import { Actors, SchedulerWrapper, Scheduler } from './scheduler.js';

export class LenientReplay extends SchedulerWrapper {
  private following = true;
  private cursor = 0;

  constructor(inner: Scheduler, private readonly actors: ArrayLike<number>) {
    super(inner);
  }

  override newExecution(): boolean {
    this.following = true;
    this.cursor = 0;
    return this.inner.newExecution();
  }

  override pick(actors: Actors, step: number): number {
    if (this.following) {
      const s = this.actors;
      while (this.cursor < s.length && (!actors.alive.has(s[this.cursor]) || actors.blocked.has(s[this.cursor]))) this.cursor++;
      if (this.cursor < s.length) return s[this.cursor++];
      this.following = false;
    }
    return this.inner.pick(actors, step);
  }
}
