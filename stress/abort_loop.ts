// Abort loop (issue 9 item 10): many short `realmrace nightly` campaigns, two at
// a time, beside a CPU burner, counting Node aborts (a campaign killed by a
// signal, or "FATAL ERROR" on its stderr). Each campaign starts and stops
// piscina pools right away (one seed on --threads threads), kills a worker through the
// task timeout (a policy that spins), and runs a free-mode case, so worker
// threads are terminated while others are still loading their module graph.
//
//   npm run build && node dist/stress/abort_loop.js [--campaigns 200] [--parallel 2] [--burn 1] [--threads 6]
//
// Exit 0 if no campaign aborted, 1 otherwise. Not a CI test: it takes minutes.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const CLI = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const LOAD = fileURLToPath(new URL('./cpu_load.js', import.meta.url));

const { values } = parseArgs({ options: { campaigns: { type: 'string', default: '200' }, parallel: { type: 'string', default: '2' }, burn: { type: 'string', default: '1' }, threads: { type: 'string', default: '6' } } });
const campaigns = Number(values.campaigns);
const parallel = Number(values.parallel);
const burners = Number(values.burn);
const threads = values.threads;

const dir = mkdtempSync(join(tmpdir(), 'realmrace-abort-'));
// Spins without a step: the campaign's task timeout terminates its worker.
writeFileSync(join(dir, 'spins.js'), `export default { name: 'spins', expect: [], ops: {
  *set_memory_decrypted() { for (;;) {} }, *set_memory_encrypted() { return 0; } } };\n`);
const config = join(dir, 'tiny.json');
writeFileSync(config, JSON.stringify({
  name: 'abort-loop', seed: '0xab07', budget: '30s', taskTimeout: '1s',
  entries: [
    { policy: 'mainline', vcpus: [2], seeds: 1, ops: 1 },
    { policy: join(dir, 'spins.js'), vcpus: [2], seeds: 1, ops: 50 },
    { policy: 'alias-flip', vcpus: [4], seeds: 1, ops: 2 },
    { policy: 'mainline', vcpus: [2], mode: 'free', seeds: 1, ops: 20 },
  ],
}));

interface Outcome { code: number | null; signal: string | null; fatal: string | null; stderr: string }

function campaign(i: number): Promise<Outcome> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, 'nightly', '--config', config, '--budget', '30s', '--threads', threads, '--out', join(dir, `c${i}`)], { stdio: ['ignore', process.env.ABORT_LOOP_VERBOSE ? 'inherit' : 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('close', (code, signal) => {
      rmSync(join(dir, `c${i}`), { recursive: true, force: true });
      const fatal = /FATAL ERROR.*|Check failed.*/.exec(err)?.[0] ?? null;
      done({ code, signal, fatal, stderr: err });
    });
  });
}

const t0 = performance.now();
const load = Array.from({ length: burners }, () => spawn(process.execPath, [LOAD, '3600'], { stdio: 'ignore' }));
const codes = new Map<string, number>();
let aborts = 0;
let next = 0;
let finished = 0;
async function lane(): Promise<void> {
  while (next < campaigns) {
    const i = next++;
    const o = await campaign(i);
    const key = o.signal ?? String(o.code);
    codes.set(key, (codes.get(key) ?? 0) + 1);
    if (o.signal || o.fatal) {
      aborts++;
      process.stdout.write(`campaign ${i}: ${o.signal ? `killed by ${o.signal}` : `exit ${o.code}`}${o.fatal ? `: ${o.fatal}` : ''}\n`);
      if (aborts === 1) process.stdout.write(o.stderr.split('\n').slice(0, 24).map((l) => `  | ${l}\n`).join(''));
    }
    if (++finished % 20 === 0) process.stdout.write(`${finished}/${campaigns} campaigns, ${aborts} aborts, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }
}
try {
  await Promise.all(Array.from({ length: parallel }, lane));
} finally {
  for (const p of load) p.kill();
  rmSync(dir, { recursive: true, force: true });
}
const exits = [...codes].map(([k, n]) => `${k} x${n}`).join(', ');
process.stdout.write(`abort loop: ${campaigns} campaigns (${parallel} at a time, ${burners} CPU burner), ${aborts} aborts, exits: ${exits}, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
process.exitCode = aborts ? 1 : 0;
