// What running one policy produced: schedules and how each ended, steps, benign
// counts, the findings grouped by signature with the first witness of each, and
// the verdict the evidence supports (src/check/verdict.ts).

import { Counts, zeroCounts, addCounts } from '../check/counters.js';
import type { Finding, FindingKind } from '../check/finding.js';
import { verdictOf, type Stop, type Verdict } from '../check/verdict.js';
import type { Policy } from '../kernel/policy.js';

export type { Verdict } from '../check/verdict.js';

export type RunMode = 'controlled' | 'free' | 'record';

export interface SignatureBucket {
  signature: string;
  kind: FindingKind;
  count: number;
  /** Seed of the first schedule that hit it: `--seed <firstSeed> --schedules 1` replays it. */
  firstSeed: string;
  firstStep: number;
  first: Finding;
}

export interface PolicyOutcome {
  policy: string;
  description: string;
  expect: FindingKind[];
  mode: RunMode;
  schedules: number;
  /** Schedules that ran every program to the end without a finding (complete). */
  clean: number;
  /** Schedules stopped by the step bound (--max-steps). */
  bounded: number;
  /** Schedules (runs) cut by the wall-clock budget (free and record mode). */
  timed: number;
  steps: number;
  wallMs: number;
  /** Hash over every schedule's trace hash, in order: equal runs give equal run hashes (controlled mode). */
  runHash: string;
  counts: Counts;
  buckets: SignatureBucket[];
  unexpected: FindingKind[];
  missed: FindingKind[];
  verdict: Verdict;
  /** Why this verdict, in one line ("0 of 3 schedules complete: all bounded by --max-steps 100; ..."). */
  reason: string;
  /** --min-schedules: complete schedules a clean verdict needs. */
  minSchedules: number;
  /** Complete schedules this verdict needed (clean: minSchedules; a miss: its threshold; null: no number is enough; 0: a witness decided). */
  needed: number | null;
  /** Measured per-schedule catch rate the miss threshold used (built-in canaries, default config). */
  catchRate?: number;
}

/** What the verdict is measured against. */
export interface EvidenceRule {
  minSchedules: number;
  /** minSchedules was given by the user (see Evidence.minSchedulesSet). */
  minSchedulesSet?: boolean;
  catchRate?: number;
  maxSteps?: number;
}

export class OutcomeBuilder {
  private readonly buckets = new Map<string, SignatureBucket>();
  private readonly counts = zeroCounts();
  private schedules = 0;
  private clean = 0;
  private bounded = 0;
  private timed = 0;
  private steps = 0;
  private h = 0x811c9dc5;

  constructor(private readonly policy: Policy, private readonly mode: RunMode) {}

  /** Returns the bucket when this result is the first witness of a new signature. */
  add(r: { seed: string; steps: number; traceHash: string; finding: Finding | null; stop: Stop; counts: Counts }): SignatureBucket | null {
    this.schedules++;
    for (let i = 0; i < r.traceHash.length; i++) this.h = Math.imul(this.h ^ r.traceHash.charCodeAt(i), 16777619);
    this.steps += r.steps;
    addCounts(this.counts, r.counts);
    if (r.finding) {
      const f = r.finding;
      const b = this.buckets.get(f.signature);
      if (b) b.count++;
      else {
        const nb: SignatureBucket = { signature: f.signature, kind: f.kind, count: 1, firstSeed: r.seed, firstStep: f.step, first: f };
        this.buckets.set(f.signature, nb);
        return nb;
      }
    } else if (r.stop === 'complete') this.clean++;
    else if (r.stop === 'time') this.timed++;
    else this.bounded++;
    return null;
  }

  /** Every expected kind has been found (a canary's verdict is decided). */
  foundAll(): boolean {
    if (this.policy.expect.length === 0) return false;
    const kinds = new Set([...this.buckets.values()].map((b) => b.kind));
    return this.policy.expect.every((k) => kinds.has(k));
  }

  get findings(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.count;
    return n;
  }

  build(wallMs: number, rule: EvidenceRule): PolicyOutcome {
    const buckets = [...this.buckets.values()].sort((x, y) => y.count - x.count);
    const j = verdictOf({
      expect: this.policy.expect, seen: buckets.map((b) => b.kind),
      schedules: this.schedules, complete: this.clean, found: this.findings, maxSteps: this.bounded, time: this.timed,
      minSchedules: rule.minSchedules, minSchedulesSet: rule.minSchedulesSet, catchRate: rule.catchRate, maxStepsBound: rule.maxSteps,
      unit: this.mode === 'controlled' ? 'schedules' : 'runs',
    });
    return {
      policy: this.policy.name, description: this.policy.description, expect: this.policy.expect, mode: this.mode,
      schedules: this.schedules, clean: this.clean, bounded: this.bounded, timed: this.timed, steps: this.steps, wallMs,
      runHash: (this.h >>> 0).toString(16).padStart(8, '0'),
      counts: this.counts, buckets, unexpected: j.unexpected, missed: j.missed, verdict: j.verdict, reason: j.reason,
      minSchedules: rule.minSchedules, needed: Number.isFinite(j.needed) ? j.needed : null, ...(rule.catchRate !== undefined ? { catchRate: rule.catchRate } : {}),
    };
  }
}
