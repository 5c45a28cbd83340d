// One actor (vCPU or host agent) of a free-mode run, inside a worker thread:
// the same generators as controlled mode, stepped as fast as the thread goes,
// racing the other threads on the shared model. In record mode every step is
// taken under the global step lock and stamped with a ticket, and its model
// choices are written down.

import { H } from '../model/realm.js';
import { BLOCKED } from '../model/cpu.js';
import { deathOf, KernelDeath } from '../check/finding.js';
import type { Policy } from '../kernel/policy.js';
import { ActorTask, workerActor } from './actor.js';
import type { ActorReport } from './execution.js';
import { policyErrorText } from './errors.js';
import { StepLock, L, recordingChooser } from './step_lock.js';
import { LockupBeat } from './lockup.js';

/** Record mode: raise H.STOP between two steps and remember at which ticket (replay raises it there too). */
export function stopAt(lock: StepLock, a: Int32Array): void {
  if (Atomics.load(lock.w, L.STOP_AT) < 0) Atomics.store(lock.w, L.STOP_AT, Atomics.load(lock.w, L.TICKET));
  Atomics.store(a, H.STOP, 1);
}

export interface FreeActorTask extends ActorTask {
  /** Steps after which this actor asks everyone to stop at the next operation boundary. */
  maxSteps: number;
  /** Record mode: the step lock's SharedArrayBuffer. */
  lock: SharedArrayBuffer | null;
  /** Time steps and set_memory_* calls with a wall clock. */
  measure: boolean;
  /** Publish every step here (lockup.ts): a user policy stuck in one step is seen and its thread stopped. */
  lockup?: SharedArrayBuffer | null;
}

export interface FreeActorResult extends ActorReport {
  actor: number;
  steps: number;
  /** This actor's own hash (free mode: not reproducible). */
  traceHash: string;
  /** It reached maxSteps and raised H.STOP. */
  bounded: boolean;
}

/** Spins before a blocked actor starts sleeping on Atomics.wait. */
const SPIN_BEFORE_SLEEP = 64;

export function runFreeActor(task: FreeActorTask, policy: Policy): FreeActorResult {
  const { realm, trace, cpu, obs, g } = workerActor(task, policy, task.measure);
  const wall = obs.wall;
  const a = realm.i32;
  const n = task.realm.vcpus + 1;
  const lock = task.lock ? new StepLock(task.lock) : null;
  // Under the step lock no other access is ever in flight: exactly controlled mode's semantics.
  cpu.concurrent = lock === null;
  if (lock) cpu.chooser = recordingChooser(lock);
  const beat = task.lockup ? new LockupBeat(task.lockup, task.actor) : null;
  beat?.attach(cpu);
  // Start barrier: every actor is on its own thread before anyone takes a step.
  Atomics.add(a, H.STARTED, 1);
  while (Atomics.load(a, H.STARTED) < n) Atomics.wait(a, H.WAKE, Atomics.load(a, H.WAKE), 1);
  const report: FreeActorResult = { actor: task.actor, steps: 0, counters: [], ns: 0, flipWall: [], lastEvents: [], death: null, traceHash: '', bounded: false };
  let steps = 0;
  let blocked = 0;
  let wakeSeen = Atomics.load(a, H.WAKE);
  let held = false;
  let ticket = 0;
  try {
    for (;;) {
      if (Atomics.load(a, H.DEAD)) break; // the modelled kernel died on another CPU
      ticket = steps;
      if (lock) {
        lock.acquire();
        held = true;
        ticket = lock.ticket();
        if (ticket < 0 || Atomics.load(a, H.DEAD)) break; // record buffer full, or dead meanwhile
        trace.restore(Atomics.load(lock.w, L.H1), Atomics.load(lock.w, L.H2));
      }
      trace.step = ticket;
      let r: IteratorResult<number, void>;
      beat?.enter(ticket);
      try {
        r = wall ? wall.step(cpu, g) : cpu.step(g);
      } finally {
        beat?.leave();
        if (lock) {
          Atomics.store(lock.w, L.H1, trace.h1);
          Atomics.store(lock.w, L.H2, trace.h2);
          lock.stamp(ticket, task.actor, cpu.opIndex, trace.h1 & 0xffff);
        }
      }
      if (lock) {
        if (steps + 1 === task.maxSteps) { stopAt(lock, a); report.bounded = true; }
        lock.release();
        held = false;
      }
      steps++;
      if (r.done) break;
      if (r.value === BLOCKED) {
        // Oversubscribed (more threads than cores): sleep until woken instead of spinning.
        if (++blocked > SPIN_BEFORE_SLEEP) Atomics.wait(a, H.WAKE, wakeSeen, 1);
        wakeSeen = Atomics.load(a, H.WAKE);
      } else blocked = 0;
      if (!lock && steps === task.maxSteps) { Atomics.store(a, H.STOP, 1); report.bounded = true; }
    }
  } catch (e) {
    if (e instanceof KernelDeath) report.death = deathOf(e, cpu.op, ticket);
    else {
      report.policyError = policyErrorText(policy.name, steps, task.seed, e, task.actor);
      Atomics.store(a, H.DEAD, 1); // stop the others: this run is void
    }
  } finally {
    if (held) lock!.release();
  }
  report.steps = steps;
  report.counters = Array.from(obs.counters);
  report.ns = obs.cost.ns;
  report.flipWall = wall?.flipWall ?? [];
  report.traceHash = trace.hash();
  report.lastEvents = trace.lastEvents(task.actor);
  return report;
}
