// Build step after tsc (npm run build): each worker entry's ES module graph
// (dist/workers/<name>.js and all it imports) becomes one CommonJS file,
// dist/workers/bundle/<name>.cjs, which the CommonJS entry workers/<name>.cts
// require()s. Why: a worker thread spent most of its start-up in node's ES
// module loader, resolving, reading and compiling 40 to 90 modules one by one.
// One ES module bundle brought a 5-worker pool from 2.2x the time of a pool
// whose threads load nothing to 1.4x; as CommonJS the thread does not start
// the ES module loader at all (1.26x in the same run: npm run bench, issue 8
// item 6), and require() of a CommonJS file instantiates no ES module, so a
// thread terminated while it loads cannot abort the process (workers/schedule.cts).
//
// - Lazy import()s (the task's built-in policy, the policy API handed to a user
//   module's factory) are inlined too (codeSplitting: false): still one file, and
//   their code still runs only when the import() does.
// - node: built-ins and piscina stay external; seedrandom is loaded at run time
//   with createRequire(import.meta.url) (src/model/prng.ts). The bundle sits two
//   folders below dist/, as the modules it inlines do (dist/src/<folder>/), so
//   that require and their `new URL('../../workers/x.cjs', import.meta.url)`
//   resolve as before (rolldown turns import.meta.url into the bundle's file URL).
// - 'use strict' heads the bundle: the modules were ES modules, strict mode code,
//   and a CommonJS file is not strict unless it says so.
// - A user policy module is still an ES module, loaded with import() when a task
//   names one: only then does the thread start the ES module loader.
// - Incremental: bundle/inputs.json holds, per entry, the files rolldown read and
//   a hash of them (with this script and rolldown's version). An entry whose
//   files are unchanged is not rebuilt, and rolldown is not even loaded.
// - Only this build step imports rolldown (a devDependency); nothing at run time does.
//
//   node dist/src/build/bundle_workers.js

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // this file is dist/src/build/
const DIST = join(ROOT, 'dist');
const OUT = join(DIST, 'workers', 'bundle');
const STAMP = join(OUT, 'inputs.json');

/** Per entry: the files its bundle was made from (relative to the package root) and their hash. */
type Stamp = Record<string, { inputs: string[]; hash: string }>;

/** The worker entries: one per workers/*.cts. */
const entries = (): string[] => readdirSync(join(ROOT, 'workers')).filter((f) => f.endsWith('.cts')).map((f) => f.slice(0, -'.cts'.length)).sort();

/** What a bundle depends on besides its inputs: this script and the bundler. */
function toolKey(): string {
  const rolldownPkg = join(dirname(fileURLToPath(import.meta.resolve('rolldown'))), '..', 'package.json');
  return `${(JSON.parse(readFileSync(rolldownPkg, 'utf8')) as { version: string }).version}\n${readFileSync(fileURLToPath(import.meta.url), 'utf8')}`;
}

/** Hash of the files (and of the bundle itself), or null if one is missing. */
function hashOf(key: string, inputs: string[], bundle: string): string | null {
  const h = createHash('sha256').update(key);
  for (const f of [...inputs, relative(ROOT, bundle)]) {
    const p = join(ROOT, f);
    if (!existsSync(p)) return null;
    h.update(`\0${f}\0`).update(readFileSync(p));
  }
  return h.digest('hex');
}

const readStamp = (): Stamp => {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8')) as Stamp;
  } catch {
    return {};
  }
};

/** Bundle each entry; returns, per entry, the files its bundle was made from. */
async function bundle(names: string[]): Promise<Record<string, string[]>> {
  const { rolldown } = await import('rolldown');
  const out: Record<string, string[]> = {};
  await Promise.all(names.map(async (name) => {
    const warnings: string[] = [];
    const b = await rolldown({
      input: join(DIST, 'workers', `${name}.js`),
      platform: 'node',
      external: [/^node:/, 'piscina'],
      // A warning (an unresolved import, say) would ship a bundle that fails in a thread: fail the build instead.
      onLog: (level, log) => void (level === 'warn' ? warnings.push(log.message) : undefined),
    });
    try {
      const { output } = await b.write({
        file: join(OUT, `${name}.cjs`),
        format: 'cjs',
        codeSplitting: false,
        banner: `// workers/${name}.cts loads this file: dist/workers/${name}.js and every module it imports, bundled by src/build/bundle_workers.ts. Do not edit.\n'use strict';`,
      });
      if (warnings.length) throw new Error(`${name}: ${warnings.join('; ')}`);
      if (output.length !== 1 || output[0].type !== 'chunk') throw new Error(`${name}: expected one file, got ${output.map((o) => o.fileName).join(', ')}`);
      out[name] = output[0].moduleIds.filter((id) => !id.startsWith('\0')).map((id) => relative(ROOT, id)).sort();
    } finally {
      await b.close();
    }
  }));
  return out;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const key = toolKey();
  const names = entries();
  const stamp = readStamp();
  const stale = names.filter((n) => !stamp[n] || hashOf(key, stamp[n].inputs, join(OUT, `${n}.cjs`)) !== stamp[n].hash);
  // Bundles of entries that no longer exist, and of an older build's format (<name>.js).
  if (existsSync(OUT)) for (const f of readdirSync(OUT)) if (f !== 'inputs.json' && !(f.endsWith('.cjs') && names.includes(f.slice(0, -'.cjs'.length)))) rmSync(join(OUT, f));
  const next: Stamp = Object.fromEntries(names.filter((n) => stamp[n]).map((n) => [n, stamp[n]]));
  if (stale.length) {
    mkdirSync(OUT, { recursive: true });
    const made = await bundle(stale);
    for (const n of stale) next[n] = { inputs: made[n], hash: hashOf(key, made[n], join(OUT, `${n}.cjs`))! };
    process.stderr.write(`bundle_workers: bundled ${stale.join(', ')} in ${Math.round(performance.now() - t0)} ms\n`);
  }
  if (stale.length || Object.keys(stamp).sort().join() !== names.join()) writeFileSync(STAMP, `${JSON.stringify(next, null, 1)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bundle_workers: ${(e as Error).message.split('\n')[0]}\n`);
  process.exitCode = 1;
});
