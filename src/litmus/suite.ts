// `npm run litmus-suite -- DIR --isla CSV`: runs every test of DIR that has a
// strong-model verdict in isla's esop_test_results.csv and compares.
// Prints a table (test, isla strong, realmrace, time) and the totals the
// issue asks for. Exit 0 when no isla-forbidden test is observed, else 2.

import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { checkFile, testNameOf, type Checked } from './check.js';

export interface IslaRow {
  test: string;
  verdict: 'allowed' | 'forbidden';
  ms: number;
}

/** Strong-model columns of esop_test_results.csv (test, verdict, ms); other rows (DNF, totals) dropped. */
export function readIslaCsv(text: string): IslaRow[] {
  const rows: IslaRow[] = [];
  const seen = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const [test, verdict, ms] = line.split(',').map((c) => c.trim());
    if (!test || (verdict !== 'allowed' && verdict !== 'forbidden')) continue;
    const name = test.replace(/\.toml$/, ''); // two rows carry a stray ".toml"
    if (seen.has(name)) continue; // one row is listed twice
    seen.add(name);
    rows.push({ test: name, verdict, ms: Number(ms) || 0 });
  }
  return rows;
}

export interface SuiteRow {
  test: string;
  isla: IslaRow['verdict'];
  islaMs: number;
  checked: Checked;
}

export interface SuiteSummary {
  rows: SuiteRow[];
  missing: string[];
  supported: number;
  unsupported: number;
  errors: number;
  allowed: number;
  allowedObserved: number;
  forbidden: number;
  forbiddenObserved: number;
  ms: number;
  islaMs: number;
}

/** Checks the files on `jobs` worker threads (the tests are independent); results in input order. */
async function checkAll(files: string[], jobs: number, cost: number[]): Promise<Checked[]> {
  if (jobs <= 1) return files.map((f) => checkFile(f, () => performance.now()));
  const out = new Array<Checked>(files.length);
  // longest first onto the least loaded lane (isla's time as the cost guess)
  const lanes: number[][] = Array.from({ length: jobs }, () => []);
  const load = new Array<number>(jobs).fill(0);
  const order = files.map((_, i) => i).sort((a, b) => cost[b]! - cost[a]!);
  for (const i of order) {
    const l = load.indexOf(Math.min(...load));
    lanes[l]!.push(i);
    load[l]! += cost[i]! + 1;
  }
  await Promise.all(
    lanes.map(
      (lane) =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(new URL(import.meta.url), { workerData: { files: lane.map((i) => files[i]!) } });
          w.on('message', (res: Checked[]) => {
            res.forEach((c, k) => (out[lane[k]!] = c));
            resolve();
          });
          w.on('error', reject);
        }),
    ),
  );
  return out;
}

export async function runSuite(dir: string, isla: IslaRow[], jobs = 1): Promise<SuiteSummary & { wallMs: number }> {
  const files = new Map(readdirSync(dir).filter((f) => f.endsWith('.litmus.toml')).map((f) => [testNameOf(f), join(dir, f)]));
  const rows: SuiteRow[] = [];
  const missing: string[] = [];
  const todo: { r: IslaRow; f: string }[] = [];
  for (const r of isla) {
    const f = files.get(r.test);
    if (!f) missing.push(r.test);
    else todo.push({ r, f });
  }
  const t0 = performance.now();
  const checked = await checkAll(todo.map((x) => x.f), jobs, todo.map((x) => x.r.ms));
  const wallMs = performance.now() - t0;
  todo.forEach(({ r }, i) => rows.push({ test: r.test, isla: r.verdict, islaMs: r.ms, checked: checked[i]! }));
  const s: SuiteSummary & { wallMs: number } = { rows, missing, supported: 0, unsupported: 0, errors: 0, allowed: 0, allowedObserved: 0, forbidden: 0, forbiddenObserved: 0, ms: 0, islaMs: 0, wallMs };
  for (const r of rows) {
    const c = r.checked;
    if (c.kind === 'unsupported') s.unsupported++;
    else if (c.kind === 'error') s.errors++;
    else {
      s.supported++;
      s.ms += c.ms;
      s.islaMs += r.islaMs;
      const seen = c.result.positive > 0n;
      if (r.isla === 'allowed') {
        s.allowed++;
        if (seen) s.allowedObserved++;
      } else {
        s.forbidden++;
        if (seen) s.forbiddenObserved++;
      }
    }
  }
  return s;
}

function verdictOf(c: Checked): string {
  if (c.kind === 'unsupported') return `unsupported: ${c.feature}`;
  if (c.kind === 'error') return `error: ${c.message}`;
  return c.result.positive > 0n ? 'allowed' : 'forbidden';
}

export function formatSuite(s: SuiteSummary & { wallMs?: number }, jobs = 1): string {
  const w = Math.max(4, ...s.rows.map((r) => r.test.length));
  const out: string[] = [];
  out.push(`${'test'.padEnd(w)}  ${'isla strong'.padEnd(11)}  ${'realmrace'.padEnd(10)}  ${'time'.padStart(8)}  ${'isla time'.padStart(9)}  executions`);
  for (const r of s.rows) {
    const c = r.checked;
    const v = verdictOf(c);
    const mark = c.kind === 'ok' ? (v === r.isla ? '' : v === 'allowed' ? '  <-- FORBIDDEN BY ISLA BUT OBSERVED' : '  (not observed)') : '';
    const time = c.kind === 'ok' ? `${c.ms.toFixed(0)} ms` : '-';
    const ex = c.kind === 'ok' ? String(c.result.executions) : '';
    out.push(`${r.test.padEnd(w)}  ${r.isla.padEnd(11)}  ${v.padEnd(10)}  ${time.padStart(8)}  ${(r.islaMs / 1000).toFixed(1).padStart(7)} s  ${ex}${mark}`);
  }
  const pct = s.allowed === 0 ? 0 : (100 * s.allowedObserved) / s.allowed;
  out.push('');
  out.push(`tests with an isla strong verdict: ${s.rows.length + s.missing.length}; file found: ${s.rows.length}; no file in the directory: ${s.missing.length}${s.missing.length ? ` (${s.missing.join(', ')})` : ''}`);
  out.push(`supported: ${s.supported}   unsupported: ${s.unsupported}   errors: ${s.errors}`);
  out.push(`isla-forbidden observed: ${s.forbiddenObserved} of ${s.forbidden}`);
  out.push(`isla-allowed observed: ${s.allowedObserved} of ${s.allowed} (${pct.toFixed(1)}%)`);
  out.push(`time: ${(s.ms / 1000).toFixed(2)} s summed over the supported tests (isla strong model, same tests: ${(s.islaMs / 1000).toFixed(0)} s)`);
  if (s.wallMs !== undefined) out.push(`wall time: ${(s.wallMs / 1000).toFixed(2)} s on ${jobs} worker thread${jobs > 1 ? 's' : ''}`);
  return out.join('\n');
}

export async function suiteMain(argv: string[]): Promise<number> {
  const args = argv.slice();
  let csv: string | undefined;
  const i = args.indexOf('--isla');
  if (i >= 0) {
    csv = args[i + 1];
    args.splice(i, 2);
  }
  let jobs = Math.min(2, availableParallelism());
  const j = args.indexOf('--jobs');
  if (j >= 0) {
    jobs = Number(args[j + 1]);
    args.splice(j, 2);
  }
  if (args.length !== 1 || !csv || !Number.isInteger(jobs) || jobs < 1 || jobs > 64) {
    process.stderr.write('usage: litmus-suite DIR --isla esop_test_results.csv [--jobs N]\n');
    return 1;
  }
  let text: string;
  try {
    text = readFileSync(csv, 'utf8');
    readdirSync(args[0]!);
  } catch (e) {
    process.stderr.write(`litmus-suite: error: ${(e as Error).message.split('\n')[0]}\n`);
    return 1;
  }
  const s = await runSuite(args[0]!, readIslaCsv(text), jobs);
  process.stdout.write(formatSuite(s, jobs) + '\n');
  return s.forbiddenObserved > 0 ? 2 : 0;
}

if (!isMainThread && parentPort && (workerData as { files?: string[] })?.files) {
  parentPort.postMessage((workerData as { files: string[] }).files.map((f) => checkFile(f, () => performance.now())));
} else {
  const entry = process.argv[1] ?? '';
  if (isMainThread && entry.endsWith('suite.js') && entry.includes('litmus')) {
    suiteMain(process.argv.slice(2)).then(
      (code) => (process.exitCode = code),
      (e) => {
        process.stderr.write(`litmus-suite: internal error: ${(e as Error).stack ?? e}\n`);
        process.exitCode = 3;
      },
    );
  }
}
