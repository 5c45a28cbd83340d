// The nondeterminism check (after Shuttle's uncontrolled_nondeterminism.rs):
// wrap a scheduler, run the execution twice, and compare the second run with
// the first step by step: the actor picked, the trace after each step and
// every model choice. Anything the scheduler does not control (a policy
// reading a clock, a counter kept across runs, an unseeded random number) shows up as the
// first step where the two runs differ.

import { Actors, ChoiceActor, SchedulerWrapper } from './scheduler.js';

interface Run { actors: number[]; checks: number[]; choices: number[]; choiceSteps: number[] }

const emptyRun = (): Run => ({ actors: [], checks: [], choices: [], choiceSteps: [] });

export class DeterminismCheck extends SchedulerWrapper {
  private runs = 0;
  private first = emptyRun();
  private second = emptyRun();
  private step = -1;
  /** First step where the second execution differed from the first, or -1. */
  differsAt = -1;
  difference = '';

  /** Two executions: the first is recorded, the second compared with it. */
  override newExecution(): boolean {
    if (this.runs === 2) return false;
    this.runs++;
    this.step = -1;
    return this.inner.newExecution();
  }

  private get cur(): Run {
    return this.runs === 1 ? this.first : this.second;
  }

  private differ(at: number, why: string): void {
    if (this.differsAt < 0) { this.differsAt = at; this.difference = why; }
  }

  override pick(actors: Actors, step: number): number {
    this.step = step;
    const a = this.inner.pick(actors, step);
    this.cur.actors.push(a);
    if (this.runs === 2 && step < this.first.actors.length && this.first.actors[step] !== a) this.differ(step, `actor ${a} picked, the first run picked ${this.first.actors[step]}`);
    return a;
  }

  override stepped(step: number, a: number, op: number, check: number): void {
    this.cur.checks.push(check);
    if (this.runs === 2 && step < this.first.checks.length && this.first.checks[step] !== check) this.differ(step, 'the trace differs from the first run');
    this.inner.stepped?.(step, a, op, check);
  }

  private answered(kind: string, v: number): void {
    const c = this.cur;
    const i = c.choices.length;
    c.choices.push(v);
    c.choiceSteps.push(this.step);
    if (this.runs === 2 && i < this.first.choices.length && this.first.choices[i] !== v) this.differ(this.step, `choice ${kind} answered ${v}, the first run answered ${this.first.choices[i]}`);
  }

  override choose(actor: ChoiceActor, kind: string, n: number): number {
    const v = this.inner.choose(actor, kind, n);
    this.answered(kind, v);
    return v;
  }

  override chance(actor: ChoiceActor, kind: string, p: number): boolean {
    const v = this.inner.chance(actor, kind, p);
    this.answered(kind, v ? 1 : 0);
    return v;
  }

  /** After both executions: the first step where they differ (a shorter run differs where it ended), or -1. */
  result(): { differsAt: number; difference: string } {
    if (this.differsAt < 0 && this.runs === 2) {
      const a = this.first.actors.length, b = this.second.actors.length;
      if (a !== b) this.differ(Math.min(a, b), `the first run took ${a} steps, the second ${b}`);
      else if (this.first.choices.length !== this.second.choices.length) this.differ(a, `the first run made ${this.first.choices.length} model choices, the second ${this.second.choices.length}`);
    }
    return { differsAt: this.differsAt, difference: this.difference };
  }
}
