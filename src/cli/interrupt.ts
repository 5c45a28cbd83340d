// Ctrl-C and SIGTERM during a long command: instead of dying with the work,
// the command is told (an AbortSignal), stops at the next schedule boundary,
// and reports what finished, marked interrupted (exit 130). A second signal
// ends the process at once, as it would without the handler.

/** Exit status of an interrupted command (128 + SIGINT, what shells report for Ctrl-C). */
export const INTERRUPTED_EXIT = 130;

export interface Interrupt {
  readonly signal: AbortSignal;
  /** The signal's name (SIGINT, SIGTERM), once one came. */
  reason(): string;
  /** Remove the handlers (the command ended). */
  dispose(): void;
}

export function onInterrupt(onFirst?: (name: string) => void): Interrupt {
  const ac = new AbortController();
  let got = '';
  const handler = (name: NodeJS.Signals): void => {
    if (got) process.exit(INTERRUPTED_EXIT); // the second one: stop now
    got = name;
    process.stderr.write(`realmrace: ${name}: stopping after the current schedule; ${name === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to quit at once\n`);
    onFirst?.(name);
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
