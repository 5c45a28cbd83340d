// Built-in policies and the loader for user policies (--policy ./file.js).
// User factories receive the policy API (src/api.ts), not the whole library.

import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Policy } from '../policy.js';
import { FINDING_KINDS } from '../../check/finding.js';
import { ConfigError } from '../../errors.js';
import { withContractChecks } from '../policy_contract.js';
import { mainline } from './mainline.js';
import { v2_no_bbm } from './v2_no_bbm.js';
import { vmalloc_naive } from './vmalloc_naive.js';
import { alias_flip } from './alias_flip.js';
import { gfp_decrypted } from './gfp_decrypted.js';
import { mainline_per_page } from './per_page.js';
import { paced } from './paced.js';
import { no_dsb } from './no_dsb.js';
import * as api from '../api.js';

/** The policies `run --policy all` runs: the designs the review thread discusses. */
export const BUILTIN_POLICIES: Policy[] = [v2_no_bbm, mainline, vmalloc_naive, alias_flip, gfp_decrypted];
/** Cost-comparison variants (sweep): safe, so they run clean too. */
export const VARIANT_POLICIES: Policy[] = [mainline_per_page, paced];
/** Known-broken variants that show the oracle catches a bug class (no-dsb: TLBIs never completed). */
export const BUG_VARIANTS: Policy[] = [no_dsb];
export const ALL_POLICIES: Policy[] = [...BUILTIN_POLICIES, ...VARIANT_POLICIES, ...BUG_VARIANTS];
export const builtinPolicy = (name: string): Policy | undefined => ALL_POLICIES.find((p) => p.name === name);


export const isPolicyPath = (spec: string): boolean => /[\\/]/.test(spec) || /\.(m?js|cjs)$/.test(spec);

const require = createRequire(import.meta.url);

/** sha256 of a policy module's source, for reproducers. node:crypto is loaded here, not at import: worker threads never hash. */
export function policyHash(spec: string): string {
  if (!isPolicyPath(spec)) return `builtin:${spec}`;
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(readFileSync(resolve(spec))).digest('hex').slice(0, 16);
}

const OPS = ['set_memory_decrypted', 'set_memory_encrypted'] as const;
const HOOKS = ['alloc_decrypted', 'free_decrypted', 'vmalloc_decrypted', 'vfree_decrypted'] as const;

function validate(p: unknown, from: string): Policy {
  const bad = (why: string): never => { throw new ConfigError(`policy ${from}: ${why}`); };
  if (typeof p !== 'object' || p === null) bad('the module must export a policy object (default export) or a factory returning one');
  const q = p as Record<string, unknown>;
  if (q.ops === undefined && (typeof q.set_memory_decrypted === 'function' || typeof q.set_memory_encrypted === 'function')) {
    bad('written for realmrace 0.1: put set_memory_decrypted/encrypted (and any alloc hooks) under "ops", taking (ctx, addr, numpages) with addr a byte address (was: a page number); primitives yield by themselves (drop "yield STEP") and count by themselves (drop cpu.count)');
  }
  if (typeof q.name !== 'string' || q.name === '') bad('missing string field "name"');
  if (!Array.isArray(q.expect)) bad(`missing array "expect" of finding kinds (${FINDING_KINDS.join(', ')}), [] for "must run clean"`);
  for (const k of q.expect as unknown[]) if (!FINDING_KINDS.includes(k as never)) bad(`unknown finding kind in expect: ${String(k)}`);
  if (typeof q.ops !== 'object' || q.ops === null) bad('missing object "ops" with set_memory_decrypted(ctx, addr, numpages) and set_memory_encrypted(ctx, addr, numpages)');
  const ops = q.ops as Record<string, unknown>;
  for (const f of OPS) if (typeof ops[f] !== 'function') bad(`missing function ops.${f}(ctx, addr, numpages)`);
  for (const f of HOOKS) if (ops[f] !== undefined && typeof ops[f] !== 'function') bad(`ops.${f} must be a function`);
  for (const f of Object.keys(ops)) if (!(OPS as readonly string[]).includes(f) && !(HOOKS as readonly string[]).includes(f)) bad(`unknown op "${f}" (known: ${[...OPS, ...HOOKS].join(', ')})`);
  if (q.description !== undefined && typeof q.description !== 'string') bad('"description" must be a string');
  return { name: q.name as string, description: (q.description as string | undefined) ?? '', expect: q.expect as Policy['expect'], ops: ops as unknown as Policy['ops'] };
}

/**
 * A built-in name, or a path to an ES module whose default export is a policy
 * object or a factory `(k) => policy` that receives the policy API (src/api.ts).
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
      p = await (p as (k: typeof api) => unknown)(api);
    } catch (e) {
      throw new ConfigError(`policy ${spec}: factory threw: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return withContractChecks(validate(p, spec)); // user code: its return values are checked at every call
}
