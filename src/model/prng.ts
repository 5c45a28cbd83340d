// The seedrandom generators of the model, the workload and the schedulers (alea
// and tychei), loaded from their own files with require(). The package index
// also loads its ARC4 generator, which require()s node:crypto for auto-seeding
// we never use; and an ES import of a CommonJS file starts node's CommonJS
// export lexer (WebAssembly) in every worker thread. Same generators, same streams.

import { createRequire } from 'node:module';
import type Seedrandom from 'seedrandom';

const require = createRequire(import.meta.url);

export const seedrandom = {
  alea: require('seedrandom/lib/alea.js') as (seed: string) => Seedrandom.PRNG,
  /** Takes a 32-bit integer seed directly (the package's typings only admit strings). */
  tychei: require('seedrandom/lib/tychei.js') as (seed: string | number) => Seedrandom.PRNG,
};

export declare namespace seedrandom {
  type PRNG = Seedrandom.PRNG;
}
