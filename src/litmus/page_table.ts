// The `page_table_setup` language of the VMSA litmus tests (isla's
// --armv8-page-tables): declares physical pages, maps symbolic VAs, writes
// initial memory, and builds real 4-level translation tables in memory.
//   physical pa1 pa2;        intermediate ipa1;      assert pa1 == ipa1;
//   x |-> pa1;  x |-> invalid [at level N];  x |-> table(0x283000) at level 2;
//   x ?-> pa2;  (a possible later value: nothing to build)
//   identity 0x1000 with code;   *pa1 = 1;  *x = 1;
//   s1table new_table 0x280000 { x |-> invalid; ... }
// Stage 2 (s2table, IPA mappings) is refused as unsupported.

import { isValid, leafDescriptor, PAGE, tableDescriptor, tableIndex, OA_MASK } from './descriptor.js';
import { LitmusParseError, LitmusUnsupported } from './errors.js';

/** Where the checker puts symbolic addresses (any choice works: the tests are symbolic). */
const VA_BASE = 0x4000_0000n; // one 2 MiB region per VA, so `at level 2` edits touch only that VA
const VA_STRIDE = 0x20_0000n;
const PA_BASE = 0x1000_0000n;
export const PAGE_TABLE_BASE = 0x2000_0000n;

export interface Tree {
  name: string;
  root: bigint;
  /** next free table page of this tree (tables are allocated in order from the root) */
  next: bigint;
}

export interface Setup {
  /** symbolic VA name -> VA */
  va: Map<string, bigint>;
  /** physical page name -> PA */
  pa: Map<string, bigint>;
  /** table tree name (page_table_base, new_table, ...) -> tree */
  trees: Map<string, Tree>;
  /** initial memory, 8-byte words by PA */
  memory: Map<bigint, bigint>;
  /** the initial (|->) target of each symbolic VA in the main tree, for `*x` */
  initialPa: Map<string, bigint | null>;
}

function parseNumber(s: string): bigint | null {
  const t = s.trim();
  if (!/^(0x[0-9a-f_]+|0b[01_]+|\d+)$/i.test(t)) return null;
  return BigInt(t.replace(/_/g, ''));
}

/** Splits statements on `;` at brace depth 0, keeping `name addr { ... }` blocks whole. */
function statements(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text.replace(/\/\/[^\n]*/g, '')) {
    if (ch === '{') depth++;
    if (ch === '}') {
      depth--;
      if (depth === 0) {
        out.push(cur + '}');
        cur = '';
        continue;
      }
    }
    if (ch === ';' && depth === 0) {
      if (cur.trim() !== '') out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) throw new LitmusParseError('page_table_setup: unbalanced braces');
  if (cur.trim() !== '') out.push(cur);
  return out.map((s) => s.trim().replace(/\s+/g, ' ')).filter((s) => s !== '');
}

export class SetupBuilder {
  readonly setup: Setup;
  private readonly intermediate = new Set<string>();
  private readonly ipaAlias = new Map<string, string>();

  constructor(symbolic: string[]) {
    this.setup = { va: new Map(), pa: new Map(), trees: new Map(), memory: new Map(), initialPa: new Map() };
    this.setup.trees.set('page_table_base', { name: 'page_table_base', root: PAGE_TABLE_BASE, next: PAGE_TABLE_BASE + PAGE });
    for (const s of symbolic) this.vaOf(s);
  }

  private vaOf(name: string): bigint {
    let v = this.setup.va.get(name);
    if (v === undefined) {
      v = VA_BASE + BigInt(this.setup.va.size) * VA_STRIDE;
      this.setup.va.set(name, v);
    }
    return v;
  }

  /** A physical page by name (an IPA asserted equal to a PA names that PA). */
  paOf(name: string): bigint | undefined {
    const alias = this.ipaAlias.get(name);
    return this.setup.pa.get(alias ?? name);
  }

  /** The address of `va`'s entry at `level` in `tree`, allocating tables on the way. */
  entryAddress(tree: Tree, va: bigint, level: number, allocate: boolean): bigint | null {
    let table = tree.root;
    for (let l = 0; l < level; l++) {
      const at = table + tableIndex(va, l) * 8n;
      const d = this.setup.memory.get(at) ?? 0n;
      if (isValid(d) && (d & 2n) === 2n) {
        table = d & OA_MASK;
        continue;
      }
      if (!allocate) return null;
      if (isValid(d)) throw new LitmusUnsupported(`page_table_setup: a table below a block mapping`);
      const fresh = tree.next;
      tree.next += PAGE;
      this.setup.memory.set(at, tableDescriptor(fresh));
      table = fresh;
    }
    return table + tableIndex(va, level) * 8n;
  }

  run(text: string, tree: Tree = this.setup.trees.get('page_table_base')!): void {
    for (const st of statements(text)) this.statement(st, tree);
  }

  private statement(st: string, tree: Tree): void {
    let m: RegExpExecArray | null;
    if ((m = /^physical ((?:[\w]+ ?)+)$/.exec(st))) {
      for (const n of m[1]!.trim().split(' ')) {
        if (!this.setup.pa.has(n)) this.setup.pa.set(n, PA_BASE + BigInt(this.setup.pa.size) * PAGE);
      }
      return;
    }
    if ((m = /^(?:aligned (\d+) )?virtual ((?:[\w]+ ?)+)$/.exec(st))) {
      // every VA here sits alone in its own 2 MiB region, so alignment up to 2 MiB holds
      if (m[1] !== undefined && BigInt(m[1]) > VA_STRIDE) throw new LitmusUnsupported(`VA alignment ${m[1]}`);
      for (const n of m[2]!.trim().split(' ')) this.vaOf(n);
      return;
    }
    if ((m = /^intermediate ((?:[\w]+ ?)+)$/.exec(st))) {
      for (const n of m[1]!.trim().split(' ')) this.intermediate.add(n);
      return;
    }
    if (/^option \w+ = \w+$/.test(st)) return;
    if ((m = /^assert (\w+) == (\w+)$/.exec(st))) {
      const [a, b] = [m[1]!, m[2]!];
      if (this.intermediate.has(b) && this.setup.pa.has(a)) this.ipaAlias.set(b, a);
      else if (this.intermediate.has(a) && this.setup.pa.has(b)) this.ipaAlias.set(a, b);
      else throw new LitmusParseError(`page_table_setup: cannot assert "${st}"`);
      return;
    }
    if ((m = /^assert (\w+)\[(\d+)\.\.(\d+)\] != (\w+)\[(\d+)\.\.(\d+)\]$/.exec(st))) {
      const bits = (name: string, hi: string, lo: string) => (this.vaOf(name) >> BigInt(lo)) & ((1n << BigInt(Number(hi) - Number(lo) + 1)) - 1n);
      if (bits(m[1]!, m[2]!, m[3]!) === bits(m[4]!, m[5]!, m[6]!)) throw new LitmusUnsupported(`VA layout for "${st}"`);
      return;
    }
    if (/^assert /.test(st)) throw new LitmusUnsupported(`page_table_setup assertion "${st}"`);
    if ((m = /^s([12])table (\w+)(?: (\S+))? ?(\{.*\})?$/.exec(st))) {
      if (m[1] === '2') throw new LitmusUnsupported('stage 2 (s2table)');
      if (!m[3] || !m[4]) throw new LitmusUnsupported('stage 2 (nested s1table reference)');
      const root = parseNumber(m[3]);
      if (root === null) throw new LitmusParseError(`page_table_setup: bad table address in "${st}"`);
      const t: Tree = { name: m[2]!, root, next: root + PAGE };
      this.setup.trees.set(t.name, t);
      this.run(m[4].slice(1, -1), t);
      return;
    }
    if ((m = /^identity (\S+) with (code|default)$/.exec(st))) {
      const a = parseNumber(m[1]!);
      if (a === null) throw new LitmusUnsupported(`stage 2 (identity ${m[1]})`);
      const at = this.entryAddress(tree, a, 3, true)!;
      this.setup.memory.set(at, leafDescriptor(a, 3));
      return;
    }
    if ((m = /^\*(\w+) = (\S+)$/.exec(st))) {
      const v = parseNumber(m[2]!);
      if (v === null) throw new LitmusParseError(`page_table_setup: bad value in "${st}"`);
      const pa = this.paOf(m[1]!);
      if (pa !== undefined) {
        this.setup.memory.set(pa, v);
        return;
      }
      const target = this.setup.initialPa.get(m[1]!);
      if (target === undefined || target === null) throw new LitmusParseError(`page_table_setup: *${m[1]} names no mapped page`);
      this.setup.memory.set(target, v);
      return;
    }
    if ((m = /^(\w+) (\|->|\?->) (.+?)(?: at level (\d))?(?: with (.+))?$/.exec(st))) {
      const [, lhs, arrow, rhs, lvl, attrs] = m as unknown as [string, string, string, string, string | undefined, string | undefined];
      if (this.intermediate.has(lhs)) {
        if (this.ipaAlias.has(lhs)) return; // ipa == pa: stage 1 only, the IPA mapping is the identity
        throw new LitmusUnsupported('stage 2 (IPA mapping)');
      }
      if (this.setup.pa.has(lhs)) throw new LitmusParseError(`page_table_setup: cannot map physical page ${lhs}`);
      const level = lvl === undefined ? 3 : Number(lvl);
      if (level < 1 || level > 3) throw new LitmusUnsupported(`mapping at level ${level}`);
      const target = rhs.trim();
      if (this.intermediate.has(target) && !this.ipaAlias.has(target)) throw new LitmusUnsupported('stage 2 (VA mapped to an IPA)');
      if (arrow === '?->') {
        this.vaOf(lhs);
        return;
      }
      const va = this.vaOf(lhs);
      let desc: bigint;
      let pa: bigint | null = null;
      let ap: bigint | undefined;
      if (attrs !== undefined) {
        const a = /^\[AP = (0b[01]+|\d+)\] and default$/.exec(attrs.trim());
        if (!a) throw new LitmusUnsupported(`descriptor attributes "${attrs}"`);
        ap = BigInt(a[1]!);
      }
      let tm: RegExpExecArray | null;
      if (target === 'invalid') desc = 0n;
      else if ((tm = /^raw\((\S+)\)$/.exec(target))) {
        const v = parseNumber(tm[1]!);
        if (v === null) throw new LitmusParseError(`page_table_setup: bad raw value in "${st}"`);
        desc = v;
      } else if ((tm = /^table\((\S+)\)$/.exec(target))) {
        const v = parseNumber(tm[1]!);
        if (v === null) throw new LitmusParseError(`page_table_setup: bad table address in "${st}"`);
        desc = tableDescriptor(v);
      } else {
        const p = this.paOf(target);
        if (p === undefined) throw new LitmusParseError(`page_table_setup: unknown page "${target}" in "${st}"`);
        if (level !== 3) throw new LitmusUnsupported(`block mapping at level ${level}`);
        desc = leafDescriptor(p, 3, ap);
        pa = p;
      }
      const at = this.entryAddress(tree, va, level, true)!;
      this.setup.memory.set(at, desc);
      if (tree.name === 'page_table_base' && !this.setup.initialPa.has(lhs)) this.setup.initialPa.set(lhs, pa);
      return;
    }
    throw new LitmusParseError(`page_table_setup: cannot parse "${st}"`);
  }
}

export function buildSetup(text: string, symbolic: string[]): SetupBuilder {
  const b = new SetupBuilder(symbolic);
  b.run(text);
  return b;
}
