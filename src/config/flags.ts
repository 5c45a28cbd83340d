// Commander options generated from the field table, and the way back from
// parsed flags to spec overrides. Loaded by `realmrace --help`, so it imports
// only commander and the plain table (no zod, no model).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import { parseSeed } from './seed.js';
import { attrOf, checkValue, choicesOf, defaultOf, fieldsOf, PROFILES, type Command as Cmd, type Field, type FieldDef, type FieldPath } from './fields.js';

// commander is CommonJS: require() it. An ES import of a CommonJS module starts
// node's export lexer first, a few ms of every `realmrace` start-up.
const { InvalidArgumentError, Option } = createRequire(import.meta.url)('commander') as typeof Commander;
type Command = Commander.Command;

/** `--vcpus <n>`, `--tlbi-range`, `--no-flush-all`. */
export const flagOf = (f: FieldDef): string => (f.kind === 'bool' ? `--${f.negate ? 'no-' : ''}${f.flag}` : `--${f.flag} ${f.arg}`);

const invalid = (bad: { want: string; got: string }): Commander.InvalidArgumentError => new InvalidArgumentError(`expected ${bad.want}, got ${bad.got}`);

/** A JSON file of map values, or `key=value,...`. Keys the table does not know are checked when the spec is built. */
function parseMap(f: FieldDef, raw: string): Record<string, number> {
  let m: Record<string, unknown>;
  if (raw.includes('=')) {
    m = {};
    for (const part of raw.split(',').map((x) => x.trim()).filter(Boolean)) {
      const [k, v, ...rest] = part.split('=');
      if (!k || v === undefined || v.trim() === '' || rest.length) throw new InvalidArgumentError(`expected key=value pairs separated by commas, got "${part}"`);
      m[k.trim()] = Number(v);
    }
  } else {
    const what = f.path === 'realm.costs' ? 'cost table' : `${f.flag} file`;
    let text: string;
    try {
      text = readFileSync(raw, 'utf8');
    } catch (e) {
      throw new InvalidArgumentError(`${what} ${raw}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      m = JSON.parse(text);
    } catch (e) {
      throw new InvalidArgumentError(`${what} ${raw} is not valid JSON: ${(e as Error).message.replace(/\s*\n\s*/g, ' ')}`);
    }
  }
  const bad = checkValue(f, m);
  if (bad) throw new InvalidArgumentError(`${f.path === 'realm.costs' ? `cost table ${raw}: ` : ''}expected ${bad.want}, got ${bad.got}`);
  return m as Record<string, number>;
}

/** The parser of one flag's value: the field's own check, so a flag and a file reject the same values. */
function parserOf(cmd: Cmd, f: FieldDef): (raw: string) => unknown {
  const choices = choicesOf(cmd, f);
  switch (f.kind) {
    case 'int':
      return (raw) => {
        if (!/^\d+$/.test(raw.trim())) throw new InvalidArgumentError(`expected an integer, got "${raw}"`);
        const v = Number(raw);
        const bad = checkValue(f, v);
        if (bad) throw invalid(bad);
        return v;
      };
    case 'number':
      return (raw) => {
        const v = raw.trim() === '' ? NaN : Number(raw);
        const bad = checkValue(f, v);
        if (bad) throw invalid(bad);
        return v;
      };
    case 'map':
      return (raw) => parseMap(f, raw);
    case 'seed':
      return (raw) => {
        try {
          return parseSeed(raw);
        } catch (e) {
          throw new InvalidArgumentError((e as Error).message);
        }
      };
    default:
      return (raw) => {
        const bad = checkValue(f, raw, choices);
        if (bad) throw invalid(bad);
        return raw;
      };
  }
}

/** An integer flag outside the spec (shrink --max-tests, show --width): the same message as the spec's. */
export const intArg = (min: number, max = Number.MAX_SAFE_INTEGER) => (raw: string): number => {
  if (!/^\d+$/.test(raw.trim())) throw new InvalidArgumentError(`expected an integer, got "${raw}"`);
  const v = Number(raw);
  if (v < min || v > max) throw new InvalidArgumentError(`expected ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}..${max}`}, got ${v}`);
  return v;
};

/** The help text: the field's doc, and why this command's default differs from the table's. */
function helpOf(cmd: Cmd, f: FieldDef): string {
  const p = PROFILES[cmd];
  const doc = p.docs?.[f.path as FieldPath] ?? f.doc;
  const o = p.defaults?.[f.path as FieldPath];
  if (!o || !o.why) return doc;
  return `${doc} (${o.why}${f.default === undefined ? '' : `; run: ${String(f.default)}`})`;
}

/** Commander options for every field a command takes, with its defaults. */
export function addSpecOptions(c: Command, cmd: Cmd, only?: (f: Field) => boolean): Command {
  for (const f of fieldsOf(cmd)) {
    if (only && !only(f)) continue;
    const o = new Option(flagOf(f), helpOf(cmd, f));
    if (f.kind !== 'bool') o.argParser(parserOf(cmd, f));
    const d = defaultOf(cmd, f);
    // Booleans default to absent (false) or, as --no-x, to true; maps are laid over their defaults.
    if (d !== undefined && f.kind !== 'bool' && f.kind !== 'map') o.default(d);
    c.addOption(o);
  }
  return c;
}

/** Parsed flags (commander attributes) back to nested spec overrides: only what a flag or its default gave. */
export function overridesFromFlags(cmd: Cmd, flags: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fieldsOf(cmd)) {
    const v = flags[attrOf(f)];
    if (v === undefined) continue;
    const ks = f.path.split('.');
    let x = out;
    for (const k of ks.slice(0, -1)) x = (x[k] ??= {}) as Record<string, unknown>;
    x[ks[ks.length - 1]] = v;
  }
  return out;
}
