// A verdict is a claim, so it rests on evidence: how many schedules ran every
// program to its end. One pure rule for `run`, `nightly` and `merge`:
//
//   unexpected    a finding of a kind the policy does not expect (a witness is evidence enough)
//   met           every expected kind was found; or, for a policy that expects nothing,
//                 at least `minSchedules` complete schedules ran and none found anything
//   missed        an expected kind was not found although `missAfter()` complete
//                 schedules ran: enough that a catch was near-certain (from a measured
//                 catch rate, or from a minimum the user stated for their canary)
//   inconclusive  otherwise: too few complete schedules to say clean, or to say missed
//
// A schedule is complete when every program ran to its end with no finding.
// Schedules cut by --max-steps or by the wall-clock budget are counted, reported,
// and never count as evidence.

import { judge, type FindingKind } from './finding.js';

/** Exit status of a command stopped by SIGINT/SIGTERM (128 + SIGINT, what shells report for Ctrl-C): `run` and `nightly`. */
export const INTERRUPTED_EXIT = 130;

/** A miss is called only when a policy that still had its bug would have escaped with probability at most this. */
export const MISS_CONFIDENCE = 1e-3;

export type Verdict = 'met' | 'unexpected' | 'missed' | 'inconclusive';

/** How one schedule (run) ended: interfaces.md item 1. */
export type Stop = 'complete' | 'finding' | 'max-steps' | 'time';

export interface Evidence {
  expect: FindingKind[];
  /** Finding kinds seen (any order, repeats allowed). */
  seen: FindingKind[];
  /** Schedules run, and how they ended (complete + found + maxSteps + time = schedules). */
  schedules: number;
  complete: number;
  found: number;
  maxSteps: number;
  time: number;
  /** Complete schedules a clean verdict needs (and the floor for calling a miss). */
  minSchedules: number;
  /**
   * The user gave minSchedules (--min-schedules, a campaign entry's minSchedules):
   * without a measured catch rate, that number is their claim of when a miss is sure.
   */
  minSchedulesSet?: boolean;
  /**
   * Probability that one complete schedule of this policy and configuration
   * catches its expected finding, when it was measured (built-in canaries), else undefined.
   */
  catchRate?: number;
  /** The --max-steps bound, for the reason. */
  maxStepsBound?: number;
  /** 'schedules' (controlled) or 'runs' (free, record, campaigns), for the reason. */
  unit?: string;
  /** Where minSchedules comes from, for the reason: '--min-schedules' (run) or 'minSchedules' (campaign entry). */
  minName?: string;
}

export interface Judgement {
  verdict: Verdict;
  unexpected: FindingKind[];
  missed: FindingKind[];
  /** One line: why this verdict. */
  reason: string;
  /** Complete schedules this verdict needed (clean: minSchedules; missed: missAfter); 0 when a witness decided it. */
  needed: number;
}

/**
 * Complete schedules after which a miss is near-certain to be real:
 * (1 - p)^n <= MISS_CONFIDENCE, i.e. n >= ln(1/MISS_CONFIDENCE) / -ln(1 - p), and never fewer
 * than minSchedules. Without a measured rate p, a minSchedules the user stated is
 * their claim of enough; with neither, or a rate of 0, no number is enough (Infinity).
 */
export function missAfter(minSchedules: number, catchRate: number | undefined, stated: boolean): number {
  if (catchRate === undefined) return stated ? minSchedules : Infinity;
  if (!(catchRate > 0)) return Infinity;
  if (catchRate >= 1) return minSchedules;
  return Math.max(minSchedules, Math.ceil(Math.log(1 / MISS_CONFIDENCE) / -Math.log(1 - catchRate)));
}

/** "0 of 3 schedules complete: all bounded by --max-steps 100" */
export function completeText(e: Evidence): string {
  const unit = e.unit ?? 'schedules';
  if (e.schedules === 0) return `0 ${unit} ran`;
  const head = `${e.complete} of ${e.schedules} ${unit} complete`;
  const parts: [number, string][] = [
    [e.maxSteps, `bounded by --max-steps${e.maxStepsBound !== undefined ? ` ${e.maxStepsBound}` : ''}`],
    [e.time, 'cut by the time budget'],
    [e.found, 'ended by a finding'],
  ];
  const cut = parts.filter(([n]) => n > 0);
  if (cut.length === 0) return head;
  if (cut.length === 1 && e.complete === 0) return `${head}: all ${cut[0][1]}`;
  return `${head}: ${cut.map(([n, what]) => `${n} ${what}`).join(', ')}`;
}

const pct = (p: number): string => `${(p * 100).toPrecision(2)}%`;

export function verdictOf(e: Evidence): Judgement {
  const { unexpected, missed } = judge(e.expect, e.seen);
  const kinds = (ks: FindingKind[]): string => ks.join(',');
  if (unexpected.length) return { verdict: 'unexpected', unexpected, missed, reason: `unexpected ${kinds(unexpected)}`, needed: 0 };
  if (e.expect.length === 0) {
    const needed = e.minSchedules;
    if (e.complete >= needed) return { verdict: 'met', unexpected, missed, reason: `clean in ${completeText(e)}`, needed };
    return { verdict: 'inconclusive', unexpected, missed, reason: `${completeText(e)}; clean needs ${needed} complete (${e.minName ?? '--min-schedules'})`, needed };
  }
  if (missed.length === 0) return { verdict: 'met', unexpected, missed, reason: `found ${kinds(e.expect)}`, needed: 0 };
  const stated = e.minSchedulesSet === true;
  const needed = missAfter(e.minSchedules, e.catchRate, stated);
  const minName = e.minName ?? '--min-schedules';
  const basis = e.catchRate !== undefined
    ? `99.9% sure at the measured catch rate of ${pct(e.catchRate)} per schedule`
    : stated ? `${minName} ${e.minSchedules}, no measured catch rate` : `no measured catch rate for this configuration, and no ${minName} given`;
  if (e.complete >= needed) {
    return { verdict: 'missed', unexpected, missed, reason: `expected ${kinds(missed)} was not found in ${completeText(e)}; a miss is called after ${needed} complete (${basis})`, needed };
  }
  const need = Number.isFinite(needed) ? `a miss needs ${needed} complete (${basis})` : `a miss cannot be called (${basis})`;
  return { verdict: 'inconclusive', unexpected, missed, reason: `expected ${kinds(missed)} was not found, ${completeText(e)}; ${need}`, needed };
}

/**
 * Lower end of the Wilson 95% interval of hits/n: the catch rate a measurement
 * of n schedules supports, erring low (so a miss is called later, never sooner).
 */
export function wilsonLower(hits: number, n: number, z = 1.96): number {
  if (n <= 0) return 0;
  const p = hits / n;
  const z2 = z * z;
  return Math.max(0, (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n));
}
