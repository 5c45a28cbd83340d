// Every CALL has its RET: the kernel functions one actor logs nest. Walks an
// event log ([step, actor, ev, a, b] flattened, as Trace.log keeps it) and
// keeps a call stack per actor. The one allowed exception is a finding:
// KernelDeath unwinds the stack without RETs, so the calls still open at the
// end of the log are the ones the finding (or the end of the run) cut short;
// views report them unfinished.

import { Ev, FN } from './events.js';

export interface OpenCall { fn: number; arg: number; step: number }

export interface CallNesting {
  /** Per actor, the calls open at the end of the log, outermost first. */
  open: OpenCall[][];
  /** RETs that close no open CALL, or not the innermost one. */
  errors: string[];
}

export function callNesting(log: ArrayLike<number>, actors: number): CallNesting {
  const open: OpenCall[][] = Array.from({ length: actors }, () => []);
  const errors: string[] = [];
  for (let i = 0; i + 4 < log.length; i += 5) {
    const step = log[i], actor = log[i + 1], ev = log[i + 2], a = log[i + 3];
    if (ev === Ev.CALL) open[actor].push({ fn: a, arg: log[i + 4], step });
    else if (ev === Ev.RET) {
      const top = open[actor].pop();
      if (top === undefined) errors.push(`step ${step}, actor ${actor}: RET of ${FN[a]} with no open CALL`);
      else if (top.fn !== a) errors.push(`step ${step}, actor ${actor}: RET of ${FN[a]} inside ${FN[top.fn]} (called at step ${top.step})`);
    }
  }
  return { open, errors };
}
