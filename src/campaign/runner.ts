// Running a campaign: controlled seeds in parallel on the piscina pool (one
// seed per task), then the free-mode entries, under the time budget. Every run
// is appended to results.jsonl as it ends; --resume skips what is there. A task
// that crashes its worker or outlives the task timeout is a harness failure,
// reported and replaced, and the campaign goes on. Interrupted (o.signal), it
// schedules no new run, gives the runs in flight interruptGrace (2s) to end and
// then cancels them (not recorded: --resume does them again).

import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { mkdirSync, existsSync, rmSync } from 'node:fs';
import type { RunConfig } from '../run/config.js';
import type { ScheduleResult } from '../run/controlled.js';
import { FreeRunner } from '../run/free.js';
import { inStepNow, lockupBuffer, watchLockup } from '../run/lockup.js';
import { lockupResult } from '../run/isolated.js';
import type { Death } from '../check/finding.js';
import type { ScheduleTask } from '../run/schedule_task.js';
import { actorName, mergedLastEvents, type Finding, type FindingKind } from '../check/finding.js';
import { eventLine } from '../report/event_text.js';
import { missAfter, type Stop } from '../check/verdict.js';
import { DEFAULT_MIN_SCHEDULES } from '../config/fields.js';
import { catchRateFor, LOCKUP_SECONDS } from '../run/run_policy.js';
import type { EvidenceRule } from '../run/outcome.js';
import { ConfigError } from '../run/errors.js';
import { CampaignCase, caseRunConfig, expandCases, LoadedCampaign, parseDuration, unitSeed, WorkUnit, workUnits } from './config.js';
import { isPolicyPath, loadPolicy } from '../kernel/policies/index.js';
import { parseSeed } from '../run/seeds.js';
import { appendFinished, appendRecord, dropTornLine, readRecords, RESULTS_FILE, RunRecord, unitKey } from './results.js';
import { CampaignMeta, META_FILE, readCampaignMeta, writeCampaignMeta } from './campaign_meta.js';
import { lockCampaignDir, type CampaignLock } from './lock.js';
import { newSchedulePool, type SchedulePools } from './schedule_pools.js';
import { newPool, SCHEDULE_WORKER } from '../run/pool.js';

/** What the progress display shows: time against the budget, and runs done. */
export interface CampaignProgress {
  /** Runs finished, this invocation and before it (--resume). */
  done: number;
  /** Runs in this campaign's (or shard's) plan: reachable or not. */
  planned: number;
  findings: number;
  harness: number;
  elapsedMs: number;
  budgetMs: number;
}

export interface CampaignOptions {
  out: string;
  budgetMs?: number;
  shard?: { index: number; count: number };
  resume?: boolean;
  threads?: number;
  /** Aborted (SIGINT/SIGTERM): stop scheduling; in-flight runs end or are cancelled within the config's interruptGrace. */
  signal?: AbortSignal;
  /** Controlled runs on these threads (lent by the caller, who closes them) instead of a pool started for this campaign. */
  pools?: SchedulePools;
  /** Called after every run. */
  onProgress?: (p: CampaignProgress) => void;
  /**
   * A line to print: the plan check at the start, the budget check after the first runs of every case (two controlled, one free: calibration);
   * notes about the directory (a stale lock taken over, a torn line dropped).
   */
  onNotice?: (line: string) => void;
}

export interface CampaignRun {
  cases: CampaignCase[];
  records: RunRecord[];
  planned: number;
  skippedByBudget: number;
  seconds: number;
  /** The plan and budget checks' lines, when some case cannot get its minimum. */
  notices: string[];
  /** Held on --out until the caller has written its outputs. */
  lock: CampaignLock;
  /** Stopped by a signal before every run of its plan was done: no finished marker, so merge calls the shard unfinished. */
  interrupted: boolean;
  /** Interrupted: per case, its planned runs (of this shard) and how many of them were not run. */
  notRun: Map<string, { planned: number; notRun: number }>;
  /** Interrupted: runs in flight (or queued) that the interrupt cut short or cancelled after the grace time: not recorded, done again on --resume. */
  cancelled: number;
}

/** What a campaign writes at its end (summary.ts). */
export const SUMMARY_FILES = ['summary.json', 'junit.xml', 'summary.md'];

/** After an interrupt, how long runs in flight may take to end before they are cancelled (a config's interruptGrace). */
export const INTERRUPT_GRACE_MS = 2_000;

export const interruptGraceMs = (c: { interruptGrace?: string }): number =>
  c.interruptGrace !== undefined ? parseDuration(c.interruptGrace, 'interruptGrace') : INTERRUPT_GRACE_MS;

export const caseConfig = (k: CampaignCase): RunConfig => caseRunConfig(k);

/** What a case's verdict is measured against (src/check/verdict.ts). */
export const caseRule = (k: CampaignCase): EvidenceRule =>
  ({ minSchedules: k.minSchedules ?? DEFAULT_MIN_SCHEDULES, minSchedulesSet: k.minSchedules !== undefined, catchRate: catchRateFor(k.policy, k.mode, caseConfig(k)), maxSteps: k.maxSteps });

/**
 * Runs a case needs for a verdict when nothing is found: a safe case its
 * minSchedules complete runs; a canary the runs after which a miss is near-certain.
 * Never more than its planned seeds.
 */
export function runsNeeded(k: CampaignCase, expect: FindingKind[]): number {
  const r = caseRule(k);
  return Math.min(k.seeds, expect.length ? missAfter(r.minSchedules, r.catchRate, r.minSchedulesSet === true) : r.minSchedules);
}

const fmtDuration = (ms: number): string => {
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const s = Math.ceil(ms / 1000);
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.ceil(s / 60)}m` : `${(s / 3600).toFixed(1)}h`;
};

/**
 * The budget a campaign needs to give every case its minimum, from the measured
 * time of each case's runs so far: controlled runs share the threads, free runs
 * go one at a time, and controlled seeds get at most 70% of the budget when
 * there are free entries. Returns the line to print, or null when the budget suffices.
 */
export function budgetCheck(
  cases: { k: CampaignCase; needed: number; done: number; msPerRun?: number }[], threads: number, elapsedMs: number, budgetMs: number,
): string | null {
  let controlled = 0;
  let free = 0;
  const unrun = cases.filter((c) => c.msPerRun === undefined).length;
  for (const c of cases) {
    if (c.msPerRun === undefined) continue;
    const ms = Math.max(0, c.needed - c.done) * c.msPerRun;
    if (c.k.mode === 'free') free += ms;
    else controlled += ms / threads;
  }
  const hasFree = cases.some((c) => c.k.mode === 'free');
  const need = Math.max((elapsedMs + controlled) / (hasFree ? 0.7 : 1), elapsedMs + controlled + free);
  if (unrun > 0) return `realmrace nightly: budget ${fmtDuration(budgetMs)} cannot give every case its minimum runs: ${unrun} of ${cases.length} case(s) got no run at all; cases left short are reported inconclusive`;
  if (need <= budgetMs) return null;
  return `realmrace nightly: budget ${fmtDuration(budgetMs)} cannot give every case its minimum runs: about ${fmtDuration(need)} needed (measured from the first runs of each case); cases left short are reported inconclusive`;
}

/** Safe cases whose planned seeds are fewer than their minimum: at best inconclusive, whatever the budget. */
export function planCheck(cases: { k: CampaignCase; expect: FindingKind[] }[]): string | null {
  const min = (k: CampaignCase): number => k.minSchedules ?? DEFAULT_MIN_SCHEDULES;
  const short = cases.filter(({ k, expect }) => expect.length === 0 && k.seeds < min(k));
  if (short.length === 0) return null;
  return `realmrace nightly: ${short.length} case(s) plan fewer runs than a clean verdict needs and can at best be inconclusive: ${short.map(({ k }) => `${k.id} (${k.seeds} seeds, minSchedules ${min(k)})`).join(', ')}`;
}

function lastEventsOf(f: Finding): string[] {
  return mergedLastEvents(f).slice(-16).map((e) => eventLine(e, actorName(f, e.actor), { findingKind: f.kind }, 0));
}

export function recordOf(unit: WorkUnit, r: { steps: number; traceHash: string; finding: Finding | null; stop: Stop }, ms: number): RunRecord {
  const base = { caseId: unit.caseId, index: unit.index, seed: unit.seed, steps: r.steps, traceHash: r.traceHash, ms: Math.round(ms) };
  if (r.finding) {
    const f = r.finding;
    return { ...base, status: 'finding', stop: 'finding', kind: f.kind, signature: f.signature, step: f.step, detail: f.detail, lastEvents: lastEventsOf(f) };
  }
  return { ...base, status: r.stop === 'complete' ? 'clean' : 'bounded', stop: r.stop };
}

/**
 * Where a campaign's files go: lock the directory (one campaign at a time), and
 * check that a resumed campaign is the same campaign, cutting off the torn last
 * line a kill may have left. The caller releases the lock.
 */
function prepareOut(loaded: LoadedCampaign, o: CampaignOptions): { resultsPath: string; lock: CampaignLock } {
  mkdirSync(o.out, { recursive: true });
  const lock = lockCampaignDir(o.out, `realmrace nightly${o.shard ? ` --shard ${o.shard.index}/${o.shard.count}` : ''}`);
  try {
    if (lock.note) o.onNotice?.(`note: ${lock.note}`);
    const resultsPath = join(o.out, RESULTS_FILE);
    const shard = o.shard ? `${o.shard.index}/${o.shard.count}` : null;
    if (o.resume && existsSync(join(o.out, META_FILE))) {
      let prev: CampaignMeta;
      try {
        prev = readCampaignMeta(o.out);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        throw new ConfigError(`--resume: ${e.message}; remove the directory or give another --out`);
      }
      if (prev.hash !== loaded.hash) throw new ConfigError(`--resume: ${o.out} holds a different campaign (config hash ${prev.hash}, now ${loaded.hash})`);
      if (prev.shard !== shard) throw new ConfigError(`--resume: ${o.out} was shard ${prev.shard ?? 'none'}, now ${shard ?? 'none'}`);
      const dropped = dropTornLine(resultsPath);
      if (dropped) o.onNotice?.(`note: ${dropped}`);
    } else if (!o.resume && existsSync(resultsPath)) {
      throw new ConfigError(`${o.out} already holds results: use --resume to continue that campaign, or another --out`);
    }
    writeCampaignMeta(o.out, { config: loaded.config, hash: loaded.hash, path: loaded.path, shard });
    // An earlier invocation's summaries stop describing the directory once runs are appended; they are
    // written anew at the end (so a campaign quit at once by a second signal leaves none that mislead).
    for (const f of SUMMARY_FILES) rmSync(join(o.out, f), { force: true });
    return { resultsPath, lock };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/**
 * Everything that ends one pool task, on the one signal piscina listens to:
 * the task timeout, a lockup of a user policy (`lockup`: a step that never
 * returns), and `cancel` (an interrupt's grace time is over). With `started`
 * the timeout is armed when the worker begins the task (it sets the flag), not
 * at submission: the start-up of a replacement thread, or a wait in the queue,
 * on a loaded machine is not the task's time; a thread that has not begun it
 * 2 × ms after submission counts as hung too. Time up inside a step of a user
 * policy is a soft lockup as well: stuck() says where.
 */
function guardTask(o: {
  ms: number; seed: string; actors: number; lockupSeconds: number;
  lockup?: SharedArrayBuffer; started?: SharedArrayBuffer; cancel?: AbortSignal;
}): { signal: AbortSignal; stuck: () => Death | null; dispose: () => void } {
  const stop = new AbortController();
  let stuck: Death | null = null;
  const timeUp = (): void => { if (o.lockup) stuck = inStepNow(o.lockup, o.actors, o.ms / 1000, o.seed); stop.abort(); };
  const submitted = performance.now();
  const flag = o.started ? new Int32Array(o.started) : null;
  let timer: ReturnType<typeof setTimeout>;
  const poll = (): void => {
    if (Atomics.load(flag!, 0) !== 0) timer = setTimeout(timeUp, o.ms);
    else if (performance.now() - submitted > 2 * o.ms) timeUp();
    else timer = setTimeout(poll, Math.min(50, o.ms));
  };
  timer = flag ? setTimeout(poll, Math.min(50, o.ms)) : setTimeout(timeUp, o.ms);
  const onCancel = (): void => stop.abort();
  o.cancel?.addEventListener('abort', onCancel, { once: true });
  if (o.cancel?.aborted) stop.abort();
  const unwatch = o.lockup ? watchLockup(o.lockup, o.actors, o.lockupSeconds, o.seed, (d) => { stuck = d; stop.abort(); }) : () => {};
  return {
    signal: stop.signal,
    stuck: () => stuck,
    dispose: () => { clearTimeout(timer); o.cancel?.removeEventListener('abort', onCancel); unwatch(); },
  };
}

/** A policy's own error (it threw, or broke the policy contract) as the worker reported it. */
const POLICY_ERROR = /policy contract:|^policy \S+ threw at step/;

/**
 * Policy errors are config errors, said before the campaign starts (issue 9
 * item 9): every entry's policy must load, and each user module runs its first
 * seed once in the pool (under the task timeout) to show it keeps the policy
 * contract. A crash or hang here is left to the campaign, which reports it.
 */
const whereIn = (loaded: LoadedCampaign, k: CampaignCase): string => `campaign config ${loaded.path}: entries.${k.entry}.policy`;

/** The first case of each distinct policy. */
const firstOfEachPolicy = (cases: CampaignCase[]): CampaignCase[] => {
  const first = new Map<string, CampaignCase>();
  for (const k of cases) if (!first.has(k.policy)) first.set(k.policy, k);
  return [...first.values()];
};

async function loadEntryPolicies(loaded: LoadedCampaign, cases: CampaignCase[]): Promise<void> {
  for (const k of firstOfEachPolicy(cases)) {
    try {
      await loadPolicy(k.policy);
    } catch (e) {
      throw e instanceof ConfigError ? new ConfigError(`${whereIn(loaded, k)}: ${e.message}`) : e;
    }
  }
}

async function preflight(loaded: LoadedCampaign, cases: CampaignCase[], taskTimeout: number, interrupt?: AbortSignal): Promise<void> {
  const user = firstOfEachPolicy(cases).filter((k) => isPolicyPath(k.policy));
  if (user.length === 0) return; // built-in policies are trusted
  const pool = newPool<ScheduleTask, ScheduleResult>({ filename: SCHEDULE_WORKER, minThreads: 1, maxThreads: Math.min(user.length, availableParallelism()) });
  pool.on('error', () => { /* a dead worker is the campaign's to report */ });
  try {
    await Promise.all(user.map(async (k) => {
      // A policy stuck in one step is not an error of its module: the campaign reports that hang; stop waiting for it.
      const cfg = caseConfig(k);
      const seed = unitSeed(parseSeed(loaded.config.seed), k.id, 0);
      const actors = cfg.realm.vcpus + 1;
      const lockup = lockupBuffer(actors);
      const guard = guardTask({ ms: taskTimeout, seed, actors, lockupSeconds: Math.min(1, taskTimeout / 2000), lockup, cancel: interrupt });
      try {
        await pool.run({ cfg, policy: k.policy, seed, lockup }, { signal: guard.signal });
      } catch (e) {
        const msg = (e as Error).message ?? String(e);
        if (POLICY_ERROR.test(msg)) throw new ConfigError(`${whereIn(loaded, k)} ${k.policy}: ${msg.split('\n')[0]}`);
      } finally {
        guard.dispose();
      }
    }));
  } finally {
    await pool.destroy();
  }
}


/** Run a campaign in o.out, holding its lock; a campaign that ends (not killed) appends its finished marker. */
export async function runCampaign(loaded: LoadedCampaign, o: CampaignOptions): Promise<CampaignRun> {
  // Policy errors first, before anything is written to --out (the lock, campaign.json).
  const cases = expandCases(loaded.config);
  await loadEntryPolicies(loaded, cases); // an unknown or broken policy names its entry
  await preflight(loaded, cases, parseDuration(loaded.config.taskTimeout, 'taskTimeout'), o.signal);
  const { resultsPath, lock } = prepareOut(loaded, o);
  try {
    const run = await runUnits(loaded, o, resultsPath);
    if (!run.interrupted) appendFinished(resultsPath, { finished: new Date().toISOString(), runs: run.records.length, planned: run.planned, skippedByBudget: run.skippedByBudget });
    return { ...run, lock };
  } catch (e) {
    lock.release();
    throw e;
  }
}

async function runUnits(loaded: LoadedCampaign, o: CampaignOptions, resultsPath: string): Promise<Omit<CampaignRun, 'lock'>> {
  const c = loaded.config;
  const cases = expandCases(c);
  const byId = new Map(cases.map((k) => [k.id, k]));
  const expects = new Map<string, FindingKind[]>();
  for (const k of cases) expects.set(k.id, (await loadPolicy(k.policy)).expect);
  const before = readRecords(resultsPath);
  const done = new Set(before.map((r) => unitKey(r.caseId, r.index)));
  const mine = workUnits(c, cases).filter((u) => !o.shard || u.global % o.shard.count === o.shard.index - 1);
  const todo = mine.filter((u) => !done.has(unitKey(u.caseId, u.index)));
  const budgetMs = o.budgetMs ?? parseDuration(c.budget, 'budget');
  const taskTimeout = parseDuration(c.taskTimeout, 'taskTimeout');
  const threads = o.threads ?? Math.max(1, availableParallelism());
  const t0 = performance.now();
  const controlled = todo.filter((u) => byId.get(u.caseId)!.mode === 'controlled');
  const free = todo.filter((u) => byId.get(u.caseId)!.mode === 'free');
  // Free entries get up to 30% of the budget; controlled seeds the rest.
  const controlledDeadline = t0 + budgetMs * (free.length ? 0.7 : 1);
  const deadline = t0 + budgetMs;
  let finished = mine.length - todo.length;
  let findings = before.filter((r) => r.status === 'finding').length;
  let harness = before.filter((r) => r.status === 'harness').length;
  let skipped = 0;
  // Interrupted: no new run starts; after the grace time the runs in flight are cancelled.
  const stopped = (): boolean => o.signal?.aborted === true;
  const cancel = new AbortController();
  let graceTimer: NodeJS.Timeout | undefined;
  const startGrace = (): void => { graceTimer = setTimeout(() => cancel.abort(), interruptGraceMs(c)); };
  if (stopped()) cancel.abort();
  else o.signal?.addEventListener('abort', startGrace, { once: true });
  const cancelled = new Promise<'cancelled'>((res) => cancel.signal.addEventListener('abort', () => res('cancelled'), { once: true }));
  let cancelledRuns = 0;

  // Per case: runs done and their time, for the budget check.
  const shardShare = o.shard?.count ?? 1;
  const inPlan = new Set(mine.map((u) => u.caseId));
  // A case's first run in a fresh thread is cold (module load, JIT): the estimate uses the later ones.
  const seen = new Map<string, { done: number; ms: number; first: number }>();
  const count = (r: RunRecord): void => {
    const t = seen.get(r.caseId);
    seen.set(r.caseId, t ? { done: t.done + 1, ms: t.ms + r.ms, first: t.first } : { done: 1, ms: r.ms, first: r.ms });
  };
  const msPerRun = (t: { done: number; ms: number; first: number }): number => (t.done > 1 ? (t.ms - t.first) / (t.done - 1) : t.ms);
  const unitsOf = new Map<string, number>();
  for (const u of mine) unitsOf.set(u.caseId, (unitsOf.get(u.caseId) ?? 0) + 1);
  for (const r of before) count(r);
  const notices: string[] = [];
  const notice = (line: string | null): void => { if (line) { notices.push(line); o.onNotice?.(line); } };
  notice(planCheck(cases.filter((k) => inPlan.has(k.id) && !o.shard).map((k) => ({ k, expect: expects.get(k.id)! }))));
  let checked = false;
  const checkBudget = (force: boolean): void => {
    if (checked) return;
    const planned = cases.filter((k) => inPlan.has(k.id));
    if (!force && planned.some((k) => (seen.get(k.id)?.done ?? 0) < Math.min(k.mode === 'free' ? 1 : 2, unitsOf.get(k.id)!))) return;
    checked = true;
    const rows = planned.map((k) => {
      const t = seen.get(k.id);
      return { k, needed: Math.ceil(runsNeeded(k, expects.get(k.id)!) / shardShare), done: t?.done ?? 0, msPerRun: t ? msPerRun(t) : undefined };
    });
    notice(budgetCheck(rows, threads, performance.now() - t0, budgetMs));
  };
  const progress = (): void => o.onProgress?.({ done: finished, planned: mine.length, findings, harness, elapsedMs: performance.now() - t0, budgetMs });
  const record = (r: RunRecord): void => {
    appendRecord(resultsPath, r);
    finished++;
    if (r.status === 'finding') findings++;
    if (r.status === 'harness') harness++;
    count(r);
    progress();
    if (!stopped()) checkBudget(false);
  };
  progress();

  // Free-mode runs of one case: real threads, one run at a time.
  // A user policy stuck in one step is a hang finding (soft lockup), seen before the task timeout's harness failure.
  const lockupSeconds = Math.min(LOCKUP_SECONDS, taskTimeout / 2000);
  const runFree = async (k: CampaignCase, units: WorkUnit[]): Promise<void> => {
    const runner = new FreeRunner(caseConfig(k), k.policy, isPolicyPath(k.policy) ? lockupSeconds : undefined);
    try {
      for (const u of units) {
        if (stopped()) break;
        if (performance.now() >= deadline) { skipped++; continue; }
        const started = performance.now();
        try {
          // The interrupt stops the run at its programs' next operation boundary (as the timer does);
          // a run that does not end within the grace time is left behind (close() ends its threads).
          const running = runner.runOne(u.seed, { seconds: Math.max(1, taskTimeout / 1000), signal: o.signal });
          running.catch(() => { /* left behind by the cancel: close() ends it */ });
          const r = await Promise.race([running, cancelled]);
          // Cut by the interrupt, not by its own bounds: not a run of the campaign.
          if (r === 'cancelled' || (stopped() && r.stop === 'time')) { cancelledRuns++; break; }
          record(recordOf(u, r, performance.now() - started));
        } catch (e) {
          if (cancel.signal.aborted) { cancelledRuns++; break; }
          record({ caseId: u.caseId, index: u.index, seed: u.seed, status: 'harness', harness: 'crash', error: `free run failed: ${(e as Error).message.split('\n')[0]}`, steps: 0, traceHash: '', ms: Math.round(performance.now() - started) });
        }
      }
    } finally {
      await runner.close();
    }
  };
  const freeCases = [...new Set(free.map((u) => u.caseId))].map((id) => byId.get(id)!);
  // Calibration: the first run of each free case that has none yet goes first, so
  // the budget check knows what a free run costs before the controlled seeds start.
  const calibrated = new Set<WorkUnit>();
  for (const k of freeCases) {
    if (stopped()) break;
    if (seen.has(k.id)) continue;
    const u = free.find((x) => x.caseId === k.id)!;
    calibrated.add(u);
    await runFree(k, [u]);
  }

  // Controlled seeds: one task each, as many in flight as there are threads.
  const pool = o.pools?.get(threads) ?? newSchedulePool(threads);
  try {
    let next = 0;
    let failed = false;
    const runOne = async (): Promise<void> => {
      while (next < controlled.length) {
        if (stopped() || failed) return;
        if (performance.now() >= controlledDeadline) { skipped += controlled.length - next; next = controlled.length; return; }
        const u = controlled[next++];
        const k = byId.get(u.caseId)!;
        const t = performance.now();
        const cfg = caseConfig(k);
        const actors = cfg.realm.vcpus + 1;
        const lockup = isPolicyPath(k.policy) ? lockupBuffer(actors) : undefined;
        // A run that ends within the grace time after an interrupt is recorded; one that does not is cancelled.
        const started = new SharedArrayBuffer(4);
        const guard = guardTask({ ms: taskTimeout, seed: u.seed, actors, lockupSeconds, lockup, started, cancel: cancel.signal });
        try {
          const r = await pool.run({ cfg, policy: k.policy, seed: u.seed, lockup, started }, { signal: guard.signal });
          record(recordOf(u, r, r.wallMs ?? performance.now() - t));
        } catch (e) {
          if (cancel.signal.aborted) { cancelledRuns++; return; } // cut by the interrupt: --resume runs it again
          const err = e as Error;
          const stuck = guard.stuck();
          if (stuck) {
            const ms = performance.now() - t;
            record(recordOf(u, lockupResult(cfg, u.seed, stuck, actors, ms), ms));
            continue;
          }
          const hang = err.name === 'AbortError' || err.name === 'TimeoutError' || /abort/i.test(err.message);
          record({
            caseId: u.caseId, index: u.index, seed: u.seed, status: 'harness', harness: hang ? 'hang' : 'crash',
            error: hang ? `no result after ${c.taskTimeout}: the worker was stopped and replaced` : `worker failed: ${err.message.split('\n')[0]}`,
            steps: 0, traceHash: '', ms: Math.round(performance.now() - t),
          });
        } finally {
          guard.dispose();
        }
      }
    };
    const loops = Array.from({ length: threads * 2 }, runOne);
    if (!o.pools) await Promise.all(loops);
    else {
      // A lent pool is not destroyed, which would stop the tasks in flight: after an error, the
      // other loops start nothing more, and their tasks end, before the error goes on.
      const settled = await Promise.allSettled(loops.map((l) => l.catch((e: unknown) => { failed = true; throw e; })));
      for (const x of settled) if (x.status === 'rejected') throw x.reason;
    }
  } finally {
    // Every task has settled here (a cancelled one is stopped at once): a lent pool is idle.
    if (!o.pools) await pool.destroy();
  }
  if (!stopped()) checkBudget(true);

  for (const k of freeCases) {
    if (stopped()) break; // runFree would start the threads only to run nothing
    const rest = free.filter((x) => x.caseId === k.id && !calibrated.has(x));
    if (rest.length) await runFree(k, rest); // none left (one planned run, the calibration): start no threads
  }
  clearTimeout(graceTimer);
  o.signal?.removeEventListener('abort', startGrace);
  const records = readRecords(resultsPath);
  // Interrupted: which planned runs are not in results.jsonl (cut short, or never started).
  const have = new Set(records.map((r) => unitKey(r.caseId, r.index)));
  const notRun = new Map<string, { planned: number; notRun: number }>();
  for (const u of mine) {
    const n = notRun.get(u.caseId) ?? { planned: 0, notRun: 0 };
    n.planned++;
    if (!have.has(unitKey(u.caseId, u.index))) n.notRun++;
    notRun.set(u.caseId, n);
  }
  const interrupted = stopped() && [...notRun.values()].some((n) => n.notRun > 0);
  return {
    cases, records, planned: mine.length, skippedByBudget: interrupted ? 0 : skipped, seconds: (performance.now() - t0) / 1000, notices,
    interrupted, notRun: interrupted ? notRun : new Map(), cancelled: cancelledRuns,
  };
}
