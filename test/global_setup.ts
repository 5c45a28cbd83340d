// Tests write only to temp dirs (issue 9 item 5): after the whole run, the
// repository's top level holds nothing it did not hold before (a reproducer
// directory, sweep or campaign outputs), else `npm test` fails naming it.

import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let before = new Set<string>();

export function setup(): void {
  before = new Set(readdirSync(ROOT));
}

export function teardown(): void {
  const added = readdirSync(ROOT).filter((f) => !before.has(f) && f !== 'dist' && f !== 'node_modules');
  if (!added.length) return;
  // vitest reports an error thrown here but still exits 0: set the status too.
  process.exitCode = 1;
  throw new Error(`tests wrote into the repository tree: ${added.join(', ')} (use a temp dir)`);
}
