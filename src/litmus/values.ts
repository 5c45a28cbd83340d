// Value expressions of the VMSA tests, used in thread `reset` registers and in
// the final assertion: numbers, symbolic names (a VA, a physical page, a table
// root), `extz(v, 64)`, `page(x)` (x >> 12), `pte3(x, page_table_base)` (the
// address of x's level-3 entry), `desc3(y, page_table_base)` (y's initial
// level-3 descriptor), `mkdesc3(oa=pa1)`, `mkdesc2(table=...)`, and `L0:` (a
// label of the thread's code).

import { leafDescriptor, tableDescriptor } from './descriptor.js';
import { LitmusParseError, LitmusUnsupported } from './errors.js';
import type { SetupBuilder } from './page_table.js';

type Node = { kind: 'num'; value: bigint } | { kind: 'name'; name: string } | { kind: 'call'; fn: string; args: { key: string | null; value: Node }[] };

function parse(src: string): Node {
  let i = 0;
  const s = src.trim();
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const node = (): Node => {
    ws();
    const m = /^[A-Za-z_0-9][\w.]*/.exec(s.slice(i));
    if (!m) throw new LitmusParseError(`bad value "${src}"`);
    i += m[0].length;
    const word = m[0];
    ws();
    if (s[i] === '(') {
      i++;
      const args: { key: string | null; value: Node }[] = [];
      ws();
      if (s[i] === ')') i++;
      else {
        for (;;) {
          ws();
          const km = /^(\w+)\s*=(?!=)/.exec(s.slice(i));
          let key: string | null = null;
          if (km) {
            key = km[1]!;
            i += km[0].length;
          }
          args.push({ key, value: node() });
          ws();
          if (s[i] === ',') {
            i++;
            continue;
          }
          if (s[i] === ')') {
            i++;
            break;
          }
          throw new LitmusParseError(`bad value "${src}"`);
        }
      }
      return { kind: 'call', fn: word, args };
    }
    if (/^(0x[0-9a-f]+|0b[01]+|\d+)$/i.test(word)) return { kind: 'num', value: BigInt(word) };
    return { kind: 'name', name: word };
  };
  const n = node();
  ws();
  if (s[i] === ':' && n.kind === 'name' && i === s.length - 1) return { kind: 'call', fn: 'label', args: [{ key: null, value: n }] };
  if (i !== s.length) throw new LitmusParseError(`bad value "${src}"`);
  return n;
}

export interface ValueContext {
  setup: SetupBuilder;
  /** label -> code address, for `L0:` */
  label?: (name: string) => bigint | undefined;
}

function evalNode(n: Node, ctx: ValueContext, src: string): bigint {
  const s = ctx.setup.setup;
  if (n.kind === 'num') return n.value;
  if (n.kind === 'name') {
    const v = s.va.get(n.name) ?? ctx.setup.paOf(n.name) ?? s.trees.get(n.name)?.root;
    if (v === undefined) {
      if (/s2_|vm_stage2/.test(n.name)) throw new LitmusUnsupported('stage 2');
      throw new LitmusParseError(`unknown name "${n.name}" in "${src}"`);
    }
    return v;
  }
  const arg = (k: number): Node => {
    const a = n.args[k];
    if (!a) throw new LitmusParseError(`${n.fn} needs ${k + 1} arguments in "${src}"`);
    return a.value;
  };
  const num = (k: number) => evalNode(arg(k), ctx, src);
  const nameArg = (k: number): string => {
    const a = arg(k);
    if (a.kind !== 'name') throw new LitmusParseError(`${n.fn} expects a name in "${src}"`);
    return a.name;
  };
  const tree = (k: number) => {
    const t = s.trees.get(nameArg(k));
    if (!t) {
      if (/s2|stage2/.test(nameArg(k))) throw new LitmusUnsupported('stage 2');
      throw new LitmusParseError(`unknown table "${nameArg(k)}" in "${src}"`);
    }
    return t;
  };
  const keyed = (key: string): Node | undefined => n.args.find((a) => a.key === key)?.value;
  let m: RegExpExecArray | null;
  switch (n.fn) {
    case 'extz':
    case 'exts':
      return num(0);
    case 'page':
      return num(0) >> 12n;
    case 'label': {
      const name = nameArg(0);
      const v = ctx.label?.(name);
      if (v === undefined) throw new LitmusParseError(`unknown label "${name}:" in "${src}"`);
      return v;
    }
    case 'mkdesc3': {
      const oa = keyed('oa');
      if (!oa) throw new LitmusUnsupported(`descriptor "${src}"`);
      return leafDescriptor(evalNode(oa, ctx, src), 3);
    }
    case 'mkdesc2':
    case 'mkdesc1': {
      const t = keyed('table');
      if (!t) throw new LitmusUnsupported(`block descriptor "${src}"`);
      return tableDescriptor(evalNode(t, ctx, src));
    }
    case 'asid':
      throw new LitmusUnsupported('ASIDs');
    case 'ttbr':
      throw new LitmusUnsupported(n.args.some((a) => a.key === 'vmid') ? 'VMIDs' : 'ASIDs');
    case 'bvlshr':
      throw new LitmusUnsupported('stage 2');
  }
  if ((m = /^(pte|desc)([0-3])$/.exec(n.fn))) {
    const first = arg(0);
    const va = first.kind === 'num' ? first.value : s.va.get(nameArg(0));
    if (va === undefined) {
      if (first.kind === 'name' && /^ipa/.test(first.name)) throw new LitmusUnsupported('stage 2');
      throw new LitmusParseError(`${n.fn} of unknown VA "${nameArg(0)}"`);
    }
    const at = ctx.setup.entryAddress(tree(1), va, Number(m[2]), false);
    if (at === null) throw new LitmusParseError(`${n.fn}: no table for ${first.kind === 'num' ? '0x' + va.toString(16) : nameArg(0)} at level ${m[2]}`);
    return m[1] === 'pte' ? at : (s.memory.get(at) ?? 0n);
  }
  throw new LitmusUnsupported(`value function ${n.fn}() in "${src}"`);
}

export function evalValue(src: string, ctx: ValueContext): bigint {
  return evalNode(parse(src), ctx, src);
}
