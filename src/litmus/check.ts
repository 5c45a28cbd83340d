// One litmus file from disk to a verdict: parsed, explored, or refused.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LitmusParseError, LitmusUnsupported } from './errors.js';
import { explore, type ExploreResult } from './explore.js';
import { parseLitmusToml, type LitmusTest } from './toml_test.js';

export type Checked =
  | { kind: 'ok'; file: string; test: LitmusTest; result: ExploreResult; ms: number }
  | { kind: 'unsupported'; file: string; name: string; feature: string }
  | { kind: 'error'; file: string; name: string; message: string };

export function testNameOf(file: string): string {
  return basename(file).replace(/\.litmus\.toml$/, '').replace(/\.toml$/, '');
}

export function readTest(file: string): LitmusTest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LitmusParseError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  return parseLitmusToml(text, testNameOf(file));
}

/** `now` is injected so this file stays free of clocks (the CLI passes performance.now). */
export function checkFile(file: string, now: () => number): Checked {
  const name = testNameOf(file);
  try {
    const test = readTest(file);
    const t0 = now();
    const result = explore(test);
    return { kind: 'ok', file, test, result, ms: now() - t0 };
  } catch (e) {
    if (e instanceof LitmusUnsupported) return { kind: 'unsupported', file, name, feature: e.feature };
    if (e instanceof LitmusParseError) return { kind: 'error', file, name, message: e.message };
    throw e;
  }
}
