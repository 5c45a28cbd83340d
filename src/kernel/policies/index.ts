// Built-in policies and the loader for user policies (--policy ./file.js).

import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Policy } from '../policy.js';
import { FINDING_KINDS } from '../../check/finding.js';
import { ConfigError } from '../../errors.js';
import { mainline } from './mainline.js';
import { v2_no_bbm } from './v2_no_bbm.js';
import { vmalloc_naive } from './vmalloc_naive.js';
import { alias_flip } from './alias_flip.js';
import { gfp_decrypted } from './gfp_decrypted.js';
import { mainline_per_page } from './per_page.js';
import { paced } from './paced.js';

/** The policies `run --policy all` runs: the designs the review thread discusses. */
export const BUILTIN_POLICIES: Policy[] = [v2_no_bbm, mainline, vmalloc_naive, alias_flip, gfp_decrypted];
/** Cost-comparison variants (sweep): safe, so they run clean too. */
export const VARIANT_POLICIES: Policy[] = [mainline_per_page, paced];
export const ALL_POLICIES: Policy[] = [...BUILTIN_POLICIES, ...VARIANT_POLICIES];
export const builtinPolicy = (name: string): Policy | undefined => ALL_POLICIES.find((p) => p.name === name);


export const isPolicyPath = (spec: string): boolean => /[\\/]/.test(spec) || /\.(m?js|cjs)$/.test(spec);

/** sha256 of a policy module's source, for reproducers. */
export function policyHash(spec: string): string {
  if (!isPolicyPath(spec)) return `builtin:${spec}`;
  return createHash('sha256').update(readFileSync(resolve(spec))).digest('hex').slice(0, 16);
}

function validate(p: unknown, from: string): Policy {
  const bad = (why: string): never => { throw new ConfigError(`policy ${from}: ${why}`); };
  if (typeof p !== 'object' || p === null) bad('the module must export a policy object (default export) or a factory returning one');
  const q = p as Record<string, unknown>;
  if (typeof q.name !== 'string' || q.name === '') bad('missing string field "name"');
  if (typeof q.set_memory_decrypted !== 'function') bad('missing function set_memory_decrypted(cpu, vpn, numpages)');
  if (typeof q.set_memory_encrypted !== 'function') bad('missing function set_memory_encrypted(cpu, vpn, numpages)');
  if (!Array.isArray(q.expect)) bad(`missing array "expect" of finding kinds (${FINDING_KINDS.join(', ')}), [] for "must run clean"`);
  for (const k of q.expect as unknown[]) if (!FINDING_KINDS.includes(k as never)) bad(`unknown finding kind in expect: ${String(k)}`);
  for (const f of ['alloc_decrypted', 'free_decrypted', 'vmalloc_decrypted', 'vfree_decrypted']) {
    if (q[f] !== undefined && typeof q[f] !== 'function') bad(`${f} must be a function`);
  }
  if (typeof q.description !== 'string') q.description = '';
  return q as unknown as Policy;
}

/**
 * A built-in name, or a path to an ES module whose default export is a policy
 * object or a factory `(realmrace) => policy` that receives this library.
 */
export async function loadPolicy(spec: string): Promise<Policy> {
  const b = builtinPolicy(spec);
  if (b) return b;
  if (!isPolicyPath(spec)) {
    throw new ConfigError(`unknown policy "${spec}" (built-in: ${ALL_POLICIES.map((p) => p.name).join(', ')}; or a path to a .js module)`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(resolve(spec)).href);
  } catch (e) {
    throw new ConfigError(`policy ${spec}: cannot load module: ${(e as Error).message.split('\n')[0]}`);
  }
  let p = mod.default ?? mod.policy;
  if (typeof p === 'function') {
    try {
      const lib = await import('../../index.js');
      p = await (p as (lib: unknown) => unknown)(lib);
    } catch (e) {
      throw new ConfigError(`policy ${spec}: factory threw: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return validate(p, spec);
}
