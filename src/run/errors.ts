// Errors of running a policy. ConfigError itself lives in src/errors.ts (every
// layer throws it); it is re-exported here for the run layer's callers.

import { ConfigError } from '../errors.js';

export { ConfigError };

/** A policy's own code threw (not a modelled kernel death). */
export class PolicyError extends ConfigError {}

/** The one wording of a policy error, in every mode (actor: free mode, where steps are per actor). */
export const policyErrorText = (policy: string, step: number, seed: string, e: unknown, actor?: number): string =>
  `policy ${policy} threw at step ${step}${actor !== undefined ? ` on actor ${actor}` : ''} (seed ${seed}): ${(e as Error)?.message ?? String(e)}`;
