// Parsed flags of `run` and `replay --seed` to a RunSpec. The flags themselves
// are generated from the field table (src/config/flags.ts); this module is
// loaded by the command handlers, not by `--help`.

import type { FlagValues } from '../config/fields.js';
import { IMPLICIT_SECONDS } from '../config/fields.js';
import { overridesFromFlags } from '../config/flags.js';
import { configOf, runSpec, type BudgetSpec, type Mode, type RunConfig, type RunSpec, type SpecOverrides } from '../config/spec.js';

/** The model flags of `run` and `replay --seed`, by commander attribute. */
export type ModelFlags = Partial<FlagValues>;

export interface RunFlags extends ModelFlags {
  policy: string;
  mode: Mode;
  seed: string;
  reproDir: string;
  json?: boolean;
  /** Every column, no line wrapped (src/report/layout.ts). */
  wide?: boolean;
}

export const specFromFlags = (cmd: 'run' | 'replay', f: ModelFlags): RunSpec => runSpec(overridesFromFlags(cmd, f as Record<string, unknown>) as SpecOverrides);

export const configFromFlags = (f: ModelFlags, cmd: 'run' | 'replay' = 'run'): RunConfig => configOf(specFromFlags(cmd, f));

/** The budget of a run: the flags given, or IMPLICIT_SECONDS when none of schedules/steps/seconds is. */
export function budgetOf(s: RunSpec): BudgetSpec {
  const b = { ...s.budget };
  if (b.schedules === undefined && b.steps === undefined && b.seconds === undefined) b.seconds = IMPLICIT_SECONDS;
  return b;
}
