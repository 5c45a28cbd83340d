// One interface for every source of nondeterminism in an execution (after
// Shuttle's `Scheduler` trait): which actor takes the next step, and every
// choice the model makes (the host's and the RMM's answers, sizes, offsets,
// and any choice the model adds later). A strategy answers them all, so an
// explorer can enumerate them and a replay can dictate them. Replay, lenient
// replay, recording, stop-at and the determinism check are wrappers around a
// strategy (one file each), not branches in the execution loop.

import type { ActorSet } from './runnable.js';

/** The random stream a model choice draws from: the acting CPU's per-operation stream (model/op_random.ts). */
export interface ChoiceStream {
  uint32(): number;
  double(): number;
}

/** Who makes a model choice: the acting CPU (its id and its per-operation random stream). */
export interface ChoiceActor {
  readonly id: number;
  readonly rng: ChoiceStream;
}

/** The actors of the step being scheduled. */
export interface Actors {
  /** Actors that may run now (alive and not waiting), ascending by id. Never empty. */
  readonly runnable: ActorSet;
  /** Actors that have not finished (blocked ones included): a recorded schedule may name any of these. */
  readonly alive: ActorSet;
  /** Actors waiting for another actor (BLOCKED until the next wake). */
  readonly blocked: ActorSet;
}

/** What the execution does for its scheduler: raise H.STOP (every program ends at its next operation boundary). */
export interface ExecutionControl {
  requestStop(): void;
}

export interface Scheduler {
  readonly name: string;
  /**
   * Start the next execution: false when this scheduler has none left (its
   * budget is spent). Seeded strategies start again from their seed, so the
   * same scheduler run twice gives the same execution twice.
   */
  newExecution(): boolean;
  /** Which actor takes step `step`: one of actors.runnable (wrappers replaying a record: any of actors.alive). */
  pick(actors: Actors, step: number): number;
  /**
   * A model choice, uniform in [0, n). Every choice draws exactly one word of
   * actor.rng whoever answers it (a wrapper answering from a record still asks
   * its inner scheduler first), so an operation's stream does not depend on
   * who answered, in this thread or across threads, and shrinking stays stable.
   */
  choose(actor: ChoiceActor, kind: string, n: number): number;
  /** A model choice that holds with probability p (same one-word rule as choose). */
  chance(actor: ChoiceActor, kind: string, p: number): boolean;
  /** Optional: the execution is starting (wrappers that stop it keep ctl). */
  attach?(ctl: ExecutionControl): void;
  /** Optional: step `step` ran actor a; op is its workload operation (-1 outside any), check 16 bits of the trace hash. */
  stepped?(step: number, a: number, op: number, check: number): void;
}

/** The seeded answer to a model choice: exactly what the model drew before choices existed. */
export const seededChoose = (actor: ChoiceActor, n: number): number => actor.rng.uint32() % n;
export const seededChance = (actor: ChoiceActor, p: number): boolean => actor.rng.double() < p;

/**
 * Base for strategies: model choices come from the acting CPU's stream.
 * Subclasses implement pick() and reset() (back to the state their seed gives),
 * and call reset() in their constructor, so the first execution starts from
 * there without seeding twice (seeding a generator costs microseconds, and most
 * strategies run one execution: a short schedule is a few hundred of them).
 */
export abstract class SeededStrategy implements Scheduler {
  abstract readonly name: string;
  abstract pick(actors: Actors, step: number): number;
  protected abstract reset(): void;
  /** No execution started yet: the state is the one the constructor's reset() left. */
  private fresh = true;
  newExecution(): boolean {
    if (this.fresh) this.fresh = false;
    else this.reset();
    return true;
  }
  choose(actor: ChoiceActor, _kind: string, n: number): number {
    return seededChoose(actor, n);
  }
  chance(actor: ChoiceActor, _kind: string, p: number): boolean {
    return seededChance(actor, p);
  }
}

/** A wrapper that passes everything it does not change to the scheduler inside. */
export abstract class SchedulerWrapper implements Scheduler {
  constructor(protected readonly inner: Scheduler) {}
  get name(): string {
    return this.inner.name;
  }
  newExecution(): boolean {
    return this.inner.newExecution();
  }
  pick(actors: Actors, step: number): number {
    return this.inner.pick(actors, step);
  }
  choose(actor: ChoiceActor, kind: string, n: number): number {
    return this.inner.choose(actor, kind, n);
  }
  chance(actor: ChoiceActor, kind: string, p: number): boolean {
    return this.inner.chance(actor, kind, p);
  }
  attach(ctl: ExecutionControl): void {
    this.inner.attach?.(ctl);
  }
  stepped(step: number, a: number, op: number, check: number): void {
    this.inner.stepped?.(step, a, op, check);
  }
}

export { SCHEDULERS } from '../config/types.js';
export type { SchedulerName, SchedulerSpec } from '../config/types.js';
