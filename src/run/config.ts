// Everything that determines a run, apart from the seed and the policy: the
// RunConfig part of the run spec (src/config/spec.ts), which owns its defaults.

export type { RunConfig } from '../config/spec.js';
export { runConfig } from '../config/spec.js';
