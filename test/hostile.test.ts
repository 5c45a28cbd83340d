// Every row of the hostile-input table (test/hostile_cases.ts) run: its exit
// status and the first line of stderr, never a stack trace, and for bad input
// exactly one stderr line. Most rows call main() in this process; signals and
// concurrent campaigns use the built bin as a process. Each row is bounded by
// the tool's own limits (small budgets, --lockup-seconds, taskTimeout); the
// vitest timeout is only a backstop. The README's "Hostile inputs" table must
// be this table rendered (REALMRACE_WRITE_README=1 rewrites it).

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, realmraceIn, type CliResult } from './cli_helpers.js';
import { FILES, HOSTILE_CASES, renderHostileTable, statusCounts, type HostileCase } from './hostile_cases.js';

const T = mkdtempSync(join(tmpdir(), 'realmrace-hostile-'));
const F = fileURLToPath(new URL('./fixtures', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));
const BEGIN = '<!-- hostile-cases:begin (generated from test/hostile_cases.ts) -->';
const END = '<!-- hostile-cases:end -->';

const expand = (s: string): string => s.replaceAll('$T', T).replaceAll('$F', F);

/** An argv word with a `*` in its last part names the one file that matches in $T. */
function resolveGlob(word: string): string {
  if (!word.includes('*')) return word;
  const dir = dirname(word);
  const re = new RegExp(`^${word.slice(dir.length + 1).replace(/[.]/g, '\\.').replace('*', '.*')}$`);
  const hits = readdirSync(join(T, dir)).filter((f) => re.test(f));
  if (hits.length !== 1) throw new Error(`${word}: ${hits.length} files match in ${join(T, dir)}`);
  return join(dir, hits[0]);
}

/** A pid that surely is not running: a child that has exited. */
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

const done = new Set<string>();
async function setup(cmd: string[]): Promise<void> {
  const key = JSON.stringify(cmd);
  if (done.has(key)) return;
  done.add(key);
  const [op, ...a] = cmd.map(expand);
  if (op === '$copy') {
    const [from, to, find, repl] = a;
    const src = from.startsWith('/') ? from : join(T, from);
    if (find === undefined) cpSync(src, join(T, to), { recursive: true });
    else writeFileSync(join(T, to), readFileSync(src, 'utf8').replaceAll(find, repl));
  } else if (op === '$lock') {
    const [dir, kind] = a;
    writeFileSync(join(T, dir, 'campaign.lock'), kind === 'dead' ? JSON.stringify({ pid: deadPid(), host: hostname(), started: '2026-01-01T00:00:00Z' }) : 'garbage\n');
  } else {
    const r = await realmraceIn(T, op, ...a);
    if (r.code === 1 || r.code === 3) throw new Error(`setup ${cmd.join(' ')} failed (exit ${r.code}): ${r.err}`);
  }
}

/** The bin as a process; with `signal`, sent once the first line of stdout is out (or one starting with `after`). */
function spawned(args: string[], signal?: NodeJS.Signals, after?: string): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: T });
    let out = '', err = '', sent = false;
    p.stdout.on('data', (b) => {
      out += b;
      const ready = after === undefined ? out.includes('\n') : out.split('\n').slice(0, -1).some((l) => l.startsWith(after));
      if (signal && !sent && ready) { sent = true; p.kill(signal); }
    });
    p.stderr.on('data', (b) => void (err += b));
    const guard = setTimeout(() => p.kill('SIGKILL'), 100_000);
    p.on('close', (code, sig) => { clearTimeout(guard); res({ code, out, err, signal: sig }); });
  });
}

/** The campaign (a process) that holds $T/busy while the 'during-campaign' rows run. */
let busy: ChildProcess | null = null;
async function holdBusy(): Promise<void> {
  busy = spawn(process.execPath, [BIN, 'nightly', '--config', 'sleepy.json', '--out', 'busy', '--threads', '1'], { cwd: T, stdio: 'ignore' });
  // Bounded wait until it holds the lock (taken before its first run).
  for (let i = 0; i < 1200 && !existsSync(join(T, 'busy', 'campaign.lock')); i++) await new Promise((r) => setTimeout(r, 50));
}
async function releaseBusy(): Promise<void> {
  const p = busy;
  busy = null;
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.on('exit', r));
  p.kill('SIGTERM');
  await exited;
}

beforeAll(() => {
  for (const [name, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(T, name)), { recursive: true });
    writeFileSync(join(T, name), expand(text));
  }
});

afterAll(async () => {
  await releaseBusy();
  rmSync(T, { recursive: true, force: true });
});

async function runCase(c: HostileCase): Promise<CliResult & { signal?: NodeJS.Signals | null }> {
  for (const s of c.setup ?? []) await setup(s);
  const args = c.argv.map((a) => resolveGlob(expand(a)));
  if (c.via === 'signal') return spawned(args, c.signal, c.after);
  if (c.via === 'process') return spawned(args);
  return realmraceIn(T, ...args);
}

/** Joins each wrapped line's indented continuations back onto it. */
const unwrap = (s: string): string => s.replace(/\n[ \t]+/g, ' ');

function rows(cases: HostileCase[]): void {
  for (const c of cases) {
    it(`${c.category}: ${c.name} -> ${c.exit ?? `killed by ${c.signal}`}`, async () => {
      const r = await runCase(c);
      const first = r.err.split('\n')[0];
      if (c.exit === null) expect(r.signal).toBe(c.signal);
      else expect(r.code, `stdout:\n${r.out}\nstderr:\n${r.err}`).toBe(c.exit);
      if (typeof c.err !== 'string') expect(first).toMatch(c.err);
      else if (c.err === '') expect(r.err).toBe('');
      else expect(first.startsWith(expand(c.err)), `first stderr line: ${first}`).toBe(true);
      // Long lines wrap at 100 columns with a hanging indent: match the rows' patterns against them unwrapped.
      for (const re of [c.out ?? []].flat()) expect(unwrap(r.out)).toMatch(re);
      // Never a stack trace; bad input is one line.
      expect(r.err).not.toMatch(/\n\s+at |internal error/);
      if (/^\^?realmrace: error: /.test(typeof c.err === 'string' ? c.err : c.err.source)) expect(r.err.trim().split('\n').filter((l) => !l.startsWith('realmrace: warning: '))).toHaveLength(1);
    }, 120_000);
  }
}

describe('hostile inputs: every row of test/hostile_cases.ts', () => {
  rows(HOSTILE_CASES.filter((c) => c.via !== 'during-campaign'));
  describe('while a campaign (another process) runs on $T/busy', () => {
    beforeAll(holdBusy, 60_000);
    afterAll(releaseBusy, 60_000);
    rows(HOSTILE_CASES.filter((c) => c.via === 'during-campaign'));
  });
});

describe('the hostile-input table', () => {
  it('has at least 40 rows, every category, unique names', () => {
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(HOSTILE_CASES.map((c) => c.category))).toEqual(new Set(['flags', 'numbers', 'policies', 'reproducers', 'configs', 'paths', 'signals', 'concurrent']));
    expect(new Set(HOSTILE_CASES.map((c) => c.name)).size).toBe(HOSTILE_CASES.length);
    // Only rows another branch is to change may stay unclear.
    for (const c of HOSTILE_CASES) if (c.now && c.now !== 'clear') expect(c.pending, c.name).toBeTruthy();
    const { now } = statusCounts();
    expect(now['stack trace'] + now.hang + now['silent wrong']).toBe(0);
  });

  it('the README section "Hostile inputs" is this table rendered', () => {
    const text = readFileSync(README, 'utf8');
    const table = renderHostileTable();
    if (process.env.REALMRACE_WRITE_README) {
      const at = text.indexOf(BEGIN), end = text.indexOf(END);
      writeFileSync(README, `${text.slice(0, at + BEGIN.length)}\n${table}\n${text.slice(end)}`);
      return;
    }
    const at = text.indexOf(BEGIN);
    expect(at, 'README has the hostile-cases markers').toBeGreaterThan(0);
    expect(text.slice(at + BEGIN.length, text.indexOf(END)).trim()).toBe(table);
  });

  it('the README documents every exit status', () => {
    const text = readFileSync(README, 'utf8');
    const section = text.slice(text.indexOf('## Exit status'), text.indexOf('\n## ', text.indexOf('## Exit status') + 1));
    for (const code of [0, 1, 2, 3, 4, 5, 130]) expect(section).toMatch(new RegExp(`^\\| \\*\\*${code}\\*\\* \\|`, 'm'));
  });
});
