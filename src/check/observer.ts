// An observer of one CPU's typed event stream (src/check/events.ts): the
// counters, the modelled cost, the wall clock. Attached per execution to each
// CPU (Cpu.observers, a fixed array), told every event the CPU records and
// every note it makes, in program order. Observers never change the model.

export interface Observer {
  event(actor: number, ev: number, a: number, b: number): void;
}

/** No observer attached (a CPU outside any execution: boot, rule tests). */
export const NO_OBSERVERS: readonly Observer[] = [];
