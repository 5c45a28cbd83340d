// `realmrace nightly --config stress/nightly.json --budget 30m --out results/`
// and `realmrace merge results-*/ --out merged/`: campaigns for CI.
// Exit 0: every expectation met; 2: an unexpected finding or an uncaught
// canary; 3: a harness failure (worker crash or hang); 4: inconclusive (a case
// without enough complete runs for a verdict); 1: usage/config error; 130:
// interrupted (SIGINT/SIGTERM: what finished is kept and summarized, marked
// interrupted, with the line that resumes the campaign).

import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { loadCampaign, parseDuration, expandCases, workUnits, CampaignConfig } from '../campaign/config.js';
import { interruptGraceMs, runCampaign, SUMMARY_FILES, type CampaignProgress } from '../campaign/runner.js';
import { summarize, writeOutputs, writeReproducers } from '../campaign/summary.js';
import { appendFinished, readResults, RESULTS_FILE, RunRecord } from '../campaign/results.js';
import { lockCampaignDir, lockHolder } from '../campaign/lock.js';
import type { SchedulePools } from '../campaign/schedule_pools.js';
import { shardCoverage, type ShardDir } from '../campaign/shards.js';
import { META_FILE, readCampaignMeta, writeCampaignMeta } from '../campaign/campaign_meta.js';
import { ConfigError } from '../run/errors.js';
import { parseSeed } from '../run/seeds.js';
import { shellQuote } from '../config/to_flags.js';
import { checkOutputDir } from './output_paths.js';
import { onInterrupt } from './interrupt.js';
import { fitText, outputWidth } from '../report/layout.js';

export interface NightlyFlags {
  config: string;
  budget?: string;
  out: string;
  shard?: string;
  resume?: boolean;
  threads?: number;
  /** No line wrapped (default: fit the terminal, else 100 columns). */
  wide?: boolean;
  /** The summary (as summary.json) alone on stdout; the human lines go to stderr. */
  json?: boolean;
}

function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m || +m[1] < 1 || +m[1] > +m[2]) throw new ConfigError(`--shard wants i/N with 1 <= i <= N, got "${s}"`);
  return { index: +m[1], count: +m[2] };
}

const fmtClock = (ms: number): string => {
  const t = Math.floor(ms / 1000);
  return t < 60 ? `${t}s` : t < 3600 ? `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s` : `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
};

/**
 * Progress against the time budget (elapsed / budget) and the runs done: a bar
 * on a terminal; otherwise a line every 10% of the budget or every 30 s. Lines fit `width`.
 */
function progress(width: number, tty: NodeJS.WriteStream): { update: (p: CampaignProgress) => void; line: (s: string) => void; stop: () => void } {
  let last: CampaignProgress | null = null;
  let at = 0;
  const now = (): CampaignProgress | null => (last ? { ...last, elapsedMs: last.elapsedMs + performance.now() - at } : null);
  const text = (p: CampaignProgress): string => `${fmtClock(p.elapsedMs)} / ${fmtClock(p.budgetMs)} budget, ${p.done} runs, ${p.findings} findings, ${p.harness} harness failures`;
  let draw: (p: CampaignProgress) => void;
  let stop = (): void => {};
  if (tty.isTTY) {
    // The words take about 70 columns; the bar gets the rest, 10 to 40.
    const barsize = Math.max(10, Math.min(40, (Number.isFinite(width) ? width : 110) - 70));
    const bar = new cliProgress.SingleBar({ stream: tty, format: 'nightly [{bar}] {clock} / {budget} | {runs} runs | {findings} findings | {harness} harness failures', hideCursor: false, barsize }, cliProgress.Presets.shades_classic);
    let started = false;
    draw = (p) => {
      const v = Math.min(p.budgetMs, p.elapsedMs);
      const payload = { clock: fmtClock(p.elapsedMs), budget: fmtClock(p.budgetMs), runs: p.done, findings: p.findings, harness: p.harness };
      if (!started) { bar.start(p.budgetMs, v, payload); started = true; } else bar.update(v, payload);
    };
    stop = () => { if (started) bar.stop(); };
  } else {
    let lastTenth = -1;
    let lastLine = 0;
    draw = (p) => {
      const tenth = Math.floor((10 * p.elapsedMs) / Math.max(1, p.budgetMs));
      const t = performance.now();
      if (tenth === lastTenth && t - lastLine < 30_000) return;
      lastTenth = tenth;
      lastLine = t;
      tty.write(`nightly: ${text(p)}\n`);
    };
  }
  // The clock moves between runs too (long free runs, slow seeds).
  const tick = setInterval(() => { const p = now(); if (p) draw(p); }, 1000);
  tick.unref();
  return {
    update: (p) => { last = p; at = performance.now(); draw(p); },
    line: (s) => tty.write(`${tty.isTTY ? '\r\x1b[K' : ''}${fitText(s, width)}\n`),
    stop: () => { clearInterval(tick); stop(); },
  };
}

/** The paste-ready line that continues this campaign where it stopped: the same flags, and --resume. */
export function resumeCommand(f: NightlyFlags): string {
  const args = ['--config', f.config, '--out', f.out, ...(f.budget ? ['--budget', f.budget] : []), ...(f.shard ? ['--shard', f.shard] : []), ...(f.threads !== undefined ? ['--threads', String(f.threads)] : []), '--resume'];
  return ['npx realmrace nightly', ...args.map(shellQuote)].join(' ');
}

/** pools: schedule threads lent by an in-process caller (main's host), for the controlled runs. */
export async function nightlyCommand(f: NightlyFlags, pools?: SchedulePools): Promise<number> {
  const loaded = loadCampaign(f.config);
  const shard = f.shard ? parseShard(f.shard) : undefined;
  const budgetMs = f.budget ? parseDuration(f.budget, '--budget') : undefined;
  const cases = expandCases(loaded.config);
  // Checked now, created only once every policy has loaded (runCampaign): a config error leaves no empty --out behind.
  checkOutputDir('--out', f.out, false);
  const width = outputWidth(f.wide);
  // --json: the summary document alone on stdout; every human line goes to stderr.
  const human = f.json ? process.stderr : process.stdout;
  const say = (s: string): void => void human.write(fitText(s, width) + '\n');
  say(`realmrace nightly: ${loaded.config.name}, ${cases.length} cases, budget ${f.budget ?? loaded.config.budget}${shard ? `, shard ${shard.index}/${shard.count}` : ''}${f.resume ? ', resuming' : ''} -> ${f.out}`);
  const p = progress(width, human);
  const resume = resumeCommand(f);
  const grace = `${interruptGraceMs(loaded.config) / 1000} s`;
  // Runs in results.jsonl (this invocation and before it), and whether the summaries are written: what a second signal leaves.
  let done = 0;
  let wrote = false;
  const interrupt = onInterrupt({
    stopping: `stopping: no new runs; runs in flight get ${grace} to end, then the summaries are written`,
    onSecond: (name) => {
      p.stop();
      return [
        `realmrace: ${name} again: quitting at once: ${join(f.out, RESULTS_FILE)} keeps the ${done} runs that finished (every line whole)${wrote ? '' : '; no summary written'}; the lock on ${f.out} is released`,
        `realmrace: continue with: ${resume}`,
      ];
    },
  });
  try {
    let run;
    try {
      run = await runCampaign(loaded, { out: f.out, budgetMs, shard, resume: f.resume, threads: f.threads, pools, signal: interrupt.signal, onProgress: (q) => { done = q.done; p.update(q); }, onNotice: p.line });
    } finally {
      p.stop();
    }
    const interrupted = run.interrupted ? { signal: interrupt.reason(), notRun: run.notRun, resume } : undefined;
    const s = await summarize(run.cases, run.records, { name: loaded.config.name, seed: parseSeed(loaded.config.seed), shard: shard ? `${shard.index}/${shard.count}` : null, seconds: run.seconds, planned: run.planned, skippedByBudget: run.skippedByBudget, notices: run.notices, interrupted });
    await writeReproducers(s, f.out);
    writeOutputs(s, f.out, loaded.hash);
    wrote = true;
    // Cut-short cases are all alike (the verdict line counts them); the others are listed.
    for (const o of s.cases) if (o.verdict !== 'met' && !(interrupted && o.verdict === 'inconclusive' && run.notRun.get(o.case.id)?.notRun)) say(`  ${o.case.id}: ${o.verdict}: ${o.reason}${o.harness.length ? ` (${o.harness[0].harness}: ${o.harness[0].error})` : ''}`);
    say(`wrote ${[...SUMMARY_FILES, 'testid.json', 'reproducers/'].map((x) => join(f.out, x)).join(', ')}${interrupted ? ' (marked interrupted)' : ''}`);
    if (interrupted) {
      if (run.cancelled) say(`  ${run.cancelled} run(s) in flight or queued were cut short (cancelled after ${grace}, or stopped by the signal): not recorded; --resume runs them again`);
      say(`continue with: ${resume}`); // paste-ready: never wrapped
    }
    say(s.verdict);
    if (f.json) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
    run.lock.release(); // (on an error, at process exit)
    return s.exitCode;
  } finally {
    interrupt.dispose();
  }
}

/** A results directory whose summary says a signal stopped it (summaries are removed when a campaign starts there). */
function interruptedAt(dir: string): { interrupted?: { signal: string; resume?: string } } {
  try {
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    return s?.interrupted === true ? { interrupted: { signal: String(s.signal ?? 'a signal'), ...(typeof s.resume === 'string' ? { resume: s.resume } : {}) } } : {};
  } catch {
    return {}; // none (killed, or still running) or unreadable: the finished marker decides
  }
}

/**
 * Combine the results of shards (or of any runs of one campaign) into one
 * summary. Every shard i/N must be present and finished: the cases with runs
 * in a missing, killed or still running shard are inconclusive (exit 4).
 */
export async function mergeCommand(dirs: string[], f: { out: string; wide?: boolean; json?: boolean }): Promise<number> {
  if (dirs.length === 0) throw new ConfigError('merge needs at least one results directory');
  // Writing the merge into one of its inputs would replace that shard's own results and campaign.json.
  const into = dirs.find((d) => resolve(d) === resolve(f.out));
  if (into !== undefined) throw new ConfigError(`--out ${f.out} is one of the directories being merged: its results would be overwritten; give another --out`);
  const width = outputWidth(f.wide);
  const say = (s: string): void => void (f.json ? process.stderr : process.stdout).write(fitText(s, width) + '\n');
  checkOutputDir('--out', f.out, false); // created once every input has been read
  let config: CampaignConfig | null = null;
  let hash = '';
  const all = new Map<string, RunRecord>();
  const inputs: ShardDir[] = [];
  let skippedByBudget = 0;
  for (const d of dirs) {
    if (!existsSync(join(d, META_FILE))) throw new ConfigError(`${d} is not a campaign results directory (no ${META_FILE})`);
    const m = readCampaignMeta(d);
    if (config && m.hash !== hash) throw new ConfigError(`${d} holds a different campaign (config hash ${m.hash}, not ${hash})`);
    config = m.config;
    hash = m.hash;
    const res = readResults(join(d, RESULTS_FILE));
    for (const r of res.records) all.set(`${r.caseId}#${r.index}`, r);
    inputs.push({ dir: d, shard: m.shard ?? null, finished: res.finished, holder: lockHolder(d), runs: res.records.length, ...interruptedAt(d) });
    skippedByBudget += res.finished?.skippedByBudget ?? 0;
  }
  const coverage = shardCoverage(config!, inputs);
  mkdirSync(f.out, { recursive: true });
  const lock = lockCampaignDir(f.out, 'realmrace merge');
  try {
    const records = [...all.values()];
    const resultsPath = join(f.out, RESULTS_FILE);
    writeFileSync(resultsPath, records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
    // Whole: a later merge may take this directory as a finished unsharded campaign.
    if (coverage.problems.length === 0) appendFinished(resultsPath, { finished: new Date().toISOString(), runs: records.length, planned: workUnits(config!, expandCases(config!)).length, skippedByBudget });
    writeCampaignMeta(f.out, { config: config!, hash, merged: dirs, shard: null, ...(coverage.problems.length ? { incomplete: coverage.problems } : {}) });
    const cases = expandCases(config!);
    const planned = cases.reduce((n, k) => n + k.seeds, 0);
    const unexplored = new Map<string, number>();
    for (const key of coverage.uncovered) if (!all.has(key)) { const id = key.slice(0, key.lastIndexOf('#')); unexplored.set(id, (unexplored.get(id) ?? 0) + 1); }
    const gaps = new Map([...unexplored].map(([id, n]) => [id, `${n} of ${cases.find((k) => k.id === id)!.seeds} planned runs unexplored: ${coverage.problems.join('; ')}`]));
    const s = await summarize(cases, records, { name: config!.name, seed: parseSeed(config!.seed), shard: null, seconds: 0, planned, skippedByBudget, ...(coverage.problems.length ? { notices: coverage.problems, unexplored: gaps } : {}) });
    await writeReproducers(s, f.out);
    writeOutputs(s, f.out, hash);
    say(`merged ${dirs.length} result directories: ${records.length} runs -> ${f.out}`);
    for (const p of coverage.problems) say(`  ${p}`);
    say(s.verdict);
    if (f.json) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
    return s.exitCode;
  } finally {
    lock.release();
  }
}
