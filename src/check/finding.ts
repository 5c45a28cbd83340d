// Findings: what the oracle raises. The signature names the kind, the kernel
// code path that hit it and the cause, never addresses, so the same bug found
// by different seeds groups under one signature.

import type { TraceEvent } from './trace.js';

export type FindingKind =
  | 'SEA' // do_sea() -> die(): kernel death (R18)
  | 'translation-fault' // unhandled kernel translation fault: oops (R17)
  | 'GPF' // realm access to a shared IPA the host backed with a non-NS granule (R8)
  | 'host-GPF' // host access to a GPT_REALM granule (R10)
  | 'data-exposed' // private data stored through a shared (NS) translation
  | 'integrity' // the guest consumed data it did not mean to: a private load through a shared (NS) translation, or a read-back the host did not write (R30)
  | 'bbm-violation' // a live change of a valid descriptor's output address without break-before-make (R31)
  | 'panic' // arm64_rsi_setup_memory() failed at boot (R2)
  | 'hang' // an actor made no progress past the watchdog
  | 'invariant'; // the kernel model broke one of its own rules (double free, ...)

export const FINDING_KINDS: FindingKind[] = ['SEA', 'translation-fault', 'GPF', 'host-GPF', 'data-exposed', 'integrity', 'bbm-violation', 'panic', 'hang', 'invariant'];

export interface Finding {
  kind: FindingKind;
  /** Kernel code path: workload op > kernel function that made the access. */
  site: string;
  /** Why, in model terms: e.g. "stale TLB entry", "valid alias of a RIPAS_EMPTY granule". */
  cause: string;
  signature: string;
  actor: number;
  step: number;
  detail: string;
  /** Last events of every actor, oldest first (index = actor; the host is the last). */
  lastEvents: TraceEvent[][];
}

/** Name of an actor in a finding's last events: vCPU0.., the host agent last. */
export const actorName = (f: Finding, actor: number): string => (actor === f.lastEvents.length - 1 ? 'host' : `vCPU${actor}`);

/** Every actor's last events merged by step (in controlled and record mode steps are global). */
export const mergedLastEvents = (f: Finding): TraceEvent[] =>
  f.lastEvents.flat().sort((x, y) => x.step - y.step || x.actor - y.actor);

/**
 * Judge what was seen against what a policy expects: finding kinds it should
 * not produce, and expected kinds that never came.
 */
export function judge(expect: FindingKind[], seen: Iterable<FindingKind>): { unexpected: FindingKind[]; missed: FindingKind[] } {
  const s = new Set(seen);
  return { unexpected: [...s].filter((k) => !expect.includes(k)), missed: expect.filter((k) => !s.has(k)) };
}

export const signatureOf = (kind: FindingKind, site: string, cause: string): string => `${kind} in ${site}: ${cause}`;

/** Thrown through the generators when the modelled kernel dies (Cpu.die); the executor catches it. */
class KernelDeathError extends Error {
  constructor(readonly kind: FindingKind, readonly fn: string, override readonly cause: string, readonly detail: string, readonly actor: number) {
    // A modelled death, not a fault of this program: its JS stack says nothing (the
    // finding carries op, site, step and last events), and capturing it costs more
    // than a short schedule's steps.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${kind} in ${fn}: ${cause}`);
    Error.stackTraceLimit = limit;
  }
}
export type KernelDeath = KernelDeathError;
/**
 * One class per thread, kept in the global symbol registry (as Done, model/actor_stack.ts):
 * a user policy that imports from the package runs, in a worker, a second copy of
 * the kernel beside the worker's bundle, and a death it throws must still be a
 * KernelDeath to the runner's `instanceof` (test/policy_imports.test.ts).
 */
export const KernelDeath: typeof KernelDeathError = ((globalThis as Record<symbol, typeof KernelDeathError | undefined>)[Symbol.for('realmrace.KernelDeath')] ??= KernelDeathError);

/** A death as it crosses threads (plain data): what Cpu.die said, and the workload op and step the executor saw. */
export interface Death {
  kind: FindingKind;
  fn: string;
  cause: string;
  detail: string;
  actor: number;
  op: string;
  step: number;
}

export const deathOf = (e: KernelDeath, op: string, step: number): Death =>
  ({ kind: e.kind, fn: e.fn, cause: e.cause, detail: e.detail, actor: e.actor, op, step });

/** The finding of a death: its site is the workload op > the kernel function (just the function when they coincide). */
export function findingOf(d: Death, lastEvents: TraceEvent[][]): Finding {
  const site = d.op === d.fn ? d.fn : `${d.op} > ${d.fn}`;
  return { kind: d.kind, site, cause: d.cause, signature: signatureOf(d.kind, site, d.cause), actor: d.actor, step: d.step, detail: d.detail, lastEvents };
}
