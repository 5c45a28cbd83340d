// The observers an execution attaches to each of its CPUs: counters and
// modelled cost always, the wall clock in measurement runs, and any others a
// caller adds. They share the actor's counter row, which the actor reports at
// the end. Dispatch is cheap: one call per event from the CPU; most counters
// are then one typed-array increment keyed by the event code, and an observer
// is called only for the codes it wants (one route table by event code), no
// allocation.

import type { Cpu } from '../model/cpu.js';
import { EV_LIMIT } from '../check/events.js';
import type { Observer } from '../check/observer.js';
import { CounterObserver } from '../check/counter_observer.js';
import { CostObserver } from '../cost/cost_observer.js';
import { WallClockObserver } from './wall_clock.js';

const TO_COUNTER = 1, TO_COST = 2, TO_WALL = 4;
/** Event code -> which observers want it (the counter observer's one-increment events are done here). */
const ROUTE = new Uint8Array(EV_LIMIT);
for (const e of CounterObserver.EVENTS) ROUTE[e] |= TO_COUNTER;
for (const e of CostObserver.EVENTS) ROUTE[e] |= TO_COST;
for (const e of WallClockObserver.EVENTS) ROUTE[e] |= TO_WALL;
const ONE = CounterObserver.ONE;
/** What a set without extra observers wants: the counted, priced and timed codes. */
const WANTS = new Uint8Array(EV_LIMIT);
const WANTS_MEASURED = new Uint8Array(EV_LIMIT);
for (let e = 0; e < EV_LIMIT; e++) {
  WANTS[e] = ONE[e] >= 0 || (ROUTE[e] & (TO_COUNTER | TO_COST)) !== 0 ? 1 : 0;
  WANTS_MEASURED[e] = WANTS[e] || (ROUTE[e] & TO_WALL) !== 0 ? 1 : 0;
}

export class CpuObservers implements Observer {
  /** The actor's counters (src/check/counters.ts order), modelled ns by category and wall_* figures included. */
  readonly counters: Float64Array;
  readonly counter: CounterObserver;
  readonly cost: CostObserver;
  /** Measurement runs only. */
  readonly wall: WallClockObserver | null;
  /** Further observers, told every event (null: none). */
  private extra: Observer[] | null = null;
  /** The observers there are (TO_* bits). */
  private readonly routes: number;
  /** The codes this set wants (Observer.wants, its own copy): every code once an extra observer is added. */
  readonly wants: Uint8Array;

  constructor(cpu: Cpu, clock: (() => number) | null) {
    this.counter = new CounterObserver(cpu.realm.cfg.vcpus);
    this.counters = this.counter.row;
    this.cost = new CostObserver(cpu.realm, this.counters);
    this.wall = clock ? new WallClockObserver(this.counters, clock) : null;
    this.routes = TO_COUNTER | TO_COST | (this.wall ? TO_WALL : 0);
    this.wants = Uint8Array.from(this.wall ? WANTS_MEASURED : WANTS);
  }

  /** Add an observer that hears every event. */
  add(o: Observer): void {
    (this.extra ??= []).push(o);
    this.wants.fill(1);
  }

  event(actor: number, ev: number, a: number, b: number): void {
    const c = ONE[ev];
    if (c >= 0) this.counters[c]++;
    const r = ROUTE[ev] & this.routes;
    if (r !== 0) {
      if (r & TO_COUNTER) this.counter.event(actor, ev, a, b);
      if (r & TO_COST) this.cost.event(actor, ev, a, b);
      if (r & TO_WALL) this.wall!.event(actor, ev, a, b);
    }
    const x = this.extra;
    if (x !== null) for (let i = 0; i < x.length; i++) x[i].event(actor, ev, a, b);
  }
}

/** Attach a fresh set of observers to cpu (replacing any); clock: a wall clock in ns to measure with. */
export function observe(cpu: Cpu, clock: (() => number) | null = null): CpuObservers {
  const o = new CpuObservers(cpu, clock);
  cpu.observe(o);
  return o;
}
