// The two ways a litmus file can be refused: it does not parse (exit 1), or it
// uses a feature the checker does not model (exit 5). Both print one line.

export class LitmusParseError extends Error {}

/** A feature outside the modelled subset: stage 2, ASIDs, VMIDs, EL2, an unknown instruction. */
export class LitmusUnsupported extends Error {
  constructor(readonly feature: string) {
    super(`unsupported: ${feature}`);
  }
}
