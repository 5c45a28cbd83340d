// The random stream of one workload operation. Its first words are drawn from
// the vCPU's program generator while the program is laid out (cheap: no new
// generator per operation); an operation that needs more continues from a
// seedrandom generator seeded with the operation's own seed. Either way the
// stream depends only on (program seed, operation index).

import { seedrandom } from './prng.js';

export const OP_WORDS = 16;

export class OpRandom {
  private readonly words = new Uint32Array(OP_WORDS);
  private pos = OP_WORDS;
  private seed = 0;
  private more: seedrandom.PRNG | null = null;
  /** seedWith()'s seed, until the first word is drawn (most CPUs start an operation before they draw any). */
  private fixedSeed: string | null = null;

  /** Start a new operation: its words and seed come from the program generator. */
  reset(gen: seedrandom.PRNG): void {
    for (let i = 0; i < OP_WORDS; i++) this.words[i] = gen.int32() >>> 0;
    this.seed = gen.int32() >>> 0;
    this.pos = 0;
    this.more = null;
    this.fixedSeed = null;
  }

  /** Start from a fixed seed (boot, the host agent). */
  seedWith(s: string): void {
    this.pos = OP_WORDS;
    this.more = null;
    this.fixedSeed = s; // the generator is made when the first word is drawn: seeding one costs microseconds
  }

  /** Uniform 32-bit unsigned integer. */
  uint32(): number {
    if (this.pos < OP_WORDS) return this.words[this.pos++];
    if (this.more === null) {
      if (this.fixedSeed !== null) this.more = seedrandom.alea(this.fixedSeed);
      // tychei takes a 32-bit integer seed directly (its typings only admit strings).
      else this.more = seedrandom.tychei(this.seed as unknown as string);
    }
    return this.more.int32() >>> 0;
  }

  /** Uniform in [0, 1). */
  double(): number {
    return this.uint32() / 4294967296;
  }
}
