// `run`'s progress on a terminal: one bar per policy on stderr (schedules done of
// those planned, elapsed of --seconds, steps of --steps), erased before the
// policy's row is printed. Off a terminal nothing: the rows, printed as each
// policy finishes, are the progress, and a log stays free of bar redraws.

import cliProgress from 'cli-progress';
import type { Budget } from '../run/run_policy.js';

export interface PolicyProgress {
  /** After each schedule: schedules and steps so far (Budget.onSchedule). */
  onSchedule(schedules: number, steps: number): void;
  stop(): void;
}

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)}k` : String(n));

/**
 * How far through its budget a policy is (0..1), and that in words. A policy
 * stops at --schedules, or at --steps / --seconds once it ran `atLeast`
 * schedules (src/run/run_policy.ts exhausted()).
 */
export function budgetProgress(b: Budget, schedules: number, steps: number, seconds: number): { fraction: number; words: string } {
  const bySchedules = b.schedules !== undefined ? schedules / b.schedules : 0;
  const timed = b.steps !== undefined || b.seconds !== undefined;
  const byOther = Math.max(b.steps !== undefined ? steps / b.steps : 0, b.seconds !== undefined ? seconds / b.seconds : 0);
  const floor = b.atLeast !== undefined ? schedules / b.atLeast : 1;
  const fraction = Math.min(1, Math.max(bySchedules, timed ? Math.min(floor, byOther) : 0));
  const words = [
    `${schedules}${b.schedules !== undefined ? `/${b.schedules}` : ''} schedules${b.atLeast !== undefined ? ` (at least ${b.atLeast})` : ''}`,
    ...(b.seconds !== undefined ? [`${seconds.toFixed(1)}/${b.seconds} s`] : []),
    ...(b.steps !== undefined ? [`${fmt(steps)}/${fmt(b.steps)} steps`] : []),
  ].join(', ');
  return { fraction, words };
}

const NONE: PolicyProgress = { onSchedule: () => {}, stop: () => {} };

/** A policy's bar on stderr when stderr is a terminal; `width` bounds the line. */
export function policyProgress(policy: string, b: Budget, width: number): PolicyProgress {
  if (!process.stderr.isTTY) return NONE;
  const barsize = Math.max(10, Math.min(40, (Number.isFinite(width) ? width : 100) - policy.length - 50));
  const bar = new cliProgress.SingleBar(
    { format: '{policy} [{bar}] {percentage}% | {words}', barsize, hideCursor: false, clearOnComplete: true, gracefulExit: false, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const t0 = performance.now();
  let schedules = 0;
  let steps = 0;
  const draw = (): void => {
    const p = budgetProgress(b, schedules, steps, (performance.now() - t0) / 1000);
    bar.update(Math.round(p.fraction * 1000), { policy, words: p.words });
  };
  bar.start(1000, 0, { policy, words: budgetProgress(b, 0, 0, 0).words });
  // The clock moves during long schedules (free mode) too.
  const tick = setInterval(draw, 250);
  tick.unref();
  return {
    onSchedule: (s, n) => {
      schedules = s;
      steps = n;
      draw();
    },
    stop: () => {
      clearInterval(tick);
      bar.stop();
    },
  };
}
