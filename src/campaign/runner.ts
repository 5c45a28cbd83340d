// Running a campaign: controlled seeds in parallel on the piscina pool (one
// seed per task), then the free-mode entries, under the time budget. Every run
// is appended to results.jsonl as it ends; --resume skips what is there. A task
// that crashes its worker or outlives the task timeout is a harness failure,
// reported and replaced, and the campaign goes on.

import { Piscina } from 'piscina';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import type { RunConfig } from '../run/config.js';
import type { ScheduleResult } from '../run/controlled.js';
import { FreeRunner } from '../run/free.js';
import type { ScheduleTask } from '../../workers/schedule.js';
import { actorName, mergedLastEvents, type Finding } from '../check/finding.js';
import { ConfigError } from '../run/errors.js';
import { CampaignCase, caseRunConfig, expandCases, LoadedCampaign, parseDuration, WorkUnit, workUnits } from './config.js';
import { appendRecord, readRecords, RESULTS_FILE, RunRecord, unitKey } from './results.js';

// The CommonJS entry: see workers/schedule.cts for why not schedule.js.
const WORKER = new URL('../../workers/schedule.cjs', import.meta.url).href;

export interface CampaignOptions {
  out: string;
  budgetMs?: number;
  shard?: { index: number; count: number };
  resume?: boolean;
  threads?: number;
  /** Called after every run with the counts so far. */
  onProgress?: (done: number, total: number, findings: number, harness: number) => void;
}

export interface CampaignRun {
  cases: CampaignCase[];
  records: RunRecord[];
  planned: number;
  skippedByBudget: number;
  seconds: number;
}

export const caseConfig = (k: CampaignCase): RunConfig => caseRunConfig(k);

function lastEventsOf(f: Finding): string[] {
  return mergedLastEvents(f).slice(-16).map((e) => `${e.step} ${actorName(f, e.actor)} ${e.text}`);
}

export function recordOf(unit: WorkUnit, r: { steps: number; traceHash: string; finding: Finding | null; completed: boolean }, ms: number): RunRecord {
  const base = { caseId: unit.caseId, index: unit.index, seed: unit.seed, steps: r.steps, traceHash: r.traceHash, ms: Math.round(ms) };
  if (r.finding) {
    const f = r.finding;
    return { ...base, status: 'finding', kind: f.kind, signature: f.signature, step: f.step, detail: f.detail, lastEvents: lastEventsOf(f) };
  }
  return { ...base, status: r.completed ? 'clean' : 'bounded' };
}

/** Where a campaign's files go; a resumed campaign must be the same campaign. */
function prepareOut(loaded: LoadedCampaign, o: CampaignOptions): string {
  mkdirSync(o.out, { recursive: true });
  const meta = join(o.out, 'campaign.json');
  const shard = o.shard ? `${o.shard.index}/${o.shard.count}` : null;
  if (o.resume && existsSync(meta)) {
    const prev = JSON.parse(readFileSync(meta, 'utf8'));
    if (prev.hash !== loaded.hash) throw new ConfigError(`--resume: ${o.out} holds a different campaign (config hash ${prev.hash}, now ${loaded.hash})`);
    if (prev.shard !== shard) throw new ConfigError(`--resume: ${o.out} was shard ${prev.shard ?? 'none'}, now ${shard ?? 'none'}`);
  } else if (!o.resume && existsSync(join(o.out, RESULTS_FILE))) {
    throw new ConfigError(`${o.out} already holds results: use --resume to continue that campaign, or another --out`);
  }
  writeFileSync(meta, JSON.stringify({ config: loaded.config, hash: loaded.hash, path: loaded.path, shard }, null, 2) + '\n');
  return join(o.out, RESULTS_FILE);
}

export async function runCampaign(loaded: LoadedCampaign, o: CampaignOptions): Promise<CampaignRun> {
  const c = loaded.config;
  const cases = expandCases(c);
  const byId = new Map(cases.map((k) => [k.id, k]));
  const resultsPath = prepareOut(loaded, o);
  const done = new Set(readRecords(resultsPath).map((r) => unitKey(r.caseId, r.index)));
  const mine = workUnits(c, cases).filter((u) => !o.shard || u.global % o.shard.count === o.shard.index - 1);
  const todo = mine.filter((u) => !done.has(unitKey(u.caseId, u.index)));
  const budgetMs = o.budgetMs ?? parseDuration(c.budget, 'budget');
  const taskTimeout = parseDuration(c.taskTimeout, 'taskTimeout');
  const t0 = performance.now();
  const controlled = todo.filter((u) => byId.get(u.caseId)!.mode === 'controlled');
  const free = todo.filter((u) => byId.get(u.caseId)!.mode === 'free');
  // Free entries get up to 30% of the budget; controlled seeds the rest.
  const controlledDeadline = t0 + budgetMs * (free.length ? 0.7 : 1);
  const deadline = t0 + budgetMs;
  let finished = mine.length - todo.length;
  let findings = 0;
  let harness = 0;
  let skipped = 0;
  const record = (r: RunRecord): void => {
    appendRecord(resultsPath, r);
    finished++;
    if (r.status === 'finding') findings++;
    if (r.status === 'harness') harness++;
    o.onProgress?.(finished, mine.length, findings, harness);
  };
  o.onProgress?.(finished, mine.length, findings, harness);

  // Controlled seeds: one task each, as many in flight as there are threads.
  const threads = o.threads ?? Math.max(1, availableParallelism());
  const pool = new Piscina<ScheduleTask, ScheduleResult>({ filename: WORKER, minThreads: threads, maxThreads: threads, idleTimeout: 5_000 });
  pool.on('error', () => { /* a dead worker is reported through its task */ });
  try {
    let next = 0;
    const runOne = async (): Promise<void> => {
      while (next < controlled.length) {
        if (performance.now() >= controlledDeadline) { skipped += controlled.length - next; next = controlled.length; return; }
        const u = controlled[next++];
        const k = byId.get(u.caseId)!;
        const started = performance.now();
        try {
          const r = await pool.run({ cfg: caseConfig(k), policy: k.policy, seed: u.seed }, { signal: AbortSignal.timeout(taskTimeout) });
          record(recordOf(u, r, performance.now() - started));
        } catch (e) {
          const err = e as Error;
          const hang = err.name === 'AbortError' || err.name === 'TimeoutError' || /abort/i.test(err.message);
          record({
            caseId: u.caseId, index: u.index, seed: u.seed, status: 'harness', harness: hang ? 'hang' : 'crash',
            error: hang ? `no result after ${c.taskTimeout}: the worker was stopped and replaced` : `worker failed: ${err.message.split('\n')[0]}`,
            steps: 0, traceHash: '', ms: Math.round(performance.now() - started),
          });
        }
      }
    };
    await Promise.all(Array.from({ length: threads * 2 }, runOne));
  } finally {
    await pool.destroy();
  }

  // Free-mode entries: real threads, one case at a time.
  for (const caseId of [...new Set(free.map((u) => u.caseId))]) {
    const k = byId.get(caseId)!;
    const runner = new FreeRunner(caseConfig(k), k.policy);
    try {
      for (const u of free.filter((x) => x.caseId === caseId)) {
        if (performance.now() >= deadline) { skipped++; continue; }
        const started = performance.now();
        try {
          const r = await runner.runOne(u.seed, { seconds: Math.max(1, taskTimeout / 1000) });
          record(recordOf(u, r, performance.now() - started));
        } catch (e) {
          record({ caseId: u.caseId, index: u.index, seed: u.seed, status: 'harness', harness: 'crash', error: `free run failed: ${(e as Error).message.split('\n')[0]}`, steps: 0, traceHash: '', ms: Math.round(performance.now() - started) });
        }
      }
    } finally {
      await runner.close();
    }
  }
  return { cases, records: readRecords(resultsPath), planned: mine.length, skippedByBudget: skipped, seconds: (performance.now() - t0) / 1000 };
}
