// The cost model's table: modelled nanoseconds for each hardware/firmware
// action, with the source each default comes from (../shared/docs/cost-anchors.md).
// Modelled cost is deterministic and never mixed with measured wall-clock.

import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

export interface CostEntry { ns: number; source: string }

export const COST_KEYS = [
  'pteWrite', 'tlbiLocalPage', 'tlbiLocalExtraPage', 'localFullFlush', 'refillPenalty',
  'broadcastIssue', 'broadcastSync', 'concurrentK', 'dvmVictim',
  'ipiFirstTarget', 'ipiExtraTarget', 'ipiVictim', 'ipiFullFlushPages',
  'rsiRoundTrip', 'rsiPerGranule', 'blockSplit',
] as const;
export type CostKey = (typeof COST_KEYS)[number];
export type CostTable = Record<CostKey, number>;

/** Defaults, each with its source. "Assumption" marks a number no source gives. */
export const DEFAULT_COSTS: Record<CostKey, CostEntry> = {
  pteWrite: { ns: 10, source: 'assumption: one descriptor store; not measured in the anchors' },
  tlbiLocalPage: { ns: 100, source: 'arch/x86/mm/tlb.c: "each single flush is about 100 ns"; INVLPG 260 cycles (Molnar 2015)' },
  tlbiLocalExtraPage: { ns: 80, source: 'Hansen 2014 via Gorman: ~227 cycles per extra page at ~3 GHz (derived)' },
  localFullFlush: { ns: 800, source: 'Hansen 2014: GLOBAL flush 2283 cycles (derived at ~3 GHz)' },
  refillPenalty: { ns: 0, source: 'uncalibrated: no anchor measures TLB refill after a full flush' },
  broadcastIssue: { ns: 75, source: 'Barry Song batched-flush posting: 95% of a TLBI+DSB is the DSB, so issue = 5% of 1500 (derived)' },
  broadcastSync: { ns: 1500, source: 'Ananta FEAT_TLBIRANGE v6: 2.0 vs 0.45 us per page, ~1.5 us per-page TLBI+DSB sync (derived)' },
  concurrentK: { ns: 0.4, source: 'fit to Arcangeli 2020: 32 concurrent broadcasters 15.6x slower than local (derived, range 0.3-0.5)' },
  dvmVictim: { ns: 50, source: 'assumption: per broadcast, every other PE; only the aggregate +25% (Indoh 2019) is sourced' },
  ipiFirstTarget: { ns: 750, source: 'Amit 2019 (Haswell): first remote target +775 ns (derived)' },
  ipiExtraTarget: { ns: 70, source: 'Amit 2019 (Haswell): each further target +68 ns (derived)' },
  ipiVictim: { ns: 500, source: 'assumption: below the 775 ns round trip (cost-anchors recommended model)' },
  ipiFullFlushPages: { ns: 33, source: 'x86 tlb_single_page_flush_ceiling = 33 pages (a page count, not ns)' },
  rsiRoundTrip: { ns: 4000, source: 'TUM-DSE CVM_eval vmexit README example: ~3.85 us exit round trip (platform not stated)' },
  rsiPerGranule: { ns: 200, source: 'assumption: no per-granule RSI_IPA_STATE_SET figure is published' },
  blockSplit: { ns: 2000, source: 'Koller eager page splitting v4: 3.2-5.1 us per 2 MiB block per vCPU (derived)' },
};

export const defaultCostTable = (): CostTable =>
  Object.fromEntries(COST_KEYS.map((k) => [k, DEFAULT_COSTS[k].ns])) as CostTable;

/** The default table with the values of a JSON file ({ "broadcastSync": 2000, ... }) laid over it. Plain checks: workers load this file, and zod stays out of them. */
export function loadCostTable(path: string): CostTable {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`cost table ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`cost table ${path}: (top level): expected an object of key: ns`);
  for (const [k, v] of Object.entries(json)) {
    if (!(COST_KEYS as readonly string[]).includes(k)) throw new ConfigError(`cost table ${path}: Unrecognized key: "${k}" (known keys: ${COST_KEYS.join(', ')})`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigError(`cost table ${path}: ${k}: expected a number >= 0, got ${JSON.stringify(v)}`);
  }
  return { ...defaultCostTable(), ...(json as Partial<CostTable>) };
}
