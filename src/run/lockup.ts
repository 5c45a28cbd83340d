// The soft-lockup watch across threads: a step that never returns (a policy
// spinning without yielding) cannot be seen from inside its thread. Every actor
// publishes, in shared memory, how many steps it took, whether it is inside one
// now, and where it is (workload op, policy function); the coordinating thread
// looks every so often and reports an actor that sat in the same step for
// lockupSeconds, so that its worker thread can be stopped (after the kernel's
// softlockup detector, kernel/watchdog.c: "BUG: soft lockup - CPU#n stuck").

import type { Cpu } from '../model/cpu.js';
import { OPS } from '../workload/program.js';
import type { Death } from '../check/finding.js';
import { POLICY_FNS } from './actor.js';

/** Words per actor. */
const enum W { STEPS = 0, IN_STEP = 1, STEP = 2, OPINDEX = 3, OP = 4, FN = 5, STRIDE = 6 }

/** Names an actor can be in, by index (-1: none). */
const NAMES: readonly string[] = ['boot', 'exit', ...OPS, ...POLICY_FNS];
const nameId = (s: string | null): number => (s === null ? -1 : NAMES.indexOf(s));
const nameOf = (i: number): string | null => (i < 0 ? null : NAMES[i] ?? null);

/** One actor's side: publish each step and every change of context. */
export class LockupBeat {
  private readonly w: Int32Array;
  private readonly o: number;

  constructor(sab: SharedArrayBuffer, readonly actor: number) {
    this.w = new Int32Array(sab);
    this.o = actor * W.STRIDE;
  }

  /** Publish cpu's op and policy function now and whenever they change. */
  attach(cpu: Cpu): void {
    const { w, o } = this;
    const publish = (c: Cpu): void => {
      Atomics.store(w, o + W.OPINDEX, c.opIndex);
      Atomics.store(w, o + W.OP, nameId(c.op));
      Atomics.store(w, o + W.FN, nameId(c.policyFn));
    };
    cpu.onContext = publish;
    publish(cpu);
  }

  enter(step: number): void {
    Atomics.store(this.w, this.o + W.STEP, step);
    Atomics.store(this.w, this.o + W.IN_STEP, 1);
  }

  leave(): void {
    Atomics.store(this.w, this.o + W.IN_STEP, 0);
    Atomics.add(this.w, this.o + W.STEPS, 1);
  }
}

export const lockupBuffer = (actors: number): SharedArrayBuffer => new SharedArrayBuffer(actors * W.STRIDE * 4);

/** The cause of a soft-lockup hang (part of its signature): a step that never returned. */
export const SOFT_LOCKUP = 'soft lockup: a step never returned';

/** A finding (or its signature's bucket) is a soft lockup: a hang whose step never returned, so there is no trace to re-run or hash. */
export const isSoftLockup = (f: { kind: string; signature: string }): boolean => f.kind === 'hang' && f.signature.includes(SOFT_LOCKUP);

/** The hang finding's death for an actor stuck in one step (read from its lockup buffer). */
export function lockupDeath(w: Int32Array, actor: number, seconds: number, seed: string): Death {
  const o = actor * W.STRIDE;
  const op = nameOf(w[o + W.OP]) ?? 'unknown';
  const fn = nameOf(w[o + W.FN]);
  const step = w[o + W.STEP];
  return {
    kind: 'hang', fn: fn ?? op, cause: `${SOFT_LOCKUP} (the policy loops without yielding)`,
    detail: `actor ${actor} stuck in one step for ${seconds} s: workload op ${op} (#${w[o + W.OPINDEX]})${fn ? `, policy function ${fn}` : ''}, seed ${seed}, step ${step}; its thread was stopped`,
    actor, op, step,
  };
}

/** The workload operation index an actor was in (its lockup buffer), -1 outside any. */
export const lockupOpIndex = (sab: SharedArrayBuffer, actor: number): number => Atomics.load(new Int32Array(sab), actor * W.STRIDE + W.OPINDEX);

/** The death of an actor inside a step right now (a run whose time is up while a step has not returned), or null. */
export function inStepNow(sab: SharedArrayBuffer, actors: number, seconds: number, seed: string): Death | null {
  const w = new Int32Array(sab);
  for (let a = 0; a < actors; a++) if (Atomics.load(w, a * W.STRIDE + W.IN_STEP) === 1) return lockupDeath(w, a, seconds, seed);
  return null;
}

/**
 * Watch the actors of one run from the coordinating thread: calls onLockup
 * once with the death of the first actor found in the same step for `seconds`.
 * Returns the function that ends the watch.
 */
export function watchLockup(sab: SharedArrayBuffer, actors: number, seconds: number, seed: string, onLockup: (d: Death) => void): () => void {
  const w = new Int32Array(sab);
  const seen = new Int32Array(actors).fill(-1);
  const since = new Float64Array(actors);
  const limitMs = seconds * 1000;
  const timer = setInterval(() => {
    const now = performance.now();
    for (let a = 0; a < actors; a++) {
      const o = a * W.STRIDE;
      const steps = Atomics.load(w, o + W.STEPS);
      if (Atomics.load(w, o + W.IN_STEP) !== 1 || steps !== seen[a]) {
        seen[a] = Atomics.load(w, o + W.IN_STEP) === 1 ? steps : -1;
        since[a] = now;
        continue;
      }
      if (now - since[a] >= limitMs) {
        clearInterval(timer);
        onLockup(lockupDeath(w, a, seconds, seed));
        return;
      }
    }
  }, Math.max(20, Math.min(250, limitMs / 8)));
  timer.unref?.();
  return () => clearInterval(timer);
}

/**
 * One task of untrusted policy code, watched: its lockup buffer (give it to the
 * task), and a signal that aborts when an actor sits in one step for `seconds`
 * (stuck() is then that hang's death). dispose() ends the watch.
 */
export function watchTask(actors: number, seconds: number, seed: string): { lockup: SharedArrayBuffer; signal: AbortSignal; stuck: () => Death | null; dispose: () => void } {
  const lockup = lockupBuffer(actors);
  const ac = new AbortController();
  let stuck: Death | null = null;
  const dispose = watchLockup(lockup, actors, seconds, seed, (d) => { stuck = d; ac.abort(); });
  return { lockup, signal: ac.signal, stuck: () => stuck, dispose };
}
