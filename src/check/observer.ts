// An observer of one CPU's typed event stream (src/check/events.ts): the
// counters, the modelled cost, the wall clock. Attached per execution to each
// CPU (Cpu.observer: the execution's set of observers, src/run/observers.ts),
// told every event the CPU records and every note it makes, in program order.
// Observers never change the model.

export interface Observer {
  event(actor: number, ev: number, a: number, b: number): void;
}

/** No observer attached (a CPU outside any execution: boot, rule tests). */
export const NO_OBSERVER: Observer = { event: () => {} };

/** An interest table for events: 1 at each code in evs (codes are below EV_LIMIT). */
export function eventMask(evs: readonly number[], limit: number): Uint8Array {
  const m = new Uint8Array(limit);
  for (const e of evs) m[e] = 1;
  return m;
}
