// The observers an execution attaches to each of its CPUs: counters and
// modelled cost always, the wall clock in measurement runs. They share the
// actor's counter row, which the actor reports at the end.

import type { Cpu } from '../model/cpu.js';
import { CounterObserver } from '../check/counter_observer.js';
import { CostObserver } from '../cost/cost_observer.js';
import { WallClockObserver } from './wall_clock.js';

export interface CpuObservers {
  /** The actor's counters (src/check/counters.ts order), modelled ns by category and wall_* figures included. */
  readonly counters: Float64Array;
  readonly cost: CostObserver;
  /** Measurement runs only. */
  readonly wall: WallClockObserver | null;
}

/** Attach a fresh set of observers to cpu (replacing any); clock: a wall clock in ns to measure with. */
export function observe(cpu: Cpu, clock: (() => number) | null = null): CpuObservers {
  const counter = new CounterObserver(cpu.realm.cfg.vcpus);
  const cost = new CostObserver(cpu.realm, counter.row);
  const wall = clock ? new WallClockObserver(counter.row, clock) : null;
  cpu.observers = wall ? [counter, cost, wall] : [counter, cost];
  return { counters: counter.row, cost, wall };
}
