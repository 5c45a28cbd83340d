// The cause of the abort in one minute (issue 9 item 10): destroy a piscina pool
// exactly while a worker loads its entry, 20 times per entry. A preload
// (--expose-internals) wraps node's ModuleWrap instantiate calls and CommonJS
// compilation, and broadcasts when a file: ES module starts instantiating or
// the worker's CommonJS bundle starts compiling; the parent then destroys the
// pool. The ES module entry (workers/schedule.js, loaded by piscina's
// require(): instantiateSync) aborts node with "FATAL ERROR:
// v8::Module::IsGraphAsync ...". The CommonJS entry (workers/schedule.cjs)
// require()s one CommonJS bundle (workers/bundle/schedule.cjs, see
// src/build/bundle_workers.ts): no ES module is instantiated, and a thread
// destroyed while it compiles the bundle stops cleanly.
//
//   npm run build && node dist/stress/kill_in_instantiate.js [--tries 20]
//
// Exit 0 if the CommonJS entry never aborted. Not a CI test.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Piscina } from 'piscina';

const PRELOAD = `const { ModuleWrap } = require('internal/test/binding').internalBinding('module_wrap');
const ch = new BroadcastChannel('realmrace-instantiating');
for (const m of ['instantiate', 'instantiateSync']) {
  const orig = ModuleWrap.prototype[m];
  ModuleWrap.prototype[m] = function () { if (this.url?.startsWith('file:')) ch.postMessage(m); return orig.call(this); };
}
const Module = require('node:module');
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) { if (filename.includes('/bundle/')) ch.postMessage('compile of the bundle'); return compile.call(this, content, filename); };
ch.unref();
`;

const { values } = parseArgs({ options: { tries: { type: 'string', default: '20' }, child: { type: 'string' }, preload: { type: 'string' } } });

async function child(entry: string, preload: string): Promise<void> {
  const pool = new Piscina({ filename: entry, minThreads: 2, maxThreads: 2, execArgv: ['--expose-internals', '--no-warnings', '-r', preload] });
  pool.on('error', () => { /* the destroyed thread */ });
  const ch = new BroadcastChannel('realmrace-instantiating');
  const during = await new Promise<string>((res) => {
    ch.onmessage = (e) => res(String((e as MessageEvent).data));
    setTimeout(() => res('(no instantiation seen)'), 10_000).unref();
  });
  ch.close();
  await pool.destroy();
  process.stdout.write(`destroyed during ${during}\n`);
}

if (values.child) {
  await child(values.child, values.preload!);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'realmrace-kill-'));
  const preload = join(dir, 'preload.cjs');
  writeFileSync(preload, PRELOAD);
  const self = fileURLToPath(import.meta.url);
  const tries = Number(values.tries);
  let cjsAborts = 0;
  for (const name of ['schedule.js', 'schedule.cjs']) {
    const entry = fileURLToPath(new URL(`../workers/${name}`, import.meta.url));
    let aborts = 0;
    const seen = new Set<string>();
    for (let i = 0; i < tries; i++) {
      const r = spawnSync(process.execPath, [self, '--child', entry, '--preload', preload], { encoding: 'utf8', timeout: 60_000 });
      if (r.signal || /FATAL ERROR/.test(r.stderr)) aborts++;
      else seen.add(r.stdout.trim());
    }
    if (name.endsWith('.cjs')) cjsAborts = aborts;
    process.stdout.write(`workers/${name}: ${aborts} of ${tries} aborted${seen.size ? `; the others: ${[...seen].join(', ')}` : ''}\n`);
  }
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = cjsAborts ? 1 : 0;
}
