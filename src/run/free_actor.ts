// One actor (vCPU or host agent) of a free-mode run, inside a worker thread:
// the same generators as controlled mode, stepped as fast as the thread goes,
// racing the other threads on the shared model.

import { Realm, H } from '../model/realm.js';
import { Cpu, BLOCKED } from '../model/cpu.js';
import { RealmConfig } from '../model/config.js';
import { Trace, TraceEvent } from '../check/trace.js';
import { Finding, KernelDeath } from '../check/finding.js';
import type { Policy } from '../kernel/policy.js';
import { vcpu_main, WorkloadConfig, ProgramSpec } from '../workload/program.js';
import { host_main } from '../host/host_agent.js';

export interface FreeActorTask {
  sab: SharedArrayBuffer;
  realm: RealmConfig;
  mix: WorkloadConfig['mix'];
  /** The vCPU's program (null for the host agent). */
  program: ProgramSpec | null;
  policy: string;
  seed: string;
  actor: number;
  /** Steps after which this actor asks everyone to stop at the next operation boundary. */
  maxSteps: number;
}

export interface FreeActorResult {
  actor: number;
  steps: number;
  counters: number[];
  finding: Finding | null;
  traceHash: string;
  lastEvents: TraceEvent[];
  /** The policy's own code threw (a user error, not a modelled death). */
  policyError?: string;
}

/** Spins before a blocked actor starts sleeping on Atomics.wait. */
const SPIN_BEFORE_SLEEP = 64;

export function runFreeActor(task: FreeActorTask, policy: Policy): FreeActorResult {
  const realm = new Realm(task.realm, task.sab);
  const a = realm.i32;
  const n = task.realm.vcpus + 1;
  const isHost = task.actor === task.realm.vcpus;
  const trace = new Trace(n);
  const cpu = new Cpu(task.actor, realm, trace, task.seed, isHost);
  cpu.concurrent = true;
  const g = isHost || !task.program ? host_main(cpu) : vcpu_main(cpu, policy, task.mix, task.program);
  // Start barrier: every actor is on its own thread before anyone takes a step.
  Atomics.add(a, H.STARTED, 1);
  while (Atomics.load(a, H.STARTED) < n) Atomics.wait(a, H.WAKE, Atomics.load(a, H.WAKE), 1);
  let steps = 0;
  let blocked = 0;
  let wakeSeen = Atomics.load(a, H.WAKE);
  let finding: Finding | null = null;
  let policyError: string | undefined;
  try {
    for (;;) {
      if (Atomics.load(a, H.DEAD)) break; // the modelled kernel died on another CPU
      trace.step = steps;
      const r = g.next();
      steps++;
      if (r.done) break;
      if (r.value === BLOCKED) {
        // Oversubscribed (more threads than cores): sleep until woken instead of spinning.
        if (++blocked > SPIN_BEFORE_SLEEP) Atomics.wait(a, H.WAKE, wakeSeen, 1);
        wakeSeen = Atomics.load(a, H.WAKE);
      } else blocked = 0;
      if (steps === task.maxSteps) Atomics.store(a, H.STOP, 1);
    }
  } catch (e) {
    if (e instanceof KernelDeath) finding = e.finding;
    else {
      policyError = `policy ${policy.name} threw at step ${steps} on actor ${task.actor} (seed ${task.seed}): ${(e as Error)?.message ?? String(e)}`;
      Atomics.store(a, H.DEAD, 1); // stop the others: this run is void
    }
  }
  return { actor: task.actor, steps, counters: Array.from(cpu.counters), finding, traceHash: trace.hash(), lastEvents: trace.lastEvents(task.actor), policyError };
}
