// Which shards of a campaign a merge has: every shard i/N must be present and
// finished (its results end with the finished marker). A missing shard, or one
// that was killed or is still running, leaves its runs unexplored: the cases
// with runs there are judged inconclusive, never "left out by the budget".

import type { CampaignConfig } from './config.js';
import { expandCases, workUnits } from './config.js';
import type { LockHolder } from './lock.js';
import type { FinishedMarker } from './results.js';
import { unitKey } from './results.js';

/** One input directory of a merge, as read from disk. */
export interface ShardDir {
  dir: string;
  /** "i/N", or null: the whole campaign (or an earlier merge). */
  shard: string | null;
  finished: FinishedMarker | null;
  /** A live campaign still holding the directory's lock. */
  holder: LockHolder | null;
  runs: number;
  /** Its summary says a signal stopped it (the signal's name), with the line that resumes it. */
  interrupted?: { signal: string; resume?: string };
}

export interface ShardCoverage {
  /** One line per missing or unfinished shard, naming it. */
  problems: string[];
  /** Work units (unitKey) that no finished input was responsible for. */
  uncovered: Set<string>;
}

const parse = (s: string): { index: number; count: number } => {
  const [i, n] = s.split('/').map(Number);
  return { index: i, count: n };
};

const unfinished = (d: ShardDir): string =>
  d.holder ? `still running (pid ${d.holder.pid} holds ${d.dir})`
    : d.interrupted ? `${d.dir} was interrupted by ${d.interrupted.signal} after ${d.runs} runs${d.interrupted.resume ? ` (continue it with: ${d.interrupted.resume})` : ''}`
      : `${d.dir} has no finished marker (killed?) after ${d.runs} runs`;

export function shardCoverage(config: CampaignConfig, dirs: ShardDir[]): ShardCoverage {
  const units = workUnits(config, expandCases(config));
  const done = dirs.filter((d) => d.finished && !d.holder);
  const covers = (d: ShardDir, global: number): boolean => {
    if (d.shard === null) return true;
    const s = parse(d.shard);
    return global % s.count === s.index - 1;
  };
  const uncovered = new Set(units.filter((u) => !done.some((d) => covers(d, u.global))).map((u) => unitKey(u.caseId, u.index)));
  const problems: string[] = [];
  if (uncovered.size === 0) return { problems, uncovered };
  const whole = dirs.filter((d) => d.shard === null);
  for (const d of whole) problems.push(`the unsharded campaign is unfinished: ${unfinished(d)}`);
  for (const n of [...new Set(dirs.filter((d) => d.shard !== null).map((d) => parse(d.shard!).count))].sort((a, b) => a - b)) {
    for (let i = 1; i <= n; i++) {
      const of = dirs.filter((d) => d.shard === `${i}/${n}`);
      if (of.some((d) => d.finished && !d.holder)) continue;
      problems.push(of.length ? `shard ${i}/${n} is unfinished: ${of.map(unfinished).join('; ')}` : `shard ${i}/${n} is missing`);
    }
  }
  return { problems, uncovered };
}
