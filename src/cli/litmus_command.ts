// `realmrace litmus FILE... [--show TOKEN]`: check Arm VMSA litmus tests
// (.litmus.toml) exhaustively and print herd-style results; with --show, replay
// one outcome's witness step by step.
// Exit: 0 all checked; 5 a test uses an unsupported feature (stage 2, ASIDs,
// VMIDs, EL2, ...); 1 a file does not parse (1 outranks 5 over several files).

import { performance } from 'node:perf_hooks';
import { checkFile, readTest } from '../litmus/check.js';
import { LitmusParseError, LitmusUnsupported } from '../litmus/errors.js';
import { replay } from '../litmus/explore.js';
import { formatHerd, formatReplay } from '../litmus/report.js';

export interface LitmusFlags {
  show?: string;
  width?: number;
}

export const EXIT_UNSUPPORTED = 5;

function worst(a: number, b: number): number {
  const rank = (c: number) => (c === 1 ? 2 : c === EXIT_UNSUPPORTED ? 1 : 0);
  return rank(b) > rank(a) ? b : a;
}

export function litmusCommand(files: string[], f: LitmusFlags): number {
  if (f.show !== undefined) {
    if (files.length !== 1) {
      process.stderr.write('realmrace: error: --show takes exactly one test file\n');
      return 1;
    }
    try {
      const test = readTest(files[0]!);
      const x = replay(test, f.show);
      process.stdout.write(formatReplay(test.name, test.threads.length, x, f.width ?? 120) + '\n');
      return 0;
    } catch (e) {
      if (e instanceof LitmusUnsupported) {
        process.stdout.write(`${files[0]}: ${e.message}\n`);
        return EXIT_UNSUPPORTED;
      }
      if (e instanceof LitmusParseError) {
        process.stderr.write(`realmrace: error: ${files[0]}: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  }
  let exit = 0;
  files.forEach((file, i) => {
    const c = checkFile(file, () => performance.now());
    if (c.kind === 'ok') {
      if (i > 0) process.stdout.write('\n');
      process.stdout.write(formatHerd(c.result, c.test.assertion, file, c.ms / 1000) + '\n');
    } else if (c.kind === 'unsupported') {
      if (i > 0) process.stdout.write('\n');
      process.stdout.write(`Test ${c.name} (${file})\nunsupported: ${c.feature}\n`);
      exit = worst(exit, EXIT_UNSUPPORTED);
    } else {
      process.stderr.write(`realmrace: error: ${file}: ${c.message}\n`);
      exit = worst(exit, 1);
    }
  });
  return exit;
}
