// What start-up loads (issue 8 item 6), checked on the built JavaScript that
// node runs: the import graph a worker thread loads before it answers its
// first task, and the one `realmrace --help` loads. Structural, not timed: a
// worker that reaches zod or commander, or a `--help` that reaches the model,
// fails here whatever the machine's speed.

import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_POLICIES, BUILTIN_LOADERS, loadPolicy } from '../src/kernel/policies/index.js';
import { program } from '../src/cli/main.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');

// import x from 'm'; import 'm'; export { x } from 'm'; require('m'), also createRequire(...)('m').
const STATIC = /(?:^|[\s;])(?:import|export)\s*(?:[\w*{}\s,$]+?\s*from\s*)?['"]([^'"]+)['"]|(?:\brequire|\))\(\s*['"]([^'"]+)['"]\s*\)/gm;
// import('./x.js') with a literal specifier: lazy, unless the file is a worker entry (whose start-up it is).
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

interface Graph {
  /** Built files reached, relative to dist/ ('src/model/realm.js'). */
  files: Set<string>;
  /** Packages reached, by specifier ('commander', 'seedrandom/lib/alea.js'); node: built-ins left out. */
  packages: Set<string>;
}

/** The graph node loads from `entry` at start-up: static imports and require()s; import() only in the entry itself. */
function startupGraph(entry: string): Graph {
  const g: Graph = { files: new Set(), packages: new Set() };
  const walk = (file: string, isEntry: boolean): void => {
    const rel = relative(DIST, file);
    if (g.files.has(rel)) return;
    g.files.add(rel);
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(STATIC)].map((m) => m[1] ?? m[2]);
    if (isEntry) specs.push(...[...text.matchAll(DYNAMIC)].map((m) => m[1]));
    for (const s of specs) {
      if (s.startsWith('node:')) continue;
      if (!s.startsWith('.')) { g.packages.add(s); continue; }
      const target = resolve(dirname(file), s);
      expect(existsSync(target), `${rel} imports ${s}: no such built file`).toBe(true);
      walk(target, false);
    }
  };
  walk(entry, true);
  return g;
}

/** Libraries a worker or `--help` must not load at start-up (zod: ~90 ms a thread; the rest: CLI and report tooling). */
const HEAVY = ['zod', 'commander', 'piscina', 'cli-table3', 'cli-progress', 'hdr-histogram-js', 'fast-xml-parser', 'asciichart', 'smol-toml'];
const heavyIn = (g: Graph): string[] => [...g.packages].filter((p) => HEAVY.some((h) => p === h || p.startsWith(`${h}/`)));

const ENTRIES = readdirSync(join(ROOT, 'workers')).filter((f) => f.endsWith('.cts')).map((f) => f.replace(/\.cts$/, '.cjs'));

describe('start-up imports', () => {
  it('the walker sees what it must: a CLI command module reaches zod, a worker entry the model', () => {
    // Controls: without them a walker that finds nothing would pass every check below.
    expect(heavyIn(startupGraph(join(DIST, 'src', 'cli', 'run_command.js')))).toContain('zod');
    const worker = startupGraph(join(DIST, 'workers', 'actor.cjs'));
    expect(worker.files).toContain('src/model/realm.js');
    expect(worker.files).toContain('src/kernel/policy_loader.js');
    expect(worker.packages).toContain('seedrandom/lib/alea.js'); // a require() is an edge too
  });

  it('no worker entry reaches zod, commander or any other CLI/report library, or the config schema, at start-up', () => {
    // replay.cjs and shrink.cjs run one job each (a replay or a shrink of a user policy, in a thread
    // that can be stopped): they load what that job needs and are checked only for the CLI's libraries.
    expect(ENTRIES.sort()).toEqual(['actor.cjs', 'replay.cjs', 'schedule.cjs', 'shrink.cjs', 'turn_actor.cjs']);
    for (const e of ['replay.cjs', 'shrink.cjs']) expect([...startupGraph(join(DIST, 'workers', e)).packages].filter((p) => /commander|cli-table3|cli-progress|asciichart|fast-xml-parser/.test(p)), e).toEqual([]);
    for (const e of ENTRIES.filter((x) => x !== 'replay.cjs' && x !== 'shrink.cjs')) {
      const g = startupGraph(join(DIST, 'workers', e));
      expect(heavyIn(g), e).toEqual([]);
      expect([...g.packages].filter((p) => !p.startsWith('seedrandom/lib/')), `${e}: packages`).toEqual([]);
      // Upper layers and modules that exist for the CLI: none of them in a worker. Nor every
      // built-in policy (the task's own is imported when it comes), nor the scheduler wrappers.
      expect([...g.files].filter((f) => /^src\/(cli|report|campaign|repro|shrink|sweep|litmus|bench)\/|^src\/config\/(schema|spec|flags|to_flags)\.js$|^src\/kernel\/(policies\/|api\.js)|^src\/sched\/index\.js$/.test(f)), e).toEqual([]);
    }
  });

  it('`realmrace --help` loads commander, the field table and nothing of the model, the kernel, zod or piscina', () => {
    const g = startupGraph(join(DIST, 'src', 'cli', 'bin.js'));
    expect([...g.packages]).toEqual(['commander']);
    expect(g.files).toContain('src/config/fields.js');
    expect([...g.files].filter((f) => !/^src\/(cli\/(bin|main)|config\/(flags|fields|seed)|errors|run\/errors|version)\.js$/.test(f))).toEqual([]);
  });

  it('the field table imports nothing at run time (zod is built from it lazily, in schema.ts)', () => {
    const g = startupGraph(join(DIST, 'src', 'config', 'fields.js'));
    expect([...g.files]).toEqual(['src/config/fields.js']);
    expect([...g.packages]).toEqual([]);
  });

  it('the lazy built-in table names every built-in policy, in order, and loads the same objects', async () => {
    expect(Object.keys(BUILTIN_LOADERS)).toEqual(ALL_POLICIES.map((p) => p.name));
    for (const p of ALL_POLICIES) expect(await loadPolicy(p.name)).toBe(p);
  });

  it('building the field-table options only for the commands on the line leaves the top-level help as it was', () => {
    const help = (withSpec?: () => boolean): string => {
      let out = '';
      const io = { out: (s: string) => void (out += s), err: () => {} };
      program(io, () => {}, withSpec).outputHelp();
      return out;
    };
    const full = help();
    expect(full).toMatch(/^Usage: realmrace \[options\] \[command\]/);
    expect(help(() => false)).toBe(full);
  });
});
