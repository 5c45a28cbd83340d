// How often one complete controlled schedule catches a built-in canary's bug,
// measured, so that "missed" is called only when a catch was near-certain
// (verdict.ts). Measured on the default configuration (random scheduler, 200-op
// default workload mix, default realm) for each vCPU count, seeds
// scheduleSeed('0x7a7e', i): hits / schedules, the lower of the pte and block
// linear maps. Re-measure when the model changes (test/policy_expectations.test.ts
// pins a row); free mode's rates are at the end. Since R25-R31: v2-no-bbm's expected finding is bbm-violation (its
// first live NS flip), no-dsb (a bug variant) is a canary too.

import { wilsonLower } from './verdict.js';

/** policy -> vCPUs -> [schedules that hit the expected finding, schedules run]. */
export const MEASURED_CATCHES: Record<string, Record<number, [number, number]>> = {
  'v2-no-bbm': { 1: [500, 500], 2: [500, 500], 4: [500, 500], 8: [200, 200], 16: [200, 200] },
  'vmalloc-naive': { 1: [1, 500], 2: [49, 500], 4: [207, 500], 8: [188, 200], 16: [200, 200] },
  'no-dsb': { 1: [357, 500], 2: [459, 500], 4: [499, 500], 8: [200, 200], 16: [200, 200] },
};

/** Workload size the rates were measured at; longer programs are taken to catch at least as often. */
export const MEASURED_OPS = 200;

/**
 * The catch rate a measurement supports (Wilson 95% lower bound) for a built-in
 * policy at this vCPU count: the row of the largest measured count not above it
 * (more vCPUs race more). undefined: never measured.
 */
export function measuredCatchRate(policy: string, vcpus: number): number | undefined {
  const rows = MEASURED_CATCHES[policy];
  if (!rows) return undefined;
  const at = Object.keys(rows).map(Number).filter((v) => v <= vcpus).sort((a, b) => b - a)[0];
  if (at === undefined) return undefined;
  const [hits, n] = rows[at];
  return wilsonLower(hits, n);
}

/**
 * Free mode (real threads, no seeded scheduler): runs whose finding is the
 * expected kind, by `node stress/catch_rates.mjs --free` (seeds scheduleSeed('0x7a7e', i),
 * MEASURED_FREE_OPS ops, the lower of the pte and block linear maps), 200 runs
 * each on a shared 2-core host with other builds running (2026-12-01). The interleaving is the host's, so a row holds
 * only at its own vCPU count, and the rate is re-measured on a CI host that
 * races differently. Without a row a free canary that goes uncaught stays
 * inconclusive (a miss cannot be called).
 */
export const MEASURED_FREE_CATCHES: Record<string, Record<number, [number, number]>> = {
  'v2-no-bbm': { 4: [199, 200] },
  'vmalloc-naive': { 4: [198, 200] },
  'no-dsb': { 4: [197, 200] },
};

/** Program length the free rates were measured at; longer programs are taken to catch at least as often. */
export const MEASURED_FREE_OPS = 1000;

/** The catch rate a free-mode measurement supports (Wilson 95% lower bound), at exactly this vCPU count; undefined: never measured. */
export function measuredFreeCatchRate(policy: string, vcpus: number): number | undefined {
  const row = MEASURED_FREE_CATCHES[policy]?.[vcpus];
  return row ? wilsonLower(row[0], row[1]) : undefined;
}
