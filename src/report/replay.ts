// The paste-ready command line that re-runs one schedule, generated from the
// run spec (src/config/to_flags.ts): every field that differs from its default
// is printed, so the line rebuilds the config exactly.

import type { RunConfig } from '../run/config.js';
import { runSpec } from '../config/spec.js';
import { commandLine } from '../config/to_flags.js';

/**
 * The flags that rebuild this config and seed: `npx realmrace replay <these>`
 * re-runs the schedule under the seeded scheduler (free-mode seeds re-run in
 * controlled mode: the same programs, not the same interleaving).
 */
export function replayCommand(policySpec: string, cfg: RunConfig, seed: string): string {
  return commandLine('npx realmrace replay', { ...runSpec(), ...cfg, seed, policy: policySpec }, 'replay');
}
