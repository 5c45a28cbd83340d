// Shared helpers for the model-rule tests: build a small realm, create CPUs
// with an event log, drive kernel-path generators and catch kernel deaths.

import type { RealmConfig, HostConfig } from '../src/model/config.js';
import { realmConfig } from '../src/config/spec.js';
import { Realm } from '../src/model/realm.js';
import { Cpu } from '../src/model/cpu.js';
import { Trace } from '../src/check/trace.js';
import { KernelDeath, deathOf, findingOf, type Finding } from '../src/check/finding.js';
import { C } from '../src/check/counters.js';
import { load_unaligned_zeropad } from '../src/kernel/fault.js';
import { ActorStack, type KGen } from '../src/model/actor_stack.js';
import { observe } from '../src/run/observers.js';

export interface World {
  cfg: RealmConfig;
  realm: Realm;
  trace: Trace;
  cpus: Cpu[];
  host: Cpu;
}

export interface WorldOpts extends Omit<Partial<RealmConfig>, 'host'> {
  host?: Partial<HostConfig>;
  /** Boot state: 'assigned' = markAllAssignedRam() (default), 'reset' = power-on only. */
  state?: 'assigned' | 'reset';
  seed?: string;
}

/** A small realm (2 vCPUs, 512 linear pages, deterministic host) plus CPUs sharing one logged trace. */
export function world(o: WorldOpts = {}): World {
  const { state = 'assigned', seed = 'seed', host: hostOver, ...rest } = o;
  const cfg = realmConfig({
    vcpus: 2,
    lmPages: 512,
    vmPages: 64,
    ...rest,
    host: { partialRate: 0, rejectRate: 0, stall: false, ...(hostOver ?? {}) },
  });
  const realm = new Realm(cfg);
  realm.reset();
  if (state === 'assigned') realm.markAllAssignedRam();
  const trace = new Trace(cfg.vcpus + 1);
  trace.log = [];
  const cpus: Cpu[] = [];
  for (let v = 0; v < cfg.vcpus; v++) cpus.push(new Cpu(v, realm, trace, seed));
  const host = new Cpu(cfg.vcpus, realm, trace, seed, true);
  for (const c of [...cpus, host]) counters(c);
  return { cfg, realm, trace, cpus, host };
}

const rows = new WeakMap<Cpu, Float64Array>();

/**
 * The counters of cpu, counted by the counter and cost observers an execution
 * attaches (src/run/observers.ts). Attached the first time: call it on a CPU
 * made by hand before it runs (world() does for its CPUs).
 */
export function counters(cpu: Cpu): Float64Array {
  let r = rows.get(cpu);
  if (!r) rows.set(cpu, (r = observe(cpu).counters));
  return r;
}

const stacks = new WeakMap<object, ActorStack<unknown>>();

/**
 * The actor that steps kernel path g (its calls trampolined, as an executor
 * steps it): the same one every time for the same g, so a test may step a path
 * a little, look, and step on.
 */
export function actor<T>(g: KGen<T>): ActorStack<T> {
  if (g instanceof ActorStack) return g;
  let s = stacks.get(g);
  if (!s) stacks.set(g, (s = new ActorStack(g)));
  return s as ActorStack<T>;
}

/** Drive a kernel path to completion. */
export function run<T>(g: KGen<T>): T {
  const s = actor(g);
  for (;;) {
    const r = s.next();
    if (r.done) return r.value;
  }
}

/** Advance a kernel path by k steps; returns true if it finished within them. */
export function stepN<T>(g: KGen<T>, k: number): boolean {
  const s = actor(g);
  for (let i = 0; i < k; i++) if (s.next().done) return true;
  return false;
}

/** Run fn; return the finding if the modelled kernel died, null otherwise. Other errors propagate. op: the workload op (rule tests run none). */
export function death(fn: () => unknown, op = 'boot'): Finding | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof KernelDeath) return findingOf(deathOf(e, op, 0), []);
    throw e;
  }
}

export interface LoggedEvent { actor: number; ev: number; a: number; b: number }

/** Decode trace.log (step, actor, ev, a, b)* into events. */
export function events(trace: Trace): LoggedEvent[] {
  const l = trace.log ?? [];
  const out: LoggedEvent[] = [];
  for (let i = 0; i < l.length; i += 5) out.push({ actor: l[i + 1], ev: l[i + 2], a: l[i + 3], b: l[i + 4] });
  return out;
}

/** Set a granule word directly (test setup: states the model has no guest/host API for). */
export function setGranule(w: World, pfn: number, g: number): void {
  Atomics.store(w.realm.i32, w.realm.oGranule + pfn, g);
}

export type ZeropadOutcome = 'ok' | 'fixup' | Finding['kind'];

/** Run one load_unaligned_zeropad on cpu: the finding kind if it died, 'fixup' if the spill was fixed up, else 'ok'. */
export function zeropadOutcome(cpu: Cpu, addr: number): ZeropadOutcome {
  const fix0 = counters(cpu)[C.zeropad_fixups];
  const f = death(() => run(load_unaligned_zeropad(cpu, addr)));
  if (f) return f.kind;
  return counters(cpu)[C.zeropad_fixups] > fix0 ? 'fixup' : 'ok';
}
