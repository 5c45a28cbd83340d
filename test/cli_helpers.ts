// Running the command line from tests: in-process through main() (fast, the
// default), or as a real process through the built bin (exit codes, start-up).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { main as Main } from '../src/cli/main.js';
import type { SchedulePools } from '../src/campaign/schedule_pools.js';
import type { ActorPools } from '../src/run/free.js';

export interface CliResult { code: number | null; out: string; err: string }

/** The built executable that package.json `bin` points at. */
export const BIN = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));

// The built main(): worker threads load dist/ (workers/*.js), so the in-process CLI is the built one too.
const MAIN = new URL('../dist/src/cli/main.js', import.meta.url).href;
const POOLS = new URL('../dist/src/campaign/schedule_pools.js', import.meta.url).href;
const FREE = new URL('../dist/src/run/free.js', import.meta.url).href;
let loaded: Promise<typeof Main> | null = null;
// The campaigns and free/record runs a test file makes through main() share their worker
// threads (warm after the first command), as a process running many commands may;
// test/lent_threads.ts closes them after each file. Every command still runs on as many
// threads as its flags say (one pool per thread count).
let pools: Promise<{ schedulePools: SchedulePools; actorPools: ActorPools }> | null = null;

/** End the threads lent to this file's commands (after each test file: test/lent_threads.ts). */
export async function closeLentThreads(): Promise<void> {
  const p = pools;
  pools = null;
  if (p) {
    const { schedulePools, actorPools } = await p;
    await Promise.all([schedulePools.close(), actorPools.close()]);
  }
}

/** main(args) in this process, run from `cwd` (process.chdir: vitest runs test files in forks), with its output captured. */
export async function realmraceIn(cwd: string, ...args: string[]): Promise<CliResult> {
  const prev = process.cwd();
  let out = '', err = '';
  process.chdir(cwd);
  try {
    const main = await (loaded ??= import(MAIN).then((m: { main: typeof Main }) => m.main));
    const host = await (pools ??= Promise.all([import(POOLS), import(FREE)]).then(([c, f]: [{ SchedulePools: new () => SchedulePools }, { ActorPools: new () => ActorPools }]) => ({ schedulePools: new c.SchedulePools(), actorPools: new f.ActorPools() })));
    const code = await main(args, { out: (s) => void (out += s), err: (s) => void (err += s) }, host);
    return { code, out, err };
  } finally {
    process.chdir(prev);
  }
}

/** The built bin as its own node process, run from `cwd`. */
export function realmraceSpawn(cwd: string, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, cwd });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Printed text with its wrapping undone: every run of white space one space (prose wraps only at spaces). */
export const flat = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The verdict: the last paragraph starting with "realmrace" at the start of a line (the last line and its continuations), unwrapped. */
export function verdictOf(out: string): string {
  const i = out.lastIndexOf('\nrealmrace');
  return flat(i < 0 ? out : out.slice(i + 1));
}
