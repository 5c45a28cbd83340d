// A campaign's verdict and its outputs for CI: summary.json, junit.xml (one
// testcase per policy x config), summary.md (outcome table with the first
// witness of each bucket and its replay token), reproducers/, testid.json.

import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { XMLBuilder } from 'fast-xml-parser';
import { loadPolicy } from '../kernel/policies/index.js';
import { isSoftLockup } from '../run/lockup.js';
import type { FindingKind } from '../check/finding.js';
import { INTERRUPTED_EXIT, verdictOf, type Verdict } from '../check/verdict.js';
import { replayCommand } from '../report/replay.js';
import { reproducerForSeed } from '../repro/make.js';
import { saveReproducer } from '../repro/files.js';
import { shellQuote } from '../config/to_flags.js';
import { VERSION } from '../version.js';
import type { CampaignCase } from './config.js';
import { caseConfig, caseRule } from './runner.js';
import type { RunRecord } from './results.js';

export interface Bucket {
  signature: string; kind: FindingKind; count: number; first: RunRecord;
  /** The paste-ready line; a free-mode one is labelled inexact (it re-runs the seed, not the race). */
  replay: string;
  /** False for free-mode findings: no schedule was recorded. */
  exact: boolean;
  /** The reproducer file, as a path from where the campaign ran. */
  reproducer?: string;
}

const INEXACT = 'inexact: free mode records no schedule; this re-runs the seed\'s programs under the seeded scheduler, not the racing interleaving';

export interface CaseOutcome {
  case: CampaignCase;
  expect: FindingKind[];
  canary: boolean;
  runs: number;
  /** Runs that ran every program to its end without a finding. */
  clean: number;
  /** Runs cut by the step bound. */
  bounded: number;
  /** Runs cut by the time limit (free mode). */
  timed: number;
  buckets: Bucket[];
  harness: RunRecord[];
  unexpected: FindingKind[];
  missed: FindingKind[];
  verdict: Verdict | 'harness-failure';
  /** Why this verdict, in one line. */
  reason: string;
  minSchedules: number;
  /** Complete runs the verdict needed (null: no number is enough at the measured catch rate). */
  needed: number | null;
  catchRate?: number;
  /** Sum of the runs' own wall-clock, ms (the JUnit testcase time). */
  ms: number;
}

export interface CampaignSummary {
  tool: string;
  version: string;
  name: string;
  seed: string;
  shard: string | null;
  seconds: number;
  runs: number;
  planned: number;
  skippedByBudget: number;
  /** The plan and budget checks at the start, when some case could not get its minimum. */
  notices?: string[];
  /** Stopped by SIGINT/SIGTERM before its plan was done: the cases cut short are inconclusive, exit 130. */
  interrupted: boolean;
  /** Interrupted: the signal, the planned runs not run, and the paste-ready line that continues the campaign. */
  signal?: string;
  notRun?: number;
  resume?: string;
  cases: CaseOutcome[];
  exitCode: number;
  verdict: string;
}

/** One case's verdict from its run records (src/check/verdict.ts). */
export function judgeCase(k: CampaignCase, expect: FindingKind[], rs: RunRecord[], canary: boolean): CaseOutcome {
  const buckets = new Map<string, Bucket>();
  for (const r of rs) {
    if (r.status !== 'finding') continue;
    const b = buckets.get(r.signature!);
    if (b) b.count++;
    else buckets.set(r.signature!, { signature: r.signature!, kind: r.kind!, count: 1, first: r, exact: k.mode !== 'free', replay: `${replayCommand(k.policy, caseConfig(k), r.seed)}${k.mode === 'free' ? `   # ${INEXACT}` : ''}` });
  }
  const harness = rs.filter((r) => r.status === 'harness');
  const clean = rs.filter((r) => r.status === 'clean').length;
  const timed = rs.filter((r) => r.status === 'bounded' && r.stop === 'time').length;
  const bounded = rs.filter((r) => r.status === 'bounded').length - timed;
  const found = rs.filter((r) => r.status === 'finding').length;
  const rule = caseRule(k);
  const j = verdictOf({
    expect, seen: [...buckets.values()].map((b) => b.kind), schedules: clean + bounded + timed + found, complete: clean, found, maxSteps: bounded, time: timed,
    minSchedules: rule.minSchedules, minSchedulesSet: rule.minSchedulesSet, catchRate: rule.catchRate, maxStepsBound: k.maxSteps, unit: 'runs', minName: 'minSchedules',
  });
  return {
    case: k, expect, canary, runs: rs.length, clean, bounded, timed,
    buckets: [...buckets.values()].sort((a, b) => b.count - a.count), harness, unexpected: j.unexpected, missed: j.missed,
    verdict: harness.length ? 'harness-failure' : j.verdict,
    reason: harness.length ? `${harness.length} harness failure(s)` : j.reason,
    minSchedules: rule.minSchedules, needed: Number.isFinite(j.needed) ? j.needed : null,
    ...(rule.catchRate !== undefined ? { catchRate: rule.catchRate } : {}),
    ms: rs.reduce((n, r) => n + r.ms, 0),
  };
}

/**
 * A merge missing shards (or with a killed one): per case, why some of its planned
 * runs were never explored. Such a case can be clean or missed only on the whole plan.
 */
export type Unexplored = Map<string, string>;

function unexploredCase(o: CaseOutcome, gap: string): void {
  if (o.verdict === 'missed' || (o.verdict === 'met' && o.expect.length === 0)) {
    o.verdict = 'inconclusive';
    o.reason = gap;
  } else if (o.verdict === 'inconclusive') {
    o.reason = `${o.reason}; ${gap}`;
  }
}

/** A campaign stopped by a signal: per case, its planned runs and those not run; the line that resumes it. */
export interface Interrupted { signal: string; notRun: Map<string, { planned: number; notRun: number }>; resume: string }

export async function summarize(cases: CampaignCase[], records: RunRecord[], meta0: { name: string; seed: string; shard: string | null; seconds: number; planned: number; skippedByBudget: number; notices?: string[]; unexplored?: Unexplored; interrupted?: Interrupted }): Promise<CampaignSummary> {
  const { unexplored, interrupted, ...meta } = meta0;
  const cutShort = new Set<string>();
  const outcomes: CaseOutcome[] = [];
  for (const k of cases) {
    const policy = await loadPolicy(k.policy);
    const rs = records.filter((r) => r.caseId === k.id).sort((a, b) => a.index - b.index);
    const o = judgeCase(k, policy.expect, rs, k.canary ?? policy.expect.length > 0);
    const gap = unexplored?.get(k.id);
    if (gap) unexploredCase(o, gap);
    // Cut short by the interrupt: judged like an unexplored part of the plan (a witness still counts).
    const cut = interrupted?.notRun.get(k.id);
    if (cut && cut.notRun > 0) {
      unexploredCase(o, `interrupted by ${interrupted!.signal}: ${cut.notRun} of ${cut.planned} planned runs not run (--resume runs them)`);
      if (o.verdict === 'inconclusive') cutShort.add(k.id);
    }
    outcomes.push(o);
  }
  // A shard sees only a slice of each case's seeds: whether a canary was caught,
  // and whether a case has enough complete runs, is judged on the merge.
  const whole = meta.shard === null;
  const harness = outcomes.some((o) => o.verdict === 'harness-failure');
  const bad = outcomes.filter((o) => o.verdict === 'unexpected' || (o.verdict === 'missed' && whole));
  const unsure = whole ? outcomes.filter((o) => o.verdict === 'inconclusive') : [];
  // A merge with missing or unfinished shards is never a success (their names are in the notices).
  const exitCode = harness ? 3 : bad.length ? 2 : unsure.length || unexplored ? 4 : 0;
  const lost = whole ? outcomes.filter((o) => o.canary && o.verdict === 'missed') : [];
  const why = [
    ...outcomes.filter((o) => o.verdict === 'harness-failure').map((o) => `${o.case.id}: ${o.harness.length} harness failure(s)`),
    ...outcomes.filter((o) => o.verdict === 'unexpected').map((o) => `${o.case.id}: unexpected ${o.unexpected.join(',')}`),
    ...lost.map((o) => `${o.case.id}: canary not caught, the harness lost its teeth (${o.reason})`),
    ...(whole ? outcomes.filter((o) => o.verdict === 'missed' && !o.canary) : []).map((o) => `${o.case.id}: ${o.reason}`),
    ...unsure.map((o) => `${o.case.id}: inconclusive: ${o.reason}`),
    ...(unexplored && !unsure.length ? meta.notices ?? [] : []),
  ];
  const runs = records.length;
  if (interrupted) {
    // Never a verdict on the whole plan: what is known so far, and exit 130 (as `run` interrupted).
    const known = why.filter((w) => ![...cutShort].some((id) => w.startsWith(`${id}: inconclusive: `)));
    const notRun = [...interrupted.notRun.values()].reduce((n, c) => n + c.notRun, 0);
    const verdict = `realmrace nightly: INTERRUPTED by ${interrupted.signal} (exit 130) - ${meta.planned - notRun} of ${meta.planned} planned runs done; ${cutShort.size}/${outcomes.length} cases cut short (inconclusive)${known.length ? `; ${known.join('; ')}` : ''}`;
    return { tool: 'realmrace', version: VERSION, ...meta, interrupted: true, signal: interrupted.signal, notRun, resume: interrupted.resume, runs, cases: outcomes, exitCode: INTERRUPTED_EXIT, verdict };
  }
  const deferred = whole ? 0 : outcomes.filter((o) => o.verdict === 'missed' || o.verdict === 'inconclusive').length;
  const verdict = exitCode === 0
    ? `realmrace nightly: SUCCESS - ${outcomes.length - deferred}/${outcomes.length} cases met their expectation in ${runs} runs${whole ? '' : ' (shard: expected findings, canaries and the minimum of complete runs are judged when the shards are merged)'}`
    : exitCode === 4
      ? `realmrace nightly: INCONCLUSIVE (exit 4) - ${unsure.length}/${outcomes.length} cases without enough evidence for a verdict: ${why.join('; ')}`
      : `realmrace nightly: FAILURE (exit ${exitCode}) - ${why.join('; ')}`;
  return { tool: 'realmrace', version: VERSION, ...meta, interrupted: false, runs, cases: outcomes, exitCode, verdict };
}

/** One reproducer per distinct signature (controlled cases re-run their first witness with recording). */
export async function writeReproducers(s: CampaignSummary, out: string): Promise<void> {
  const dir = join(out, 'reproducers');
  mkdirSync(dir, { recursive: true });
  for (const o of s.cases) {
    const policy = await loadPolicy(o.case.policy);
    for (const b of o.buckets) {
      // Per case: the same signature at another vCPU count is another schedule to replay.
      // A soft lockup (a step that never returned) is not re-run here, in this thread: its seed line replays it where it can be stopped.
      if (o.case.mode === 'controlled' && !isSoftLockup(b)) {
        b.reproducer = saveReproducer(dir, `${o.case.policy}-${o.case.mode}-${o.case.vcpus}v`, reproducerForSeed(caseConfig(o.case), policy, o.case.policy, b.first.seed));
        b.replay = `npx realmrace replay ${shellQuote(b.reproducer)}`;
      }
    }
  }
}

/** An interrupted campaign's testsuite says so (JUnit properties come before the testcases). */
const interruptedProperties = (s: CampaignSummary): { property: Record<string, string>[] } => ({
  property: [
    { '@_name': 'interrupted', '@_value': s.signal ?? 'true' },
    { '@_name': 'notRun', '@_value': String(s.notRun ?? 0) },
    { '@_name': 'resume', '@_value': s.resume ?? '' },
  ],
});

export function junitXml(s: CampaignSummary): string {
  const cases = s.cases.map((o) => {
    const tc: Record<string, unknown> = {
      '@_classname': `realmrace.${o.case.policy}`,
      '@_name': `${o.case.mode} ${o.case.vcpus} vCPUs (${o.case.linearMap}) [${o.case.id}]`,
      '@_time': (o.ms / 1000).toFixed(3),
    };
    const out = [`expected: ${o.expect.length ? o.expect.join(',') : 'clean'}; runs ${o.runs}, complete ${o.clean}, bounded by max-steps ${o.bounded}, cut by time ${o.timed}; ${o.verdict}: ${o.reason}`];
    for (const b of o.buckets) out.push(`${b.count}x ${b.signature}\n  first witness seed ${b.first.seed} step ${b.first.step}\n  replay: ${b.replay}`);
    if (o.verdict === 'harness-failure') {
      tc.error = { '@_type': 'harness', '@_message': `${o.harness.length} run(s) crashed or hung`, '#text': o.harness.map((h) => `seed ${h.seed}: ${h.harness}: ${h.error}`).join('\n') };
    } else if (o.verdict === 'unexpected') {
      const b = o.buckets.find((x) => o.unexpected.includes(x.kind))!;
      tc.failure = { '@_type': b.kind, '@_message': b.signature, '#text': `first witness seed ${b.first.seed}, step ${b.first.step}: ${b.first.detail}\nreplay: ${b.replay}\n${(b.first.lastEvents ?? []).join('\n')}` };
    } else if (o.verdict === 'missed' && s.shard === null) {
      tc.failure = { '@_type': 'missed', '@_message': `${o.canary ? 'canary not caught (the harness lost its teeth)' : 'expected finding not found'}: ${o.reason}` };
    } else if (o.verdict === 'inconclusive' || o.verdict === 'missed') {
      tc.skipped = { '@_message': `${s.shard === null ? 'inconclusive' : 'judged when the shards are merged'}: ${o.reason}` };
    }
    tc['system-out'] = out.join('\n'); // after the verdict element, as the JUnit schema orders them
    return tc;
  });
  const failures = s.cases.filter((o) => o.verdict === 'unexpected' || (o.verdict === 'missed' && s.shard === null)).length;
  const errors = s.cases.filter((o) => o.verdict === 'harness-failure').length;
  const skipped = s.cases.filter((o) => o.verdict === 'inconclusive' || (o.verdict === 'missed' && s.shard !== null)).length;
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: { '@_name': 'realmrace', '@_tests': s.cases.length, '@_failures': failures, '@_errors': errors, '@_skipped': skipped, '@_time': s.seconds.toFixed(1),
      testsuite: { '@_name': `realmrace nightly ${s.name}${s.shard ? ` shard ${s.shard}` : ''}`, '@_tests': s.cases.length, '@_failures': failures, '@_errors': errors, '@_skipped': skipped, '@_time': s.seconds.toFixed(1), ...(s.interrupted ? { properties: interruptedProperties(s) } : {}), testcase: cases } },
  };
  return new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true }).build(doc);
}

export function summaryMd(s: CampaignSummary): string {
  const lines = [
    // First, for anyone (or any script) that reads only the top: this is not the campaign's verdict.
    ...(s.interrupted ? [`**INTERRUPTED by ${s.signal}**: ${s.notRun} of ${s.planned} planned runs not run; continue with \`${s.resume}\``, ''] : []),
    `# realmrace nightly: ${s.name}${s.shard ? ` (shard ${s.shard})` : ''}`, '', `${s.verdict}`, '',
    `${s.runs} runs of ${s.planned} planned${s.skippedByBudget ? ` (${s.skippedByBudget} left out when the budget ran out)` : ''}, ${s.seconds.toFixed(0)} s, realmrace ${s.version}, campaign seed ${s.seed}`, '',
    ...(s.notices?.length ? [...s.notices, ''] : []),
    '| case | expected | observed | runs | complete | bounded | harness | verdict |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const o of s.cases) {
    const observed = o.buckets.length ? o.buckets.map((b) => `${b.kind} x${b.count}`).join(', ') : 'clean';
    lines.push(`| ${o.case.id}${o.canary ? ' (canary)' : ''} | ${o.expect.length ? o.expect.join(',') : 'clean'} | ${observed} | ${o.runs} | ${o.clean} | ${o.bounded + o.timed} | ${o.harness.length} | ${o.verdict === 'met' ? 'ok' : `**${o.verdict}**: ${o.reason}`} |`);
  }
  lines.push('', '## First witness of each outcome', '');
  for (const o of s.cases) {
    for (const b of o.buckets) lines.push(`- **${o.case.id}** ${b.count}x \`${b.signature}\`: seed \`${b.first.seed}\`, step ${b.first.step}; replay: \`${b.replay}\``);
    for (const h of o.harness.slice(0, 3)) lines.push(`- **${o.case.id}** harness ${h.harness}: seed \`${h.seed}\`: ${h.error}`);
  }
  return lines.join('\n') + '\n';
}

export function writeOutputs(s: CampaignSummary, out: string, configHash: string): void {
  writeFileSync(join(out, 'summary.json'), JSON.stringify(s, null, 2) + '\n');
  writeFileSync(join(out, 'junit.xml'), junitXml(s));
  writeFileSync(join(out, 'summary.md'), summaryMd(s));
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    commit = null;
  }
  writeFileSync(join(out, 'testid.json'), JSON.stringify({ tool: 'realmrace', version: VERSION, gitCommit: commit, configHash, cores: availableParallelism(), node: process.version, campaignSeed: s.seed, shard: s.shard }, null, 2) + '\n');
}
