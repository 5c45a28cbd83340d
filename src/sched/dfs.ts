// Exhaustive exploration (after Shuttle's DfsScheduler): every execution is a
// path through the tree of choice points (which actor steps, and every model
// choice); newExecution() moves to the next path, depth first, and returns
// false when the tree is exhausted or the budget of executions is spent. Model
// choices still draw their one word from the acting CPU's stream.

import { Actors, ChoiceActor, Scheduler, seededChance, seededChoose } from './scheduler.js';

interface Point { n: number; i: number }

export class Dfs implements Scheduler {
  readonly name = 'dfs';
  private readonly path: Point[] = [];
  private depth = 0;
  private started = false;
  /** Executions begun so far. */
  executions = 0;

  constructor(private readonly maxExecutions = Infinity) {}

  newExecution(): boolean {
    if (this.executions >= this.maxExecutions) return false;
    if (this.started) {
      // Backtrack: drop exhausted points, take the next branch of the deepest open one.
      while (this.path.length > 0 && this.path[this.path.length - 1].i + 1 >= this.path[this.path.length - 1].n) this.path.pop();
      if (this.path.length === 0) return false;
      this.path[this.path.length - 1].i++;
    }
    this.started = true;
    this.depth = 0;
    this.executions++;
    return true;
  }

  /** The branch taken at the next choice point of n options. */
  private branch(n: number): number {
    if (this.depth < this.path.length) return this.path[this.depth++].i;
    this.path.push({ n, i: 0 });
    this.depth++;
    return 0;
  }

  pick({ runnable }: Actors): number {
    return runnable.nth(runnable.size === 1 ? 0 : this.branch(runnable.size));
  }

  choose(actor: ChoiceActor, _kind: string, n: number): number {
    seededChoose(actor, n); // the one word, as every answer draws
    return n === 1 ? 0 : this.branch(n);
  }

  chance(actor: ChoiceActor, _kind: string, p: number): boolean {
    seededChance(actor, p);
    if (p <= 0) return false; // an answer the model cannot give is not a branch
    if (p >= 1) return true;
    return this.branch(2) === 1;
  }
}
