// A campaign results directory's campaign.json: which campaign it holds (its
// config and hash), which shard, and for a merge which directories it came
// from. One reader and one writer for nightly (--resume checks it is the same
// campaign), merge (reads every input's, writes its own) and anything else.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { CampaignConfig } from './config.js';

export const META_FILE = 'campaign.json';

export interface CampaignMeta {
  config: CampaignConfig;
  hash: string;
  /** The config file it was loaded from (nightly). */
  path?: string;
  /** 'i/n' for a shard, null for the whole campaign. */
  shard: string | null;
  /** A merge: the directories merged. */
  merged?: string[];
  /** A merge that does not cover the plan: why. */
  incomplete?: string[];
}

/** The campaign.json of results directory `dir`; a one-line ConfigError naming the file if it is torn or not one. */
export function readCampaignMeta(dir: string): CampaignMeta {
  const path = join(dir, META_FILE);
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path} is not valid JSON (${(e as Error).message}): the file is corrupt`);
  }
  const o = m as { config?: { entries?: unknown }; hash?: unknown; shard?: unknown };
  if (typeof o !== 'object' || o === null || typeof o.hash !== 'string' || typeof o.config !== 'object' || o.config === null || !Array.isArray(o.config.entries)) {
    throw new ConfigError(`${path} is not a realmrace campaign.json (no config with entries and hash)`);
  }
  return { ...(m as CampaignMeta), shard: typeof o.shard === 'string' ? o.shard : null };
}

export function writeCampaignMeta(dir: string, meta: CampaignMeta): void {
  writeFileSync(join(dir, META_FILE), JSON.stringify(meta, null, 2) + '\n');
}
