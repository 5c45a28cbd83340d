// What the trace views (text columns, HTML swimlanes) draw: one replayed
// schedule's events, by step and actor, with the failing access marked.

import type { TraceEvent } from '../check/trace.js';
import type { Finding } from '../check/finding.js';

export interface TraceView {
  title: string;
  /** Column names, index = actor id: 'vCPU0' … 'vCPU{n-1}', then 'host'. */
  actors: string[];
  /** Every event in order; boot (arm64_rsi_setup_memory on vCPU0) comes first, at step -1. */
  events: TraceEvent[];
  finding: Finding | null;
  /** Step of the finding (the failing access), or -1. */
  failingStep: number;
  steps: number;
  traceHash: string;
}

/** Build a view from a flattened event log ([step, actor, ev, a, b] per event). */
export function traceView(title: string, vcpus: number, log: number[], finding: Finding | null, steps: number, traceHash: string): TraceView {
  const events: TraceEvent[] = [];
  for (let i = 0; i < log.length; i += 5) events.push({ step: log[i], actor: log[i + 1], ev: log[i + 2], a: log[i + 3], b: log[i + 4] });
  const actors = [...Array.from({ length: vcpus }, (_, v) => `vCPU${v}`), 'host'];
  return { title, actors, events, finding, failingStep: finding ? finding.step : -1, steps, traceHash };
}
