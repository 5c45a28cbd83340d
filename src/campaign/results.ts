// Campaign results on disk: one JSON line per finished run, appended as each run
// ends (nothing is lost if the process is killed), read back to resume a
// campaign or to merge shards. A campaign that ends (budget cuts included)
// appends a finished marker; a killed one leaves none, and may leave a torn
// last line, which --resume cuts off before appending.

import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';
import { ConfigError } from '../run/errors.js';
import type { FindingKind } from '../check/finding.js';
import type { Stop } from '../check/verdict.js';

export interface RunRecord {
  caseId: string;
  index: number;
  seed: string;
  /** clean: every program ran to its end; bounded: cut by the step bound or the time budget (see stop); finding; harness: the worker crashed or hung. */
  status: 'clean' | 'bounded' | 'finding' | 'harness';
  /** How the run ended (missing in results written before 0.2: bounded then means max-steps). */
  stop?: Stop;
  kind?: FindingKind;
  signature?: string;
  step?: number;
  detail?: string;
  /** Finding: the last events of every actor, merged by step. */
  lastEvents?: string[];
  /** Harness failure: crash or hang, and what was seen. */
  harness?: 'crash' | 'hang';
  error?: string;
  steps: number;
  traceHash: string;
  /** Wall-clock of the run itself, ms (the worker's own measure for controlled runs: no queueing). */
  ms: number;
}

export const RESULTS_FILE = 'results.jsonl';

/** The last line of a campaign that ran to its end (budget cuts included); a killed campaign has none. */
export interface FinishedMarker { finished: string; runs: number; planned: number; skippedByBudget: number }

export function appendRecord(path: string, r: RunRecord): void {
  appendFileSync(path, JSON.stringify(r) + '\n');
}

export function appendFinished(path: string, m: FinishedMarker): void {
  appendFileSync(path, JSON.stringify(m) + '\n');
}

export interface ResultsFile {
  /** One per work unit; later lines win. */
  records: RunRecord[];
  /** The marker, if it is the last line: the campaign (or shard) finished and nothing ran after it. */
  finished: FinishedMarker | null;
  /** A last line without its newline: a run whose write a kill cut short. */
  torn: { line: number; bytes: number; offset: number } | null;
}

const STATUSES = new Set(['clean', 'bounded', 'finding', 'harness']);
const isRecord = (x: Record<string, unknown>): boolean => typeof x.caseId === 'string' && Number.isInteger(x.index) && typeof x.seed === 'string' && STATUSES.has(x.status as string);
const isMarker = (x: Record<string, unknown>): boolean => typeof x.finished === 'string' && Number.isInteger(x.runs);

/** Read results.jsonl: every complete line must be a run record or a finished marker (else a ConfigError naming the line). */
export function readResults(path: string): ResultsFile {
  if (!existsSync(path)) return { records: [], finished: null, torn: null };
  const text = readFileSync(path);
  const out = new Map<string, RunRecord>();
  let finished: FinishedMarker | null = null;
  let torn: ResultsFile['torn'] = null;
  let start = 0;
  for (let line = 1; start < text.length; line++) {
    const nl = text.indexOf(0x0a, start);
    if (nl < 0) {
      torn = { line, bytes: text.length - start, offset: start };
      break;
    }
    const s = text.subarray(start, nl).toString('utf8');
    start = nl + 1;
    if (!s.trim()) continue;
    let x: Record<string, unknown>;
    try {
      x = JSON.parse(s);
    } catch (e) {
      throw new ConfigError(`${path}: line ${line} is not JSON (${(e as Error).message}): the file is corrupt; fix or remove that line`);
    }
    if (x !== null && typeof x === 'object' && isRecord(x)) {
      out.set(unitKey(x.caseId as string, x.index as number), x as unknown as RunRecord);
      finished = null;
    } else if (x !== null && typeof x === 'object' && isMarker(x)) {
      finished = x as unknown as FinishedMarker;
    } else {
      throw new ConfigError(`${path}: line ${line} is not a run record: the file is corrupt; fix or remove that line`);
    }
  }
  return { records: [...out.values()], finished, torn };
}

/** Every run record of a complete line (a torn last line is left out); later lines win. */
export function readRecords(path: string): RunRecord[] {
  return readResults(path).records;
}

/**
 * Before appending to a resumed campaign: cut a torn last line off, so no half
 * line ever sits before a new record. Returns a one-line note, or null.
 */
export function dropTornLine(path: string): string | null {
  const { torn } = readResults(path);
  if (!torn) return null;
  truncateSync(path, torn.offset);
  return `${path}: dropped the torn last line ${torn.line} (${torn.bytes} bytes, cut short by a kill); that run is done again`;
}

export const unitKey = (caseId: string, index: number): string => `${caseId}#${index}`;
