// One actor of a turn-passing run, inside a worker thread: it takes a step only
// when the coordinator hands it the turn, so the interleaving (and the trace
// hash, kept in shared memory) is exactly the one the scheduler chose.

import { Realm } from '../model/realm.js';
import { Cpu } from '../model/cpu.js';
import { Trace, TraceEvent } from '../check/trace.js';
import { Finding, KernelDeath } from '../check/finding.js';
import type { Policy } from '../kernel/policy.js';
import { ActorTask, actorMain } from './actor.js';
import { DIED, DONE } from './drive.js';

/** Words of the turn SharedArrayBuffer. */
export const enum T { TURN = 0, STEP = 1, ACK = 2, RESULT = 3, OPINDEX = 4, H1 = 5, H2 = 6, READY = 7, WORDS = 8 }
/** TURN value that tells every actor to finish. */
export const T_END = -1;

export interface TurnActorTask extends ActorTask {
  turns: SharedArrayBuffer;
  log: boolean;
}

export interface TurnActorResult {
  actor: number;
  counters: number[];
  finding: Finding | null;
  lastEvents: TraceEvent[];
  log: number[] | null;
  ns: number;
  policyError?: string;
}

export function runTurnActor(task: TurnActorTask, policy: Policy): TurnActorResult {
  const realm = new Realm(task.realm, task.sab);
  const t = new Int32Array(task.turns);
  const n = task.realm.vcpus + 1;
  const isHost = task.actor === task.realm.vcpus;
  const trace = new Trace(n);
  if (task.log) trace.log = [];
  const cpu = new Cpu(task.actor, realm, trace, task.seed, isHost);
  const g = actorMain(cpu, policy, task.mix, task.program);
  const me = task.actor + 1;
  let finding: Finding | null = null;
  let policyError: string | undefined;
  Atomics.add(t, T.READY, 1);
  for (;;) {
    const turn = Atomics.load(t, T.TURN);
    if (turn === T_END) break;
    if (turn !== me) {
      Atomics.wait(t, T.TURN, turn, 1000);
      continue;
    }
    const step = Atomics.load(t, T.STEP);
    trace.step = step;
    trace.h1 = Atomics.load(t, T.H1);
    trace.h2 = Atomics.load(t, T.H2);
    let result: number;
    try {
      const r = g.next();
      result = r.done ? DONE : r.value;
    } catch (e) {
      result = DIED;
      if (e instanceof KernelDeath) finding = e.finding;
      else policyError = `policy ${policy.name} threw at step ${step} (seed ${task.seed}): ${(e as Error)?.message ?? String(e)}`;
    }
    Atomics.store(t, T.H1, trace.h1);
    Atomics.store(t, T.H2, trace.h2);
    Atomics.store(t, T.RESULT, result);
    Atomics.store(t, T.OPINDEX, cpu.opIndex);
    Atomics.store(t, T.TURN, 0);
    Atomics.store(t, T.ACK, step + 1);
    Atomics.notify(t, T.ACK);
  }
  return { actor: task.actor, counters: Array.from(cpu.counters), finding, lastEvents: trace.lastEvents(task.actor), log: trace.log, ns: cpu.ns, policyError };
}
