// What running one policy produced: schedules, steps, benign counts, and the
// findings grouped by signature with the first witness of each.

import { Counts, zeroCounts, addCounts } from '../check/counters.js';
import { judge, type Finding, type FindingKind } from '../check/finding.js';
import type { Policy } from '../kernel/policy.js';

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

export type Verdict = 'met' | 'unexpected' | 'missed';

export interface PolicyOutcome {
  policy: string;
  description: string;
  expect: FindingKind[];
  mode: RunMode;
  schedules: number;
  /** Schedules that ran every actor to the end without a finding. */
  clean: number;
  /** Schedules stopped by the step bound. */
  bounded: number;
  steps: number;
  wallMs: number;
  /** Hash over every schedule's trace hash, in order: equal runs give equal run hashes (controlled mode). */
  runHash: string;
  counts: Counts;
  buckets: SignatureBucket[];
  unexpected: FindingKind[];
  missed: FindingKind[];
  verdict: Verdict;
}

export class OutcomeBuilder {
  private readonly buckets = new Map<string, SignatureBucket>();
  private readonly counts = zeroCounts();
  private schedules = 0;
  private clean = 0;
  private bounded = 0;
  private steps = 0;
  private h = 0x811c9dc5;

  constructor(private readonly policy: Policy, private readonly mode: RunMode) {}

  /** Returns the bucket when this result is the first witness of a new signature. */
  add(r: { seed: string; steps: number; traceHash: string; finding: Finding | null; completed: boolean; counts: Counts }): SignatureBucket | null {
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
    } else if (r.completed) this.clean++;
    else this.bounded++;
    return null;
  }

  get findings(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.count;
    return n;
  }

  build(wallMs: number): PolicyOutcome {
    const buckets = [...this.buckets.values()].sort((x, y) => y.count - x.count);
    const { unexpected, missed } = judge(this.policy.expect, buckets.map((b) => b.kind));
    const verdict: Verdict = unexpected.length ? 'unexpected' : missed.length ? 'missed' : 'met';
    return {
      policy: this.policy.name, description: this.policy.description, expect: this.policy.expect, mode: this.mode,
      schedules: this.schedules, clean: this.clean, bounded: this.bounded, steps: this.steps, wallMs,
      runHash: (this.h >>> 0).toString(16).padStart(8, '0'),
      counts: this.counts, buckets, unexpected, missed, verdict,
    };
  }
}
