// The calling convention of a user policy's ops, checked at every call (issue 9
// item 9). Each op must return a generator (a `function*`, or a function that
// returns one), and the generator must return what the kernel function returns:
// set_memory_{de,en}crypted() 0 or -errno; alloc_pages/vmalloc an integer page
// or VA, or -errno. Without the check a string or undefined flows into the
// model as a page number and comes out as a made-up kernel finding (a
// translation fault at "VA page ok0"); with it, the run stops with a policy
// error naming the op. Built-in policies are trusted and not wrapped.

import type { Cpu, KGen } from '../model/cpu.js';
import type { Policy } from './policy.js';
import { ConfigError } from '../errors.js';

type Want = 'errno' | 'int' | 'void';

/** Each op: what its generator must return, and the kernel's words for it. */
const OPS: [keyof Policy, Want, string][] = [
  ['set_memory_decrypted', 'errno', '0 or -errno'],
  ['set_memory_encrypted', 'errno', '0 or -errno'],
  ['alloc_decrypted', 'int', 'the first linear page or -errno'],
  ['free_decrypted', 'void', 'nothing'],
  ['vmalloc_decrypted', 'int', 'the vmalloc VA or -errno'],
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

/** The policy with every op it defines checked at each call; the policy object itself is left alone. */
export function withContractChecks(p: Policy): Policy {
  const q = Object.create(p) as Record<string, unknown>;
  for (const [op, want, words] of OPS) {
    const f = p[op] as ((cpu: Cpu, ...args: number[]) => unknown) | undefined;
    if (typeof f !== 'function') continue;
    q[op] = function* (cpu: Cpu, ...args: number[]): KGen<unknown> {
      const g = f.call(p, cpu, ...args);
      if (!isGenerator(g)) throw new ConfigError(`policy contract: ${p.name}.${op}() returned ${shown(g)}, not a generator: write it as function* ${op}(...) and return ${words}`);
      const ret = yield* g;
      if (!fits(ret, want)) throw new ConfigError(`policy contract: ${p.name}.${op}() returned ${shown(ret)}; it must return ${words}`);
      return ret;
    };
  }
  return q as unknown as Policy;
}
