// Loading a policy by name or path, importing nothing up front: a worker thread
// imports the one built-in policy its task names, or the user's module (with
// the policy API and the contract checks), when the task comes. The policy
// lists themselves are in policies/index.ts (which imports every built-in).

import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker, isMainThread } from 'node:worker_threads';
import type { Policy } from './policy.js';
import type * as Api from './api.js';
import { FINDING_KINDS } from '../check/finding.js';
import { ConfigError } from '../errors.js';

/** Every built-in policy by name, in the order of policies/index.ts ALL_POLICIES (test/startup_imports.test.ts checks they agree). */
export const BUILTIN_LOADERS: Readonly<Record<string, () => Promise<Policy>>> = {
  'v2-no-bbm': async () => (await import('./policies/v2_no_bbm.js')).v2_no_bbm,
  mainline: async () => (await import('./policies/mainline.js')).mainline,
  'vmalloc-naive': async () => (await import('./policies/vmalloc_naive.js')).vmalloc_naive,
  'alias-flip': async () => (await import('./policies/alias_flip.js')).alias_flip,
  'gfp-decrypted': async () => (await import('./policies/gfp_decrypted.js')).gfp_decrypted,
  'mainline-per-page': async () => (await import('./policies/per_page.js')).mainline_per_page,
  paced: async () => (await import('./policies/paced.js')).paced,
  'no-dsb': async () => (await import('./policies/no_dsb.js')).no_dsb,
};

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

/** User modules whose loading probeLoad has seen end. */
const probed = new Set<string>();

/** How long a user policy module (its top level and its factory) may take to load, by default. */
export const POLICY_LOAD_SECONDS = 10;

/** How long the probe's thread may take to start and load the policy API, before the module's own time begins. */
const PROBE_START_SECONDS = 60;

/**
 * Import a user module and call its factory in a throw-away thread first, and
 * stop that thread if it is not done within `seconds`: a module that loops at
 * import time (or in its factory) must not hang the main thread, which imports
 * it next (issue 9: no hang, ever). Errors are left to the real load, which
 * says them; the probe only proves that loading ends. import() (not require())
 * so that stopping the thread mid-load is clean (see workers/schedule.cts).
 * The `seconds` count from when the thread has started and loaded the policy
 * API (it says 'started'), so that a loaded machine's slow thread start-up is
 * never taken for a loop in the module (measured: over 0.5 s, with three test
 * files and their threads on two cores).
 */
function probeLoad(url: string, spec: string, seconds: number): Promise<void> {
  const code = `const { parentPort, workerData } = require('node:worker_threads');
const done = () => parentPort.postMessage('loaded');
import(workerData.api).catch(() => null).then((api) => {
  parentPort.postMessage('started');
  return import(workerData.url).then(async (m) => {
    const p = m.default ?? m.policy;
    if (typeof p === 'function' && api !== null) await p(api);
  });
}).then(done, done);`;
  return new Promise((resolvePromise, reject) => {
    const w = new Worker(code, { eval: true, workerData: { url, api: new URL('./api.js', import.meta.url).href }, stdout: true, stderr: true });
    const stop = (why: string): void => {
      void w.terminate();
      reject(new ConfigError(why));
    };
    let timer = setTimeout(() => stop(`policy ${spec}: the thread that loads the module first did not start within ${PROBE_START_SECONDS} s`), PROBE_START_SECONDS * 1000);
    const end = (): void => { clearTimeout(timer); void w.terminate(); resolvePromise(); };
    w.on('message', (m) => {
      if (m !== 'started') return end();
      clearTimeout(timer);
      timer = setTimeout(() => stop(`policy ${spec}: loading the module did not finish within ${seconds} s (a loop at its top level or in its factory?); it was stopped`), seconds * 1000);
    });
    w.once('error', end);
    w.once('exit', end);
  });
}

/**
 * A built-in name, or a path to an ES module whose default export is a policy
 * object or a factory `(k) => policy` that receives the policy API (src/api.ts).
 * On the main thread a user module is first loaded where it can be stopped
 * (probeLoad), within `loadSeconds`.
 */
export async function loadPolicy(spec: string, loadSeconds = POLICY_LOAD_SECONDS): Promise<Policy> {
  const builtin = Object.hasOwn(BUILTIN_LOADERS, spec) ? BUILTIN_LOADERS[spec] : undefined;
  if (builtin) return builtin();
  if (!isPolicyPath(spec)) {
    throw new ConfigError(`unknown policy "${spec}" (built-in: ${Object.keys(BUILTIN_LOADERS).join(', ')}; or a path to a .js module)`);
  }
  let mod: Record<string, unknown>;
  const url = pathToFileURL(resolve(spec)).href;
  // Once per module: after its first load the main thread's module cache holds it (its top level never runs again).
  if (isMainThread && !probed.has(url)) {
    await probeLoad(url, spec, loadSeconds);
    probed.add(url);
  }
  try {
    mod = await import(url);
  } catch (e) {
    throw new ConfigError(`policy ${spec}: cannot load module: ${(e as Error).message.split('\n')[0]}`);
  }
  let p = mod.default ?? mod.policy;
  if (typeof p === 'function') {
    const api = await import('./api.js');
    try {
      p = await (p as (k: typeof Api) => unknown)(api);
    } catch (e) {
      throw new ConfigError(`policy ${spec}: factory threw: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const { withContractChecks } = await import('./policy_contract.js');
  return withContractChecks(validate(p, spec)); // user code: its return values are checked at every call
}
