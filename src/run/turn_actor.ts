// One actor of a turn-passing run, inside a worker thread: it takes a step only
// when the coordinator hands it the turn, so the interleaving (and the trace
// hash, kept in shared memory) is exactly the one the scheduler chose. Its
// model choices are answered by the coordinator's scheduler too, mid-step.

import type { Chooser, Cpu } from '../model/cpu.js';
import { deathOf, KernelDeath } from '../check/finding.js';
import type { Policy } from '../kernel/policy.js';
import { ActorTask, workerActor } from './actor.js';
import { DIED, DONE, type ActorReport } from './execution.js';
import { policyErrorText } from './errors.js';
import { LockupBeat } from './lockup.js';

/**
 * Words of the turn SharedArrayBuffer. ACK is step+1 when the step is done,
 * -(step+1) while the actor waits for the answer to a model choice (Q_*), which
 * the coordinator writes to ANS (-1 until then).
 */
export const enum T {
  TURN = 0, STEP = 1, ACK = 2, RESULT = 3, OPINDEX = 4, H1 = 5, H2 = 6, READY = 7,
  ANS = 8, Q_ACTOR = 9, Q_OP = 10, Q_N = 11, Q_WORD = 12, Q_KIND_LEN = 13, Q_KIND = 16, KIND_MAX = 48,
  /** Float64 slot of a chance's probability (byte offset / 8). */
  Q_P_F64 = 32, WORDS = 66,
}
/** TURN value that tells every actor to finish. */
export const T_END = -1;
/** Q_OP values. */
export const Q_CHOOSE = 1;
export const Q_CHANCE = 2;

export interface TurnActorTask extends ActorTask {
  turns: SharedArrayBuffer;
  log: boolean;
  /** Publish every step here (lockup.ts): a user policy stuck in one step is seen by the coordinator. */
  lockup?: SharedArrayBuffer;
}

export interface TurnActorResult extends ActorReport {
  actor: number;
  log: number[] | null;
}

/** Asks the coordinator: this actor's word of its stream travels with the question (the one-word rule). */
function remoteChooser(t: Int32Array, f64: Float64Array): Chooser {
  const ask = (cpu: Cpu, op: number, kind: string, n: number, p: number): number => {
    const word = cpu.rng.uint32();
    const len = Math.min(kind.length, T.KIND_MAX);
    for (let i = 0; i < len; i++) t[T.Q_KIND + i] = kind.charCodeAt(i);
    t[T.Q_KIND_LEN] = len;
    t[T.Q_ACTOR] = cpu.id;
    t[T.Q_OP] = op;
    t[T.Q_N] = n;
    t[T.Q_WORD] = word | 0;
    f64[T.Q_P_F64] = p;
    Atomics.store(t, T.ANS, -1);
    Atomics.store(t, T.ACK, -(Atomics.load(t, T.STEP) + 1));
    Atomics.notify(t, T.ACK);
    while (Atomics.load(t, T.ANS) === -1) Atomics.wait(t, T.ANS, -1, 1000);
    return Atomics.load(t, T.ANS);
  };
  return {
    choose: (cpu, kind, n) => ask(cpu, Q_CHOOSE, kind, n, 0),
    chance: (cpu, kind, p) => ask(cpu, Q_CHANCE, kind, 0, p) === 1,
  };
}

export function runTurnActor(task: TurnActorTask, policy: Policy): TurnActorResult {
  const t = new Int32Array(task.turns);
  const { trace, cpu, obs, g } = workerActor(task, policy);
  if (task.log) trace.log = [];
  cpu.chooser = remoteChooser(t, new Float64Array(task.turns));
  const me = task.actor + 1;
  const beat = task.lockup ? new LockupBeat(task.lockup, task.actor) : null;
  beat?.attach(cpu);
  const report: TurnActorResult = { actor: task.actor, counters: [], ns: 0, flipWall: [], lastEvents: [], death: null, log: null };
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
    trace.restore(Atomics.load(t, T.H1), Atomics.load(t, T.H2));
    let result: number;
    beat?.enter(step);
    try {
      const r = cpu.step(g);
      result = r.done ? DONE : r.value;
    } catch (e) {
      result = DIED;
      if (e instanceof KernelDeath) report.death = deathOf(e, cpu.op, step);
      else report.policyError = policyErrorText(policy.name, step, task.seed, e);
    }
    beat?.leave();
    Atomics.store(t, T.H1, trace.h1);
    Atomics.store(t, T.H2, trace.h2);
    Atomics.store(t, T.RESULT, result);
    Atomics.store(t, T.OPINDEX, cpu.opIndex);
    Atomics.store(t, T.TURN, 0);
    Atomics.store(t, T.ACK, step + 1);
    Atomics.notify(t, T.ACK);
  }
  report.counters = Array.from(obs.counters);
  report.ns = obs.cost.ns;
  report.lastEvents = trace.lastEvents(task.actor);
  report.log = trace.log;
  return report;
}
