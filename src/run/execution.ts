// One execution (after Shuttle's runtime/execution.rs): one schedule of one
// seed, run through the one scheduling loop. Executors plug into it: in this
// thread (controlled.ts) or one worker thread per actor passing the turn
// (turns.ts). Free and record mode run their own threads without this loop
// but end in the same ExecutionResult, assembled here, once.
//
// The loop does scheduling only: the scheduler picks (strategies and their
// wrappers: replay, lenient replay, recording, stop-at, the determinism check),
// the executor steps, and the loop keeps the actor sets up to date in O(1)
// per change.

import { H } from '../model/realm.js';
import { BLOCKED } from '../model/cpu.js';
import { C, Counts, countsOf } from '../check/counters.js';
import { Death, Finding, findingOf } from '../check/finding.js';
import type { TraceEvent } from '../check/trace.js';
import type { ProgramSpec } from '../workload/program.js';
import { ActorSet } from '../sched/runnable.js';
import type { Actors, Scheduler } from '../sched/scheduler.js';
import type { RecordedSchedule } from '../sched/recorder.js';
import type { Stop } from '../check/verdict.js';
import { PolicyError } from './errors.js';

/** What one step of one actor came to: STEP and BLOCKED are what kernel paths yield (model/cpu.ts). */
export const DONE = 2;
/** A finding (or a policy error) ended the run in this step. */
export const DIED = 3;

// Why a run ended: one type, defined beside the verdict rule that reads it.
export type { Stop } from '../check/verdict.js';

export interface Executor {
  /** Actors: the vCPUs 0..n-2, the host agent n-1. */
  readonly actors: number;
  /** The realm's header words (H.WAKE, H.STOP). */
  readonly header: Int32Array;
  /** Other threads write the header (turn-passing workers): read it with Atomics. Else plain reads (Atomics are not inlined on Node 20). */
  readonly sharedHeader: boolean;
  /** Actor a takes step `step`: STEP, BLOCKED, DONE or DIED. */
  step(a: number, step: number): number;
  /** Workload operation index actor a was in during its last step (-1 outside any). */
  opIndex(a: number): number;
  /** 16 bits of the trace hash after the last step: replays compare them to find the first divergent step. */
  check(): number;
}

/** What each actor leaves behind, in this thread or sent back by its worker thread. */
export interface ActorReport {
  counters: ArrayLike<number>;
  /** Modelled ns charged to this actor. */
  ns: number;
  /** Measured set_memory_* latencies (measure runs). */
  flipWall: number[];
  /** Its last events (needed only when the run has a finding). */
  lastEvents: TraceEvent[];
  death: Death | null;
  /** The policy's own code threw: the whole run is void. */
  policyError?: string;
}

export interface ExecutionResult {
  seed: string;
  steps: number;
  traceHash: string;
  finding: Finding | null;
  stop: Stop;
  /** stop === 'complete': every program ran to its end without a finding. */
  completed: boolean;
  counts: Counts;
  programs: ProgramSpec[];
  /** Recording runs: what ran (controlled: every step; record mode: the ticket order, and where it was stopped). */
  schedule?: RecordedSchedule & { stopAtStep?: number };
  /** Every event, when asked for (trace views): [step, actor, ev, a, b] flattened. */
  log?: number[];
  /** Modelled nanoseconds charged to each vCPU. */
  vcpuNs: number[];
  /** Measured wall-clock ns of each set_memory_* call (measure runs only). */
  flipWall?: number[];
  /** Wall-clock of the run (after boot and thread start-up). */
  wallMs: number;
}

export class Execution {
  private stopRequested = false;

  /** Starts the scheduler's next execution; boot the realm (its choices go to `sched` too) before run(). */
  constructor(readonly seed: string, readonly sched: Scheduler, private readonly maxSteps: number) {
    if (!sched.newExecution()) throw new Error(`scheduler ${sched.name} has no execution left`);
  }

  /** The one loop: until every actor is done, a step dies, or the step bound. */
  run(ex: Executor): { steps: number; stop: Stop } {
    const n = ex.actors;
    const hdr = ex.header;
    const sched = this.sched;
    const runnable = new ActorSet(n);
    const alive = new ActorSet(n);
    const blocked = new ActorSet(n);
    for (let a = 0; a < n; a++) { runnable.add(a); alive.add(a); }
    const actors: Actors = { runnable, alive, blocked };
    sched.attach?.({ requestStop: () => { Atomics.store(hdr, H.STOP, 1); this.stopRequested = true; } });
    const observe = sched.stepped !== undefined;
    const shared = ex.sharedHeader;
    const wakeWord = (): number => (shared ? Atomics.load(hdr, H.WAKE) : hdr[H.WAKE]);
    let wakeSeen = wakeWord();
    let steps = 0;
    let died = false;
    while (alive.size > 0 && steps < this.maxSteps) {
      if (blocked.size > 0 && wakeWord() !== wakeSeen) {
        // Whatever they wait for changed: blocked actors re-check.
        wakeSeen = wakeWord();
        runnable.addAll(blocked);
        blocked.clear();
      }
      if (runnable.size === 0) {
        // Everyone alive is blocked: let them all re-check (the watchdog ends a real deadlock).
        runnable.addAll(blocked);
        blocked.clear();
      }
      const a = sched.pick(actors, steps);
      const r = ex.step(a, steps);
      if (observe) sched.stepped!(steps, a, ex.opIndex(a), ex.check());
      steps++;
      if (r === DIED) { died = true; break; }
      if (r === DONE) {
        alive.delete(a);
        runnable.delete(a);
        blocked.delete(a);
      } else if (r === BLOCKED && !blocked.has(a)) {
        if (blocked.size === 0) wakeSeen = wakeWord();
        blocked.add(a);
        runnable.delete(a);
      }
    }
    const stop: Stop = died ? 'finding' : alive.size > 0 ? 'max-steps' : this.stopRequested ? 'time' : 'complete';
    return { steps, stop };
  }
}

/**
 * Every vCPU began every operation of its program. H.STOP ends a program only
 * before an operation begins, so then every program ran to its end even if a
 * stop was raised (by a timer, a step bound, a replayed stop) after that.
 */
export const allOpsBegun = (programs: ProgramSpec[], reports: ActorReport[]): boolean =>
  programs.every((p, v) => (reports[v]?.counters[C.ops] ?? 0) >= (p.keep ? Math.min(p.keep.length, p.ops) : p.ops));

/**
 * The one result assembly, for every mode: the first death (by actor) is the
 * finding, with every actor's last events; a policy error voids the run.
 */
export function resultOf(
  seed: string, programs: ProgramSpec[], reports: ActorReport[],
  end: { steps: number; stop: Stop; traceHash: string; wallMs: number; schedule?: ExecutionResult['schedule']; log?: number[]; measure?: boolean },
): ExecutionResult {
  const broken = reports.find((r) => r.policyError !== undefined);
  if (broken) throw new PolicyError(broken.policyError!);
  const death = reports.find((r) => r.death !== null)?.death ?? null;
  const finding = death ? findingOf(death, reports.map((r) => r.lastEvents)) : null;
  let stop: Stop = finding ? 'finding' : end.stop;
  if (stop === 'time' && allOpsBegun(programs, reports)) stop = 'complete';
  const counts = countsOf(reports.map((r) => r.counters));
  counts.steps = end.steps;
  const nv = programs.length;
  return {
    seed, steps: end.steps, traceHash: end.traceHash, finding, stop, completed: stop === 'complete', counts, programs,
    schedule: end.schedule, log: end.log, wallMs: end.wallMs,
    vcpuNs: reports.slice(0, nv).map((r) => r.ns),
    flipWall: end.measure ? reports.flatMap((r) => r.flipWall) : undefined,
  };
}
