// Reproducer file names: one per finding instance, never overwritten (issue 9
// item 5). The name holds the signature's digest (what failed) and a digest of
// config + seed + policy hash (which run failed), so two runs of other configs
// that hit one signature keep both files. A name already taken by the same
// content is reused; by other content, the next free `-2`, `-3`, ... is taken:
// a path a run printed keeps meaning what it meant.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { encodeReproducer, type Reproducer } from './reproducer.js';

const digest = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 8);

/** `<label>-<kind>-<signature digest>-<instance digest>[-inexact]`, without `.json`. */
export function reproducerStem(label: string, r: Reproducer): string {
  const instance = digest(JSON.stringify([r.config, r.seed, r.policy.hash, r.foundIn]));
  return `${label.replace(/[^A-Za-z0-9_.-]+/g, '_')}-${r.finding.kind}-${digest(r.finding.signature)}-${instance}${r.exact ? '' : '-inexact'}`;
}

/** Write r into dir under its stem; returns the path written (or reused). */
export function saveReproducer(dir: string, label: string, r: Reproducer): string {
  mkdirSync(dir, { recursive: true });
  const text = JSON.stringify(encodeReproducer(r), null, 2) + '\n';
  const stem = reproducerStem(label, r);
  for (let n = 1; ; n++) {
    const path = join(dir, `${stem}${n === 1 ? '' : `-${n}`}.json`);
    try {
      writeFileSync(path, text, { flag: 'wx' }); // exclusive: never replaces a file
      return path;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let old = '';
      try {
        old = readFileSync(path, 'utf8');
      } catch {
        // unreadable: treat as taken
      }
      if (old === text) return path;
    }
  }
}
