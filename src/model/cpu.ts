// One processing element in the model: a guest vCPU or the host agent.
// Carries the actor's identity, its seeded random streams and model choices,
// its workload-operation context and the watchdogs. What it does is one typed
// event stream (ev: trace events, note: observer-only notes) that the
// execution's observers count, price and time (src/run/observers.ts).

import { seedrandom } from './prng.js';
import { Realm } from './realm.js';
import { Trace } from '../check/trace.js';
import { Ev, EV_LIMIT } from '../check/events.js';
import { NO_OBSERVER, type Observer } from '../check/observer.js';
import { FindingKind, KernelDeath } from '../check/finding.js';
import { H, INFLIGHT_STRIDE } from './realm.js';
import { OpRandom } from './op_random.js';
import { TlbPe } from './tlb.js';

/** What a kernel path yields at the end of each step. */
export const STEP = 0;
/**
 * Yielded instead of STEP when the actor waits for another actor: it is not
 * scheduled again until someone calls wake() (controlled), or it sleeps on
 * H.WAKE (free).
 */
export const BLOCKED = 1;
export type KGen<T = void> = Generator<number, T, void>;

/**
 * Who answers a CPU's model choices: the scheduler of the execution it runs in
 * (src/sched/scheduler.ts; structurally the same methods, so the model does not
 * import the scheduler layer).
 */
export interface Chooser {
  choose(actor: Cpu, kind: string, n: number): number;
  chance(actor: Cpu, kind: string, p: number): boolean;
}

/** Outside any execution (boot of a rule test, a CPU made by hand): the seeded answer, one word of the CPU's stream. */
export const SEEDED_CHOICES: Chooser = {
  choose: (cpu, _kind, n) => cpu.rng.uint32() % n,
  chance: (cpu, _kind, p) => cpu.rng.double() < p,
};

/** An observer without a wants table hears every code. */
const WANT_ALL = new Uint8Array(EV_LIMIT).fill(1);

export class Cpu {
  readonly realm: Realm;
  readonly i32: Int32Array;
  /** Who hears this CPU's events: the execution's observers (counters, modelled cost, wall clock); none outside one. */
  private observer: Observer = NO_OBSERVER;
  /** The codes the observer wants (Observer.wants): the others are not sent, so an unwatched event costs one load. */
  private wants: Uint8Array = NO_OBSERVER.wants!;
  /**
   * Every random choice made while this CPU runs one workload operation (sizes,
   * offsets, which free page to try, the RMM's and host's answers to its REC
   * exits). Reseeded at the start of each operation from that operation's own
   * seed, so deleting other operations (shrinking) leaves its choices alone.
   */
  readonly rng = new OpRandom();
  /** Answers this CPU's model choices (choose, chance): set by the execution to its scheduler. */
  chooser: Chooser = SEEDED_CHOICES;
  /** The workload operation in progress (the kernel caller), for finding signatures. */
  op = 'boot';
  /** Index of that operation in the vCPU's program (-1 outside any). */
  opIndex = -1;
  /** Own access sequence number: odd while a translation+access is in flight (DSB completion waits on it). */
  private accessSeq = 0;
  /** Consecutive steps without progress (watchdog). */
  stalled = 0;
  /** Steps this vCPU has taken in its current workload operation (soft-lockup watchdog). */
  opSteps = 0;
  private opWatched = -1;
  /** realm.cfg.opWatchdogSteps, read once (the watchdog looks at it every step). */
  private readonly opWatchdogSteps: number;
  /** The policy function this CPU is in (set by the run layer's policy wrapper), for hang reports. */
  policyFn: string | null = null;
  /** Told whenever op, opIndex or policyFn change (the run layer's lockup watch, across threads). */
  onContext: ((cpu: Cpu) => void) | null = null;
  /**
   * Other PEs run at the same time on other threads (free mode). Only then can
   * a DSB find another PE's access in flight, so only then are accesses marked.
   */
  concurrent = false;
  /** This PE's TLB and what only it knows of its maintenance (src/model/tlb.ts); its choices are this CPU's model choices. */
  readonly tlb: TlbPe;

  constructor(
    readonly id: number,
    realm: Realm,
    readonly trace: Trace,
    seed: string,
    readonly isHost = false,
  ) {
    this.realm = realm;
    this.i32 = realm.i32;
    this.opWatchdogSteps = realm.cfg.opWatchdogSteps;
    this.rng.seedWith(`${seed}/cpu${id}`);
    // The TLB's open points are model choices like any other, answered by the execution's scheduler.
    this.tlb = new TlbPe(id, realm.tlb, (kind, n) => this.choose(kind, n));
    this.tlb.reset();
  }

  /** Start workload operation `index` of this CPU's program; its random stream comes from the program generator. */
  beginOp(index: number, name: string, gen: seedrandom.PRNG): void {
    this.opIndex = index;
    this.op = name;
    this.rng.reset(gen);
    this.note(Ev.OP_BEGIN, index, 0);
    this.onContext?.(this);
  }

  /** Enter (fn) or leave (null) a policy function. */
  setPolicyFn(fn: string | null): void {
    this.policyFn = fn;
    this.onContext?.(this);
  }

  /** Attach the execution's observer (replacing any). */
  observe(o: Observer): void {
    this.observer = o;
    this.wants = o.wants ?? WANT_ALL;
  }

  /** A trace event (hash, ring, log), heard by the observer too. */
  ev(ev: Ev, a: number, b: number): void {
    this.trace.record(this.id, ev, a, b);
    if (this.wants[ev] !== 0) this.observer.event(this.id, ev, a, b);
  }

  /** A note (Ev codes from NOTE_BASE): for the observer only, never in the trace. */
  note(ev: Ev, a: number, b: number): void {
    if (this.wants[ev] !== 0) this.observer.event(this.id, ev, a, b);
  }

  /**
   * A model choice, uniform in [0, n), answered by the execution's scheduler
   * (seeded: `rng.uint32() % n`). kind names the choice for explorers and records.
   */
  choose(kind: string, n: number): number {
    return this.chooser.choose(this, kind, n);
  }

  /** A model choice that holds with probability p (seeded: `rng.double() < p`). */
  chance(kind: string, p: number): boolean {
    return this.chooser.chance(this, kind, p);
  }

  /** Uniform integer in [0, n): a model choice like any other (sizes, offsets, which slot to try). */
  randInt(n: number, kind = 'rand'): number {
    return this.choose(kind, n);
  }

  beginAccess(): void {
    if (!this.concurrent || this.isHost) return;
    Atomics.store(this.i32, this.realm.oInflight + this.id * INFLIGHT_STRIDE, ++this.accessSeq);
  }

  endAccess(): void {
    if (!this.concurrent || this.isHost) return;
    Atomics.store(this.i32, this.realm.oInflight + this.id * INFLIGHT_STRIDE, ++this.accessSeq);
  }

  /** Run one step of generator g (this CPU's actor), under the soft-lockup watchdog. */
  step(g: KGen): IteratorResult<number, void> {
    if (this.opIndex >= 0) this.watchOp();
    return g.next();
  }

  /**
   * The soft-lockup watchdog (kernel/watchdog.c's "BUG: soft lockup"), counted
   * in steps so that it is deterministic: an operation that takes more than
   * opWatchdogSteps of this vCPU's steps without finishing is a hang, whether it
   * yields without progress or spins in a primitive called again and again.
   */
  private watchOp(): void {
    if (this.opIndex !== this.opWatched) {
      this.opWatched = this.opIndex;
      this.opSteps = 0;
    }
    if (++this.opSteps > this.opWatchdogSteps) {
      this.die('hang', this.policyFn ?? this.op, 'soft lockup: the operation never finishes',
        `workload op ${this.op} (#${this.opIndex}) still running after ${this.opSteps - 1} steps of vCPU ${this.id}${this.policyFn ? `, in policy function ${this.policyFn}` : ''}`);
    }
  }

  /** Something a BLOCKED actor may be waiting for has changed. */
  wake(): void {
    // One thread steps every actor of a realm it owns: nobody sleeps on the word, and plain is cheaper.
    if (!this.realm.atomic) { this.i32[H.WAKE]++; return; }
    Atomics.add(this.i32, H.WAKE, 1);
    Atomics.notify(this.i32, H.WAKE);
  }

  /** Count a step without progress in kernel function fn; past the watchdog this actor is reported as hung. */
  noProgress(fn: string, cause: string): void {
    this.note(Ev.NO_PROGRESS, 0, 0);
    if (++this.stalled > this.realm.cfg.watchdogSteps) this.die('hang', fn, cause, `no progress for ${this.stalled - 1} steps`);
  }

  progress(): void {
    this.stalled = 0;
  }

  /**
   * The modelled kernel (or host) dies in kernel function fn: mark the realm
   * dead and unwind the generators. The executor that ran the step turns the
   * death into a finding (workload op, site, step, every actor's last events).
   */
  die(kind: FindingKind, fn: string, cause: string, detail: string): never {
    Atomics.store(this.i32, H.DEAD, 1);
    this.ev(Ev.FINDING, 0, 0);
    throw new KernelDeath(kind, fn, cause, detail, this.id);
  }
}
