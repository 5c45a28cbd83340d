// A witness sink that makes one reproducer per new finding signature (run
// layer -> here, never the other way round); the CLI writes them to files.

import type { Witness } from '../run/witness.js';
import { reproducerOf } from './make.js';
import type { Reproducer } from './reproducer.js';

export class ReproducerSink {
  private readonly made = new Map<string, Reproducer>();

  /** Pass this to runPolicyControlled/runPolicyFree. */
  readonly sink = (w: Witness): void => {
    this.made.set(`${w.policy.name}\n${w.bucket.signature}`, reproducerOf(w.cfg, w.policy, w.policySpec, w.result, w.mode));
  };

  get(policy: string, signature: string): Reproducer | undefined {
    return this.made.get(`${policy}\n${signature}`);
  }
}
