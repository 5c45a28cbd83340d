// Folders of src/ import only downwards. The intended layering, bottom first:
// a folder (or top-level file) may import only from its own layer or a lower
// one, and nothing in src/ imports workers/ (thin entries above the library).
// Type-only imports count too: a type belongs to the layer that defines it.

import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/** Bottom first. Each entry is a folder of src/ or a top-level file (without .ts). */
export const LAYERS: string[][] = [
  ['errors', 'version'],
  ['check'], // the vocabulary of observation: events, trace, counters, findings, verdicts
  ['config'], // the run spec: field table, types, defaults, cost table
  ['model'],
  ['cost'],
  ['kernel'],
  ['api'],
  ['host'],
  ['workload'],
  ['sched'],
  ['run'],
  ['repro'],
  ['shrink'],
  ['sweep'],
  ['report'],
  ['campaign'],
  ['litmus'],
  ['bench'],
  ['build'], // build steps (bundle_workers.ts): nothing of src/ at all
  ['cli'],
  ['index'],
];

const SRC = normalize(join(__dirname, '..', 'src'));
const IMPORT = /(?:import|export)[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The layer unit of a path under src/: its first folder, or the file name for top-level files. */
const unitOf = (path: string): string => {
  const parts = relative(SRC, path).split(sep);
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.(ts|js)$/, '');
};
const rankOf = (unit: string): number => LAYERS.findIndex((l) => l.includes(unit));

interface Edge { from: string; to: string; file: string; spec: string }

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const f of files(SRC)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      const target = normalize(join(dirname(f), spec));
      out.push({ from: unitOf(f), to: target.startsWith(SRC) ? unitOf(target) : relative(join(SRC, '..'), target), file: relative(SRC, f), spec });
    }
  }
  return out;
}

describe('layering', () => {
  const all = edges();

  it('every folder and top-level file of src/ has a place in the layer list', () => {
    const units = new Set(files(SRC).map(unitOf));
    expect([...units].filter((u) => rankOf(u) < 0)).toEqual([]);
  });

  it('nothing in src/ imports workers/ or anything outside src/', () => {
    expect(all.filter((e) => rankOf(e.to) < 0).map((e) => `${e.file} imports ${e.spec}`)).toEqual([]);
  });

  it('folders import only downwards (no upward import, hence no folder cycle)', () => {
    const upward = all.filter((e) => rankOf(e.to) >= 0 && rankOf(e.to) > rankOf(e.from));
    expect(upward.map((e) => `${e.file} (${e.from}) imports ${e.spec} (${e.to}, a higher layer)`)).toEqual([]);
  });

  it('the check itself can fail: an upward edge is reported', () => {
    const fake: Edge = { from: 'model', to: 'run', file: 'model/x.ts', spec: '../run/y.js' };
    expect(rankOf(fake.to) > rankOf(fake.from)).toBe(true);
  });
});
