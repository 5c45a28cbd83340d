// The first witness of each new finding signature, handed to whoever keeps
// evidence above the run layer (repro/sink.ts writes reproducers from it), so
// running never calls up into reproducer making.

import type { Policy } from '../kernel/policy.js';
import type { RunConfig } from './config.js';
import type { ExecutionResult } from './execution.js';
import type { RunMode, SignatureBucket } from './outcome.js';

export interface Witness {
  bucket: SignatureBucket;
  /** The witnessing run, recorded where it can be (controlled: re-run with recording on; record mode: as run). */
  result: ExecutionResult;
  mode: RunMode;
  /** The config given to the runner. */
  cfg: RunConfig;
  policy: Policy;
  policySpec: string;
}

export type WitnessSink = (w: Witness) => void;
