// The observers an execution attaches to each of its CPUs: counters and
// modelled cost always, the wall clock in measurement runs, and any others a
// caller adds. They share the actor's counter row, which the actor reports at
// the end. Dispatch is cheap: one call per event from the CPU, then one
// direct call per observer that wants that event (a fixed set, interest tables
// by event code), no allocation.

import type { Cpu } from '../model/cpu.js';
import { EV_LIMIT } from '../check/events.js';
import { eventMask, type Observer } from '../check/observer.js';
import { CounterObserver } from '../check/counter_observer.js';
import { CostObserver } from '../cost/cost_observer.js';
import { WallClockObserver } from './wall_clock.js';

const COST = eventMask(CostObserver.EVENTS, EV_LIMIT);
const WALL = eventMask(WallClockObserver.EVENTS, EV_LIMIT);

export class CpuObservers implements Observer {
  /** The actor's counters (src/check/counters.ts order), modelled ns by category and wall_* figures included. */
  readonly counters: Float64Array;
  readonly counter: CounterObserver;
  readonly cost: CostObserver;
  /** Measurement runs only. */
  readonly wall: WallClockObserver | null;
  /** Further observers, told every event. */
  private readonly extra: Observer[] = [];

  constructor(cpu: Cpu, clock: (() => number) | null) {
    this.counter = new CounterObserver(cpu.realm.cfg.vcpus);
    this.counters = this.counter.row;
    this.cost = new CostObserver(cpu.realm, this.counters);
    this.wall = clock ? new WallClockObserver(this.counters, clock) : null;
  }

  add(o: Observer): void {
    this.extra.push(o);
  }

  event(actor: number, ev: number, a: number, b: number): void {
    this.counter.event(actor, ev, a, b);
    if (COST[ev] === 1) this.cost.event(actor, ev, a, b);
    if (this.wall !== null && WALL[ev] === 1) this.wall.event(actor, ev, a, b);
    const x = this.extra;
    for (let i = 0; i < x.length; i++) x[i].event(actor, ev, a, b);
  }
}

/** Attach a fresh set of observers to cpu (replacing any); clock: a wall clock in ns to measure with. */
export function observe(cpu: Cpu, clock: (() => number) | null = null): CpuObservers {
  const o = new CpuObservers(cpu, clock);
  cpu.observer = o;
  return o;
}
