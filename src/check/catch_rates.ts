// How often one complete controlled schedule catches a built-in canary's bug,
// measured, so that "missed" is called only when a catch was near-certain
// (verdict.ts). Measured on the default configuration (random scheduler, 200-op
// default workload mix, default realm) for each vCPU count, seeds
// scheduleSeed('0x7a7e', i): hits / schedules, the lower of the pte and block
// linear maps. Re-measure when the model changes (test/verdict.test.ts pins a row).

import { wilsonLower } from './verdict.js';

/** policy -> vCPUs -> [schedules that hit the expected finding, schedules run]. */
export const MEASURED_CATCHES: Record<string, Record<number, [number, number]>> = {
  'v2-no-bbm': { 1: [0, 500], 2: [5, 500], 4: [39, 500], 8: [39, 200], 16: [133, 200] },
  'vmalloc-naive': { 1: [3, 500], 2: [50, 500], 4: [200, 500], 8: [182, 200], 16: [200, 200] },
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
