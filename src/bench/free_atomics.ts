// The denominator of the free-mode figure: "a bare loop of the same Atomics"
// a free-mode step does. The Atomics calls of one vCPU's steps are recorded in
// this thread, on a realm attached to another's buffer exactly as a free-mode
// worker's is (every model access atomic, accesses marked in flight), with the
// per-step check of the free actor's loop (src/run/free_actor.ts). Then a loop
// that does nothing else replays them: the same calls, on the same words, in
// the same order. A hand-written loop would have to guess which Atomics a step
// does (an earlier one did 8 a step; the step does about 16).

import type { RunConfig } from '../run/config.js';
import type { Policy } from '../kernel/policy.js';
import { Realm, H } from '../model/realm.js';
import { Trace } from '../check/trace.js';
import { BLOCKED } from '../model/cpu.js';
import { boot, programsFor } from '../run/boot.js';
import { workerActor } from '../run/actor.js';
import { freeRealmConfig } from '../run/free_watchdog.js';

const KINDS = ['load', 'store', 'add', 'sub', 'and', 'or', 'xor', 'exchange', 'compareExchange', 'notify'] as const;
type Kind = (typeof KINDS)[number];
/** A notify with no count (wake every waiter), as recorded. */
const NOTIFY_ALL = -1;

/** One vCPU's Atomics calls over its first steps, and how many steps that was. */
export interface AtomicsRecord {
  steps: number;
  calls: number;
  /** Calls by kind ('load', 'store', ...), for the report. */
  byKind: Record<string, number>;
  kind: Uint8Array;
  index: Int32Array;
  value: Int32Array;
  /** compareExchange's replacement. */
  value2: Int32Array;
  /** The realm's words: every call of a step is on this array (else the record is refused). */
  words: Int32Array;
}

/**
 * Record the Atomics calls of vCPU 0's first `maxSteps` steps of the program
 * `cfg` gives it from `seed`, alone (the program must not wait on the host: a
 * CPU-only mix). Atomics is wrapped only while the steps run.
 */
export function recordFreeAtomics(cfg: RunConfig, policy: Policy, seed: string, maxSteps: number): AtomicsRecord {
  const realmCfg = freeRealmConfig(cfg.realm);
  const owner = new Realm(realmCfg);
  boot(owner, new Trace(realmCfg.vcpus + 1), seed);
  const { realm, cpu, g } = workerActor({ sab: owner.sab, realm: realmCfg, mix: cfg.workload.mix, program: programsFor(cfg, seed)[0], policy: policy.name, seed, actor: 0 }, policy);
  cpu.concurrent = true; // free mode without the step lock (free_actor.ts)
  const words = realm.i32;
  const kind: number[] = [], index: number[] = [], value: number[] = [], value2: number[] = [];
  const A = Atomics as unknown as Record<string, (...args: unknown[]) => unknown>;
  const saved = new Map<string, (...args: unknown[]) => unknown>();
  for (const k of [...KINDS, 'wait']) saved.set(k, A[k]);
  let foreign = 0, waits = 0, blocked = 0;
  for (const k of KINDS) {
    const orig = saved.get(k)!;
    const code = KINDS.indexOf(k);
    A[k] = (...args: unknown[]) => {
      if (args[0] !== words) foreign++;
      kind.push(code); index.push(args[1] as number); value.push((args[2] as number | undefined) ?? NOTIFY_ALL); value2.push((args[3] as number | undefined) ?? 0);
      return orig.apply(Atomics, args);
    };
  }
  A.wait = (...args: unknown[]) => { waits++; return saved.get('wait')!.apply(Atomics, args); };
  let steps = 0;
  try {
    for (; steps < maxSteps; steps++) {
      if (Atomics.load(words, H.DEAD)) break; // the free actor's loop checks this before every step
      const r = cpu.step(g);
      if (r.done) break;
      if (r.value === BLOCKED) { blocked++; break; }
    }
  } finally {
    for (const [k, f] of saved) A[k] = f;
  }
  if (foreign) throw new Error(`free-mode step record: ${foreign} Atomics calls on another array than the realm's words`);
  if (waits || blocked) throw new Error('free-mode step record: the program waited for another actor (use a CPU-only mix: no host I/O)');
  const byKind: Record<string, number> = {};
  for (const k of kind) byKind[KINDS[k]] = (byKind[KINDS[k]] ?? 0) + 1;
  return { steps, calls: kind.length, byKind, kind: Uint8Array.from(kind), index: Int32Array.from(index), value: Int32Array.from(value), value2: Int32Array.from(value2), words };
}

/** Replay the record's calls once; returns a sink so that the loads are not dead code. */
export function replayAtomics(r: AtomicsRecord): number {
  const { kind, index, value, value2, words: a } = r;
  let sink = 0;
  for (let i = 0; i < kind.length; i++) {
    const x = index[i];
    switch (kind[i] as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9) {
      case 0: sink += Atomics.load(a, x); break;
      case 1: Atomics.store(a, x, value[i]); break;
      case 2: Atomics.add(a, x, value[i]); break;
      case 3: Atomics.sub(a, x, value[i]); break;
      case 4: Atomics.and(a, x, value[i]); break;
      case 5: Atomics.or(a, x, value[i]); break;
      case 6: Atomics.xor(a, x, value[i]); break;
      case 7: Atomics.exchange(a, x, value[i]); break;
      case 8: Atomics.compareExchange(a, x, value[i], value2[i]); break;
      case 9: if (value[i] === NOTIFY_ALL) Atomics.notify(a, x); else Atomics.notify(a, x, value[i]); break;
    }
  }
  return sink;
}

/** Kinds in the replay's order (the record's codes), for tests. */
export const ATOMICS_KINDS: readonly Kind[] = KINDS;
