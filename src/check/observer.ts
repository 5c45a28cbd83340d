// An observer of one CPU's typed event stream (src/check/events.ts): the
// counters, the modelled cost, the wall clock. Attached per execution to each
// CPU (Cpu.observe(): the execution's set of observers, src/run/observers.ts),
// told every event the CPU records and every note it makes, in program order.
// Observers never change the model.

import { EV_LIMIT } from './events.js';

export interface Observer {
  event(actor: number, ev: number, a: number, b: number): void;
  /** By event code (below EV_LIMIT): non-zero if event() wants it; the CPU sends no other. Absent: every code. */
  readonly wants?: Uint8Array;
}

/** No observer attached (a CPU outside any execution: boot, rule tests): wants nothing. */
export const NO_OBSERVER: Observer = { event: () => {}, wants: new Uint8Array(EV_LIMIT) };

