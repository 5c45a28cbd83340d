// The calling convention of a user policy's ops, checked at every call (issue 9
// item 9). Each op must return a generator (a `function*`, or a function that
// returns one), and the generator must return what the kernel function returns:
// set_memory_{de,en}crypted() 0 or -errno; the allocation hooks an address or
// -errno, the free hooks nothing. Without the check a string or undefined flows into the
// model as an address or errno and comes out as a made-up kernel finding (a
// translation fault at "VA page ok0"); with it, the run stops with a policy
// error naming the op. Built-in policies are trusted and not wrapped.

import type { KernelCtx, KGen } from './context.js';
import type { MemCryptOps, Policy } from './policy.js';
import { ConfigError } from '../errors.js';

type Want = 'errno' | 'int' | 'void';

/** Each op: what its generator must return, and the kernel's words for it. */
const OPS: [keyof MemCryptOps, Want, string][] = [
  ['set_memory_decrypted', 'errno', '0 or -errno'],
  ['set_memory_encrypted', 'errno', '0 or -errno'],
  ['alloc_decrypted', 'int', 'a linear-map address or -errno'],
  ['free_decrypted', 'void', 'nothing'],
  ['vmalloc_decrypted', 'int', 'a vmalloc address or -errno'],
  ['vfree_decrypted', 'void', 'nothing'],
];

const shown = (v: unknown): string => {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v)}`;
  if (v === null || v === undefined || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return String(v);
  return `a ${typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v}`;
};

const isGenerator = (g: unknown): g is KGen<unknown> =>
  typeof g === 'object' && g !== null && typeof (g as Generator).next === 'function' && typeof (g as Generator)[Symbol.iterator] === 'function';

function fits(v: unknown, want: Want): boolean {
  if (want === 'void') return v === undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) return false;
  return want === 'int' || v <= 0;
}

/** The policy with every op it defines checked at each call; the policy's own objects are left alone. */
export function withContractChecks(p: Policy): Policy {
  const ops = Object.create(p.ops) as Record<string, unknown>;
  for (const [op, want, words] of OPS) {
    const f = p.ops[op] as ((ctx: KernelCtx, ...args: number[]) => unknown) | undefined;
    if (typeof f !== 'function') continue;
    ops[op] = function* (ctx: KernelCtx, ...args: number[]): KGen<unknown> {
      const g = f.call(p.ops, ctx, ...args);
      if (!isGenerator(g)) throw new ConfigError(`policy contract: ${p.name}: ops.${op}() returned ${shown(g)}, not a generator: write it as *${op}(ctx, ...) and return ${words}`);
      const ret = yield g; // a call: the trampoline runs g and sends back its return value
      if (!fits(ret, want)) throw new ConfigError(`policy contract: ${p.name}: ops.${op}() returned ${shown(ret)}; it must return ${words}`);
      return ret;
    };
  }
  return { ...p, ops: ops as unknown as MemCryptOps };
}
