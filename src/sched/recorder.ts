// Recording: the schedule an execution actually took (every step's actor, its
// workload operation and 16 bits of the trace hash after it) and every answer
// to a model choice, in the order they were asked. Strict replay of the record
// runs the same execution again (reproducers, trace views, shrinking).

import { Actors, ChoiceActor, SchedulerWrapper } from './scheduler.js';

export interface RecordedSchedule {
  /** Actor picked at each step (vCPUs 0..n-1, the host agent is n). */
  actors: number[];
  /** Program operation that actor was in at that step (-1 outside any). */
  ops: number[];
  /** 16 bits of the trace hash after each step. */
  checks: number[];
  /** Answers to the model's choices in the order they were asked (booleans as 0/1); absent in records made before choices were recorded. */
  choices?: number[];
}

export class Recorder extends SchedulerWrapper {
  private rec: RecordedSchedule = { actors: [], ops: [], checks: [], choices: [] };

  override newExecution(): boolean {
    this.rec = { actors: [], ops: [], checks: [], choices: [] };
    return this.inner.newExecution();
  }

  override pick(actors: Actors, step: number): number {
    const a = this.inner.pick(actors, step);
    this.rec.actors.push(a);
    return a;
  }

  override stepped(step: number, a: number, op: number, check: number): void {
    this.rec.ops.push(op);
    this.rec.checks.push(check);
    this.inner.stepped?.(step, a, op, check);
  }

  override choose(actor: ChoiceActor, kind: string, n: number): number {
    const v = this.inner.choose(actor, kind, n);
    this.rec.choices!.push(v);
    return v;
  }

  override chance(actor: ChoiceActor, kind: string, p: number): boolean {
    const v = this.inner.chance(actor, kind, p);
    this.rec.choices!.push(v ? 1 : 0);
    return v;
  }

  /** What the last execution did, so far. */
  get schedule(): RecordedSchedule {
    return this.rec;
  }
}
