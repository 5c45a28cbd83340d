// What start-up loads (issue 8 item 6), checked on the built JavaScript that
// node runs: the import graph a worker thread loads before it answers its
// first task, and the one `realmrace --help` loads. Structural, not timed: a
// worker that reaches zod or commander, or a `--help` that reaches the model,
// fails here whatever the machine's speed. A worker entry loads one CommonJS
// bundle (dist/workers/bundle/<entry>.cjs, src/build/bundle_workers.ts): the
// modules it holds are read from the comment line rolldown writes before each one.

import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire, isBuiltin } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ALL_POLICIES, BUILTIN_LOADERS, loadPolicy } from '../src/kernel/policies/index.js';
import { program } from '../src/cli/main.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');

// import x from 'm'; import 'm'; export { x } from 'm'; require('m'), also createRequire(...)('m').
const STATIC = /(?:^|[\s;])(?:import|export)\s*(?:[\w*{}\s,$]+?\s*from\s*)?['"]([^'"]+)['"]|(?:\brequire|\))\(\s*['"]([^'"]+)['"]\s*\)/gm;
// import('./x.js') with a literal specifier: lazy, unless the file is a worker entry (whose start-up it is).
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
// A bundle's require() of a package (seedrandom) is named require$1(...) when it clashes with another require.
const BUNDLE_REQUIRE = /\brequire\$\d+\(\s*['"]([^'"]+)['"]\s*\)/g;
// A bundle's top-level require() of a built-in (`let node_url = require("node:url");`): what its import statements became.
const BUNDLE_BUILTIN = /^(?:let|const|var) [\w$]+ = require\("(node:[^"]+)"\);$/gm;
// The comment rolldown writes before each module it bundles: `// dist/src/model/realm.js`, `// node_modules/zod/v4/core/util.js`.
const BUNDLED = /^\/\/ (dist\/\S+|node_modules\/\S+)$/gm;
const BUNDLES = join(DIST, 'workers', 'bundle');

interface Graph {
  /** Built modules reached, relative to dist/ ('src/model/realm.js'): files read, and the modules bundled in them. */
  files: Set<string>;
  /** The files node reads (a bundle, not the modules in it). */
  read: Set<string>;
  /** Packages reached, by specifier ('commander', 'seedrandom/lib/alea.js'; 'zod/v4/core/util.js' when bundled). */
  packages: Set<string>;
  /** node: built-ins imported by an import statement (a require() inside a function is lazy and not counted). */
  builtins: Set<string>;
}

/** The graph node loads from `entry` at start-up: static imports and require()s; import() only in the entry itself. */
function startupGraph(entry: string): Graph {
  const g: Graph = { files: new Set(), read: new Set(), packages: new Set(), builtins: new Set() };
  const walk = (file: string, isEntry: boolean): void => {
    const rel = relative(DIST, file);
    if (g.read.has(rel)) return;
    g.files.add(rel);
    g.read.add(rel);
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(STATIC)].map((m) => m[1] ?? m[2]);
    if (isEntry) specs.push(...[...text.matchAll(DYNAMIC)].map((m) => m[1]));
    if (file.startsWith(BUNDLES)) {
      specs.push(...[...text.matchAll(BUNDLE_REQUIRE)].map((m) => m[1]));
      for (const [, id] of text.matchAll(BUNDLED)) {
        if (id.startsWith('dist/')) g.files.add(id.slice('dist/'.length));
        else g.packages.add(id.slice('node_modules/'.length));
      }
    }
    for (const m of text.matchAll(STATIC)) if (m[1]?.startsWith('node:')) g.builtins.add(m[1]);
    if (file.startsWith(BUNDLES)) for (const [, b] of text.matchAll(BUNDLE_BUILTIN)) g.builtins.add(b);
    for (const s of specs) {
      if (isBuiltin(s)) continue; // node:url, and the bare 'url' of rolldown's import.meta.url in CommonJS
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
const HEAVY = ['zod', 'commander', 'piscina', 'cli-table3', 'cli-progress', 'hdr-histogram-js', 'fast-xml-parser', 'asciichart', 'smol-toml', 'rolldown'];
const heavyIn = (g: Graph): string[] => [...g.packages].filter((p) => HEAVY.some((h) => p === h || p.startsWith(`${h}/`)));

const ENTRIES = readdirSync(join(ROOT, 'workers')).filter((f) => f.endsWith('.cts')).map((f) => f.replace(/\.cts$/, '.cjs'));

describe('start-up imports', () => {
  it('the walker sees what it must: a CLI command module reaches zod, a worker entry its bundle and the model in it', () => {
    // Controls: without them a walker that finds nothing would pass every check below.
    expect(heavyIn(startupGraph(join(DIST, 'src', 'cli', 'run_command.js')))).toContain('zod');
    const worker = startupGraph(join(DIST, 'workers', 'actor.cjs'));
    expect([...worker.read]).toEqual(['workers/actor.cjs', 'workers/bundle/actor.cjs']);
    expect(worker.files).toContain('src/model/cpu.js');
    expect(worker.files).toContain('src/kernel/policy_loader.js');
    expect(worker.packages).toContain('seedrandom/lib/alea.js'); // a require() is an edge too
    expect(worker.builtins).toContain('node:worker_threads');
    // A package bundled into a worker is seen too: the shrink worker holds zod (its reproducer schema).
    expect(heavyIn(startupGraph(join(DIST, 'workers', 'shrink.cjs')))).toContain('zod/v4/core/core.js');
  });

  it('each worker entry reads one file, its bundle, which imports only node: built-ins (and piscina where it starts pools)', () => {
    expect(ENTRIES.sort()).toEqual(['actor.cjs', 'replay.cjs', 'schedule.cjs', 'shrink.cjs', 'turn_actor.cjs']);
    for (const e of ENTRIES) {
      const g = startupGraph(join(DIST, 'workers', e));
      expect([...g.read], e).toEqual([`workers/${e}`, `workers/bundle/${e}`]);
      expect([...g.packages].filter((p) => !p.startsWith('seedrandom/lib/') && !/^zod\//.test(p) && p !== 'piscina'), `${e}: packages`).toEqual([]);
    }
  });

  it('no worker thread loads piscina when it starts (the run layer requires it when it makes a pool: src/run/pool.ts)', async () => {
    // Run, not read: the bundles name piscina inside newPool(), which the walker above cannot tell from a start-up require.
    const loaded = (entry: string): Promise<string[]> => new Promise((res, rej) => {
      const code = `const { parentPort } = require('node:worker_threads'); require(${JSON.stringify(entry)}); parentPort.postMessage(Object.keys(require.cache).filter((k) => k.includes('/node_modules/piscina/')));`;
      const w = new Worker(code, { eval: true });
      w.once('message', (m: string[]) => void w.terminate().then(() => res(m)));
      w.once('error', rej);
    });
    for (const e of ENTRIES) expect(await loaded(join(DIST, 'workers', e)), e).toEqual([]);
    // The control: the same probe sees piscina when an entry does load it.
    expect((await loaded(createRequire(import.meta.url).resolve('piscina'))).length).toBeGreaterThan(0);
  });

  it('no worker entry loads zod, commander, node:crypto or any other CLI/report library, or the config schema', () => {
    // replay.cjs and shrink.cjs run one job each (a replay or a shrink of a user policy, in a thread
    // that can be stopped): they load what that job needs and are checked only for the CLI's libraries.
    for (const e of ['replay.cjs', 'shrink.cjs']) expect([...startupGraph(join(DIST, 'workers', e)).packages].filter((p) => /commander|cli-table3|cli-progress|asciichart|fast-xml-parser|rolldown/.test(p)), e).toEqual([]);
    for (const e of ENTRIES.filter((x) => x !== 'replay.cjs' && x !== 'shrink.cjs')) {
      const g = startupGraph(join(DIST, 'workers', e));
      expect(heavyIn(g), e).toEqual([]);
      expect([...g.packages].filter((p) => !p.startsWith('seedrandom/lib/')), `${e}: packages`).toEqual([]);
      expect(g.builtins, e).not.toContain('node:crypto'); // hashing is for reproducers, on the main thread
      // Upper layers and modules that exist for the CLI: none of them in a worker, nor the
      // scheduler wrappers. (The built-in policies and the policy API are in the bundle: the
      // lazy import()s that load them are inlined, and still run only when the task asks.)
      expect([...g.files].filter((f) => /^src\/(cli|report|campaign|repro|shrink|sweep|litmus|bench)\/|^src\/config\/(schema|spec|flags|to_flags)\.js$|^src\/sched\/index\.js$/.test(f)), e).toEqual([]);
    }
  });

  it('what a worker runs at start-up imports no built-in policy and not the policy API: those are import()ed when a task names them', () => {
    // The ES module each bundle is made from (dist/workers/<entry>.js), walked by its static imports only.
    for (const e of ENTRIES.filter((x) => x !== 'replay.cjs' && x !== 'shrink.cjs')) {
      const g = startupGraph(join(DIST, 'workers', e.replace(/\.cjs$/, '.js')));
      expect(g.files, e).toContain('src/model/realm.js');
      expect([...g.files].filter((f) => /^src\/kernel\/(policies\/|api\.js)/.test(f)), e).toEqual([]);
    }
  });

  it('every file a bundle names with new URL(..., import.meta.url) exists where the bundle is (it sits two folders below dist/, as src/<folder>/ does)', () => {
    // Except the policy API URL of policy_loader's load probe, which only the main thread runs (never a bundle).
    // In the CommonJS bundle import.meta.url reads require("url").pathToFileURL(__filename).href.
    const urls: string[] = [];
    for (const e of ENTRIES) {
      const bundle = join(BUNDLES, e);
      for (const [, u] of readFileSync(bundle, 'utf8').matchAll(/new URL\(\s*["']([^"']+)["'],\s*require\("url"\)\.pathToFileURL\(__filename\)\.href\s*\)/g)) {
        urls.push(u);
        if (u !== './api.js') expect(existsSync(fileURLToPath(new URL(u, pathToFileURL(bundle)))), `${e}: ${u}`).toBe(true);
      }
    }
    expect(urls).toContain('../../workers/turn_actor.cjs'); // the replay worker starts turn-passing actors
  });

  it('only the build imports the bundler: nothing in src/ or workers/ but src/build/ names rolldown', () => {
    const hits = ['src', 'workers'].flatMap((d) => readdirSync(join(ROOT, d), { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile() && /\.c?ts$/.test(f.name) && /from\s*['"]rolldown|import\(\s*['"]rolldown/.test(readFileSync(join(f.parentPath, f.name), 'utf8'))).map((f) => relative(ROOT, join(f.parentPath, f.name))));
    expect(hits).toEqual([join('src', 'build', 'bundle_workers.ts')]); // the check looks for the right words
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
