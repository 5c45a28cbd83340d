// Ctrl-C and SIGTERM during a long command: instead of dying with the work,
// the command is told (an AbortSignal), stops at the next schedule boundary,
// and reports what finished, marked interrupted (exit 130). A second signal
// ends the process at once, as it would without the handler, after saying
// what it leaves behind (onSecond).

import { INTERRUPTED_EXIT } from '../check/verdict.js';

export { INTERRUPTED_EXIT };

export interface Interrupt {
  readonly signal: AbortSignal;
  /** The signal's name (SIGINT, SIGTERM), once one came. */
  reason(): string;
  /** Remove the handlers (the command ended). */
  dispose(): void;
}

export interface InterruptOptions {
  /** After the name: what the command does now (default: "stopping after the current schedule"). */
  stopping?: string;
  onFirst?: (name: string) => void;
  /** Lines to print before a second signal exits at once (what is left behind and how to go on). */
  onSecond?: (name: string) => string[];
}

export function onInterrupt(o: InterruptOptions = {}): Interrupt {
  const ac = new AbortController();
  let got = '';
  const handler = (name: NodeJS.Signals): void => {
    if (got) {
      // The second one: stop now. Writes are synchronous, so no result line is torn;
      // the 'exit' listeners (the campaign lock) still run.
      for (const line of o.onSecond?.(name) ?? []) process.stderr.write(`${line}\n`);
      process.exit(INTERRUPTED_EXIT);
    }
    got = name;
    const again = name === 'SIGINT' ? 'Ctrl-C' : 'the signal';
    // On a terminal, from the start of a clean line: a progress bar may be drawn on this one.
    process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}realmrace: ${name}: ${o.stopping ?? 'stopping after the current schedule'}; ${again} again to quit at once\n`);
    o.onFirst?.(name);
    ac.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    reason: () => got,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
