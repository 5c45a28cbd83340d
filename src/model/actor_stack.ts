// The trampoline that steps one actor. Kernel code calls a sub-path by
// yielding its generator (`yield f(ctx, ...)`, the value of the expression is
// f's return value) and ends a step by yielding a number (STEP, BLOCKED).
// ActorStack keeps the generators of the calls in progress on an explicit
// stack and resumes only the innermost, so a step costs one resumption however
// deep the call chain is (a `yield*` chain resumes every level on every step).
// `yield*` still works anywhere: it is an ordinary call inside one frame.
// ActorStack is itself a generator of numbers, so whatever steps a generator
// (an executor, a test, a caller's `yield`) can step an ActorStack.

/** What a stepped kernel generator yields: a step result, or a call to run first. */
export type Yielded = number | Generator<Yielded, unknown, any>;
/** A kernel path: yields step results and calls, returns T. */
export type KGen<T = void> = Generator<Yielded, T, any>;

const NONE: unique symbol = Symbol('none');

export class ActorStack<T = void> implements Generator<number, T, void> {
  private readonly stack: KGen<unknown>[];

  constructor(root: KGen<T>) {
    this.stack = [root];
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
    let send: unknown = undefined;
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
export function runToEnd<T>(g: KGen<T>): T {
  const s = new ActorStack(g);
  for (;;) {
    const r = s.next();
    if (r.done) return r.value;
  }
}
