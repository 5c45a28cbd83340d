// Campaign results on disk: one JSON line per finished run, appended as each run
// ends (nothing is lost if the process is killed), read back to resume a
// campaign or to merge shards.

import { appendFileSync, existsSync, readFileSync } from 'node:fs';
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

export function appendRecord(path: string, r: RunRecord): void {
  appendFileSync(path, JSON.stringify(r) + '\n');
}

/** Every complete line (a line cut short by a kill is ignored); later lines win. */
export function readRecords(path: string): RunRecord[] {
  if (!existsSync(path)) return [];
  const out = new Map<string, RunRecord>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as RunRecord;
      if (typeof r.caseId === 'string' && Number.isInteger(r.index)) out.set(`${r.caseId}#${r.index}`, r);
    } catch {
      // the last line of a killed campaign may be half written
    }
  }
  return [...out.values()];
}

export const unitKey = (caseId: string, index: number): string => `${caseId}#${index}`;
