// `realmrace nightly --config stress/nightly.json --budget 30m --out results/`
// and `realmrace merge results-*/ --out merged/`: campaigns for CI.
// Exit 0: every expectation met; 2: an unexpected finding or an uncaught
// canary; 3: a harness failure (worker crash or hang); 1: usage/config error.

import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { loadCampaign, parseDuration, expandCases, CampaignConfig } from '../campaign/config.js';
import { runCampaign } from '../campaign/runner.js';
import { summarize, writeOutputs, writeReproducers } from '../campaign/summary.js';
import { readRecords, RESULTS_FILE, RunRecord } from '../campaign/results.js';
import { ConfigError } from '../run/errors.js';
import { parseSeed } from '../run/seeds.js';

export interface NightlyFlags {
  config: string;
  budget?: string;
  out: string;
  shard?: string;
  resume?: boolean;
  threads?: number;
}

function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m || +m[1] < 1 || +m[1] > +m[2]) throw new ConfigError(`--shard wants i/N with 1 <= i <= N, got "${s}"`);
  return { index: +m[1], count: +m[2] };
}

/** A bar on a terminal; otherwise a line every 10% of the runs or every 30 s, whichever comes first. */
function progress(): { update: (done: number, total: number, findings: number, harness: number) => void; stop: () => void } {
  if (process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar({ format: 'nightly [{bar}] {value}/{total} runs | {findings} findings | {harness} harness failures | {duration_formatted}' }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update: (d, t, f, h) => { if (!started) { bar.start(t, d, { findings: f, harness: h }); started = true; } else bar.update(d, { findings: f, harness: h }); },
      stop: () => { if (started) bar.stop(); },
    };
  }
  let lastTenth = -1;
  const t0 = performance.now();
  let lastLine = t0;
  return {
    update: (d, t, f, h) => {
      const tenth = Math.floor((10 * d) / Math.max(1, t));
      const now = performance.now();
      if (tenth === lastTenth && now - lastLine < 30_000) return;
      lastTenth = tenth;
      lastLine = now;
      process.stdout.write(`nightly: ${d}/${t} runs, ${f} findings, ${h} harness failures, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    },
    stop: () => {},
  };
}

export async function nightlyCommand(f: NightlyFlags): Promise<number> {
  const loaded = loadCampaign(f.config);
  const shard = f.shard ? parseShard(f.shard) : undefined;
  const budgetMs = f.budget ? parseDuration(f.budget, '--budget') : undefined;
  const cases = expandCases(loaded.config);
  process.stdout.write(`realmrace nightly: ${loaded.config.name}, ${cases.length} cases, budget ${f.budget ?? loaded.config.budget}${shard ? `, shard ${shard.index}/${shard.count}` : ''}${f.resume ? ', resuming' : ''} -> ${f.out}\n`);
  const p = progress();
  const run = await runCampaign(loaded, { out: f.out, budgetMs, shard, resume: f.resume, threads: f.threads, onProgress: p.update });
  p.stop();
  const s = await summarize(run.cases, run.records, { name: loaded.config.name, seed: parseSeed(loaded.config.seed), shard: shard ? `${shard.index}/${shard.count}` : null, seconds: run.seconds, planned: run.planned, skippedByBudget: run.skippedByBudget });
  await writeReproducers(s, f.out);
  writeOutputs(s, f.out, loaded.hash);
  for (const o of s.cases) if (o.verdict !== 'met') process.stdout.write(`  ${o.case.id}: ${o.verdict}${o.harness.length ? ` (${o.harness[0].harness}: ${o.harness[0].error})` : ''}\n`);
  process.stdout.write(`wrote ${['summary.json', 'junit.xml', 'summary.md', 'testid.json', 'reproducers/'].map((x) => join(f.out, x)).join(', ')}\n`);
  process.stdout.write(s.verdict + '\n');
  return s.exitCode;
}

/** Combine the results of shards (or of any runs of one campaign) into one summary. */
export async function mergeCommand(dirs: string[], f: { out: string }): Promise<number> {
  if (dirs.length === 0) throw new ConfigError('merge needs at least one results directory');
  let config: CampaignConfig | null = null;
  let hash = '';
  const all = new Map<string, RunRecord>();
  for (const d of dirs) {
    const meta = join(d, 'campaign.json');
    if (!existsSync(meta)) throw new ConfigError(`${d} is not a campaign results directory (no campaign.json)`);
    const m = JSON.parse(readFileSync(meta, 'utf8'));
    if (config && m.hash !== hash) throw new ConfigError(`${d} holds a different campaign (config hash ${m.hash}, not ${hash})`);
    config = m.config;
    hash = m.hash;
    for (const r of readRecords(join(d, RESULTS_FILE))) all.set(`${r.caseId}#${r.index}`, r);
  }
  mkdirSync(f.out, { recursive: true });
  const records = [...all.values()];
  writeFileSync(join(f.out, RESULTS_FILE), records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
  writeFileSync(join(f.out, 'campaign.json'), JSON.stringify({ config, hash, merged: dirs, shard: null }, null, 2) + '\n');
  const cases = expandCases(config!);
  const planned = cases.reduce((n, k) => n + k.seeds, 0);
  const s = await summarize(cases, records, { name: config!.name, seed: parseSeed(config!.seed), shard: null, seconds: 0, planned, skippedByBudget: planned - records.length });
  await writeReproducers(s, f.out);
  writeOutputs(s, f.out, hash);
  process.stdout.write(`merged ${dirs.length} result directories: ${records.length} runs -> ${f.out}\n${s.verdict}\n`);
  return s.exitCode;
}
