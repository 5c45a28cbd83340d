// A spec back to the flags that rebuild it: `realmrace replay <these>` pastes
// straight back in. Generated from the field table, so every field a command
// takes round-trips (test/spec_flags.test.ts): values at the command's default
// are left out, everything else is printed, shell-quoted where needed.

import { defaultOf, fieldsOf, type Command } from './fields.js';
import { flagOf } from './flags.js';
import { getPath, mapDefault, mapKeys, type RunSpec } from './spec.js';

/** Quote for a POSIX shell unless the word is plainly safe. */
export const shellQuote = (s: string): string => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The argv (unquoted) that gives back this spec's fields under `cmd`. */
export function toFlags(spec: RunSpec, cmd: Command = 'run'): string[] {
  const out: string[] = [];
  for (const f of fieldsOf(cmd)) {
    const v = getPath(spec, f.path);
    if (v === undefined) continue;
    if (f.kind === 'map') {
      const d = mapDefault(f);
      const m = v as Record<string, number>;
      const diff = mapKeys(f).filter((k) => m[k] !== undefined && m[k] !== d[k]).map((k) => `${k}=${m[k]}`);
      if (diff.length) out.push(`--${f.flag}`, diff.join(','));
      continue;
    }
    const d = defaultOf(cmd, f);
    if (v === d && !('always' in f && f.always)) continue;
    if (f.kind === 'bool') {
      // Only the non-default direction has a flag: --tlbi-range (default off), --no-flush-all (default on).
      if (v === !('negate' in f && f.negate)) out.push(flagOf(f));
      continue;
    }
    out.push(`--${f.flag}`, String(v));
  }
  return out;
}

/** One paste-ready line: `realmrace <cmd> <flags>`, quoted for the shell. */
export const commandLine = (prefix: string, spec: RunSpec, cmd: Command): string =>
  [prefix, ...toFlags(spec, cmd).map(shellQuote)].join(' ');
