// Strict replay (after Shuttle's scheduler/replay.rs): follow a recorded
// schedule step by step, actors and model choices alike. The first step where
// the run cannot follow it (the recorded actor has finished, the record ran
// out, a recorded answer does not fit the choice, or the trace differs from
// the recorded one) is reported, and the rest of the run goes to the scheduler
// inside (the seeded one), which starts from its own first step.

import { Actors, ChoiceActor, SchedulerWrapper, Scheduler } from './scheduler.js';

export interface ScheduleToFollow {
  actors: ArrayLike<number>;
  /** 16 bits of the trace hash after each step: a mismatch is a divergence. */
  checks?: ArrayLike<number>;
  /** Answers to the model's choices, in order. */
  choices?: ArrayLike<number>;
}

export class Replay extends SchedulerWrapper {
  /** First step where the run could not follow the record, or -1. */
  divergedAt = -1;
  divergence = '';
  private following = true;
  private cursor = 0;
  private choice = 0;
  private step = -1;

  constructor(inner: Scheduler, private readonly record: ScheduleToFollow) {
    super(inner);
  }

  override newExecution(): boolean {
    this.divergedAt = -1;
    this.divergence = '';
    this.following = true;
    this.cursor = this.choice = 0;
    this.step = -1;
    return this.inner.newExecution();
  }

  private diverge(at: number, why: string): void {
    if (this.divergedAt < 0) { this.divergedAt = at; this.divergence = why; }
    this.following = false;
  }

  override pick(actors: Actors, step: number): number {
    this.step = step;
    if (this.following) {
      const s = this.record.actors;
      if (this.cursor >= s.length) this.diverge(step, 'the recorded schedule ended before the run did');
      else if (!actors.alive.has(s[this.cursor])) this.diverge(step, `recorded actor ${s[this.cursor]} cannot run: it has already finished`);
      else return s[this.cursor++];
    }
    return this.inner.pick(actors, step);
  }

  override stepped(step: number, a: number, op: number, check: number): void {
    const c = this.record.checks;
    if (this.following && c !== undefined && step < c.length && c[step] !== check) {
      this.diverge(step, 'the trace differs from the recorded one (the code or the model changed)');
    }
    this.inner.stepped?.(step, a, op, check);
  }

  /** The recorded answer to the next choice, if the run still follows the record and it fits in [0, n). */
  private recorded(kind: string, n: number): number {
    const c = this.record.choices;
    if (!this.following || c === undefined) return -1;
    if (this.choice >= c.length) { this.diverge(this.step, `the recorded choices ended before the run did (${kind})`); return -1; }
    const v = c[this.choice++];
    if (v >= 0 && v < n) return v;
    this.diverge(this.step, `recorded answer ${v} does not fit choice ${kind} [0, ${n})`);
    return -1;
  }

  override choose(actor: ChoiceActor, kind: string, n: number): number {
    const seeded = this.inner.choose(actor, kind, n); // one word of the stream, whoever answers
    const v = this.recorded(kind, n);
    return v >= 0 ? v : seeded;
  }

  override chance(actor: ChoiceActor, kind: string, p: number): boolean {
    const seeded = this.inner.chance(actor, kind, p);
    const v = this.recorded(kind, 2);
    return v >= 0 ? v === 1 : seeded;
  }
}
