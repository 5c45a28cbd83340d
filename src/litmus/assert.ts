// The [final] assertion: `1:X0 = 1 & 1:X2=0`, `~(0:X2 = 0)`, `*x=1`, `true`,
// with `&`, `|`, `~` and parentheses (`~` binds tightest, then `&`, then `|`).
// Right-hand sides are value expressions (numbers, desc3(...), mkdesc3(...)).

import { LitmusParseError } from './errors.js';
import type { SetupBuilder } from './page_table.js';
import { evalValue } from './values.js';

export type Loc = { kind: 'reg'; thread: number; reg: number; text: string } | { kind: 'mem'; name: string; pa: bigint; text: string };

export type Cond =
  | { kind: 'const'; value: boolean }
  | { kind: 'eq'; loc: Loc; value: bigint }
  | { kind: 'not'; c: Cond }
  | { kind: 'and' | 'or'; a: Cond; b: Cond };

export interface Assertion {
  cond: Cond;
  /** the locations it reads, in order of first appearance (the outcome's columns) */
  locs: Loc[];
}

export function parseAssertion(src: string, setup: SetupBuilder, threads: number): Assertion {
  const toks = src.match(/\s*(~|&|\||\(|\)|==|=|[^\s~&|()=]+(?:\([^()]*\))?)/g)?.map((t) => t.trim()) ?? [];
  if (toks.join('').replace(/\s/g, '') !== src.replace(/\s/g, '')) throw new LitmusParseError(`bad assertion "${src}"`);
  let i = 0;
  const locs: Loc[] = [];
  const peek = () => toks[i];
  const loc = (t: string): Loc => {
    let m: RegExpExecArray | null;
    if ((m = /^(\d+):[XR](\d+)$/i.exec(t))) {
      const thread = Number(m[1]), r = Number(m[2]);
      if (thread >= threads || r > 30) throw new LitmusParseError(`assertion names ${t}: no such thread or register`);
      return { kind: 'reg', thread, reg: r, text: `${thread}:X${r}` };
    }
    if ((m = /^\*(\w+)$/.exec(t))) {
      const pa = setup.setup.initialPa.get(m[1]!) ?? setup.paOf(m[1]!);
      if (pa === undefined || pa === null) throw new LitmusParseError(`assertion names ${t}: no such mapped location`);
      return { kind: 'mem', name: m[1]!, pa, text: t };
    }
    throw new LitmusParseError(`assertion: expected a location, got "${t}"`);
  };
  const atom = (): Cond => {
    const t = toks[i++];
    if (t === undefined) throw new LitmusParseError(`assertion ends early: "${src}"`);
    if (t === '~') return { kind: 'not', c: atom() };
    if (t === '(') {
      const c = or();
      if (toks[i++] !== ')') throw new LitmusParseError(`assertion: missing ")" in "${src}"`);
      return c;
    }
    if (t === 'true' || t === 'false') return { kind: 'const', value: t === 'true' };
    const l = loc(t);
    const op = toks[i++];
    if (op !== '=' && op !== '==') throw new LitmusParseError(`assertion: expected "=" after ${t} in "${src}"`);
    const v = toks[i++];
    if (v === undefined) throw new LitmusParseError(`assertion ends early: "${src}"`);
    if (!locs.some((x) => x.text === l.text)) locs.push(l);
    return { kind: 'eq', loc: l, value: evalValue(v, { setup }) };
  };
  const and = (): Cond => {
    let c = atom();
    while (peek() === '&') {
      i++;
      c = { kind: 'and', a: c, b: atom() };
    }
    return c;
  };
  const or = (): Cond => {
    let c = and();
    while (peek() === '|') {
      i++;
      c = { kind: 'or', a: c, b: and() };
    }
    return c;
  };
  const cond = or();
  if (i !== toks.length) throw new LitmusParseError(`assertion: unexpected "${toks[i]}" in "${src}"`);
  return { cond, locs };
}

/** Reads a location in a final state: undefined = a register never written. */
export type Reader = (l: Loc) => bigint | undefined;

export function holds(c: Cond, read: Reader): boolean {
  switch (c.kind) {
    case 'const': return c.value;
    case 'eq': {
      const v = read(c.loc);
      return v !== undefined && v === c.value;
    }
    case 'not': return !holds(c.c, read);
    case 'and': return holds(c.a, read) && holds(c.b, read);
    case 'or': return holds(c.a, read) || holds(c.b, read);
  }
}
