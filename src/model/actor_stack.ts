// The trampoline that steps one actor. Kernel code calls a sub-path by
// yielding its generator (`yield f(ctx, ...)`, the value of the expression is
// f's return value) and ends a step by yielding a number (STEP, BLOCKED).
// ActorStack keeps the generators of the calls in progress on an explicit
// stack and resumes only the innermost, so a step costs one resumption however
// deep the call chain is (a `yield*` chain resumes every level on every step).
// `yield*` still works anywhere: it is an ordinary call inside one frame.
// ActorStack is itself a generator of numbers, so whatever steps a generator
// (an executor, a test, a caller's `yield`) can step an ActorStack. A
// primitive with no step point on its common path is a plain function that
// returns a Done (below) instead of a generator: no generator, no resumption.

import { STEP } from './cpu.js';

/** What a stepped kernel generator yields: a step result, a call to run first, or a call already run (Done). */
export type Yielded = number | Generator<Yielded, unknown, any> | Done<unknown>;
/** A kernel path: yields step results and calls, returns T. */
export type KGen<T = void> = Generator<Yielded, T, any>;


/**
 * A call that has already run, from a primitive written as a plain function
 * (one with no step point inside, or none needed this time: the common path of
 * an access that needs no retry, a split with nothing to split). `yield` it
 * like a generator call: its value comes back, after the step it ends if
 * `step`. It saves a generator and two resumptions per call. `yield*` works
 * too (Done is iterable), and a caller may return it as its own path.
 */
class DoneCall<T = void> {
  constructor(readonly value: T, readonly step: boolean) {}

  /** The same call as a generator (for `yield*`, and for stepping it on its own). */
  *[Symbol.iterator](): KGen<T> {
    if (this.step) yield STEP;
    return this.value;
  }
}
export type Done<T = void> = DoneCall<T>;
/**
 * One Done class per thread, kept in the global symbol registry, whichever copy
 * of this module defines it first. A worker runs its bundle
 * (dist/workers/bundle/, src/build/bundle_workers.ts), and a user policy that
 * imports primitives from the package (dist/src/) brings a second copy of the
 * kernel into that thread: the Done its primitives return must pass the
 * `instanceof Done` of the worker's ActorStack (test/policy_imports.test.ts).
 */
export const Done: typeof DoneCall = ((globalThis as Record<symbol, typeof DoneCall | undefined>)[Symbol.for('realmrace.Done')] ??= DoneCall);

/** The primitive's work ends a step; the caller gets value after it. */
export const stepDone = <T>(value: T): Done<T> => new Done(value, true);
/** The primitive did not need a step: the caller continues at once with value. */
export const noStep = <T>(value: T): Done<T> => new Done(value, false);
/** A kernel path: a generator, or a call a plain-function primitive has already run. */
export type KPath<T = void> = KGen<T> | Done<T>;

const NONE: unique symbol = Symbol('none');
const STEP_RESULT: IteratorYieldResult<number> = Object.freeze({ value: STEP, done: false });

export class ActorStack<T = void> implements Generator<number, T, void> {
  private readonly stack: KGen<unknown>[];
  /** The value of a Done that ended the last step: sent to its caller at the next resume. */
  private sendNext: unknown = undefined;

  constructor(root: KPath<T>) {
    this.stack = [root instanceof Done ? root[Symbol.iterator]() : root];
  }

  /** Run until the next step result (or the end of the root). */
  next(): IteratorResult<number, T> {
    return this.resume(NONE);
  }

  /** Throw e into the innermost call, unwinding through callers that do not catch it. */
  throw(e: unknown): IteratorResult<number, T> {
    return this.resume(e);
  }

  private resume(err: unknown): IteratorResult<number, T> {
    const stack = this.stack;
    let send = this.sendNext;
    this.sendNext = undefined;
    for (;;) {
      const top = stack[stack.length - 1];
      let r: IteratorResult<Yielded, unknown>;
      try {
        if (err === NONE) r = top.next(send);
        else {
          const e = err;
          err = NONE;
          r = top.throw(e);
        }
      } catch (e) {
        // The call threw (a KernelDeath, a policy's bug): unwind into its caller.
        if (stack.length === 1) throw e;
        stack.pop();
        err = e;
        continue;
      }
      if (r.done) {
        if (stack.length === 1) return r as IteratorReturnResult<T>;
        stack.pop();
        send = r.value;
        continue;
      }
      const y = r.value;
      if (typeof y === 'number') return r as IteratorYieldResult<number>;
      if (y instanceof Done) {
        if (!y.step) {
          send = y.value;
          continue;
        }
        this.sendNext = y.value;
        return STEP_RESULT;
      }
      stack.push(y);
      send = undefined;
    }
  }

  return(value: T): IteratorResult<number, T> {
    while (this.stack.length > 1) this.stack.pop()!.return(undefined);
    return this.stack[0].return(value) as IteratorResult<number, T>;
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/** Step a kernel path to the end in this thread (boot, tests); returns its value. */
export function runToEnd<T>(g: KPath<T>): T {
  const s = new ActorStack(g);
  for (;;) {
    const r = s.next();
    if (r.done) return r.value;
  }
}
