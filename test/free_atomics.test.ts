// The free-mode figure's denominator (src/bench/free_atomics.ts): the Atomics
// calls of a free-mode step, recorded in this thread and replayed bare. The
// record must be the step's own calls (the free loop's check, the in-flight
// marks, the model's atomic reads), the same every time, and the replay must
// make exactly those calls.

import { describe, it, expect } from 'vitest';
import { ATOMICS_KINDS, recordFreeAtomics, replayAtomics, type AtomicsRecord } from '../src/bench/free_atomics.js';
import { runConfig } from '../src/run/config.js';
import { builtinPolicy } from '../src/kernel/policies/index.js';
import { H, Realm } from '../src/model/realm.js';

const cpuOnly = runConfig({ realm: { vcpus: 1 }, workload: { ops: 2000, mix: { d_hash: 80, kmalloc: 12, kfree: 8, dma_buffer: 0, netvsc_buffer: 0 } } });
const mainline = builtinPolicy('mainline')!;
const record = (steps: number): AtomicsRecord => recordFreeAtomics(cpuOnly, mainline, '0xa70', steps);

/** Every call the function makes while it runs, as [kind, index] pairs (Atomics wrapped, then restored). */
function callsOf(f: () => void): [string, number][] {
  const A = Atomics as unknown as Record<string, (...args: unknown[]) => unknown>;
  const saved = ATOMICS_KINDS.map((k) => [k, A[k]] as const);
  const out: [string, number][] = [];
  for (const [k, orig] of saved) A[k] = (...args: unknown[]) => { out.push([k, args[1] as number]); return orig.apply(Atomics, args); };
  try {
    f();
  } finally {
    for (const [k, orig] of saved) A[k] = orig;
  }
  return out;
}

describe('the bare loop of the same Atomics as a free-mode step', () => {
  it('records the step\'s own calls: the free loop\'s check before every step, an in-flight mark before and after every access, the model\'s reads', () => {
    const rec = record(500);
    expect(rec.steps).toBe(500);
    const at = (kind: string, index: number): number => rec.kind.reduce((n, k, i) => n + (ATOMICS_KINDS[k] === kind && rec.index[i] === index ? 1 : 0), 0);
    expect(at('load', H.DEAD)).toBe(500);
    const marks = at('store', new Realm(cpuOnly.realm).oInflight); // vCPU 0's in-flight word
    expect(marks).toBeGreaterThan(500); // at least one access a step on this program, marked on both sides
    expect(marks % 2).toBe(0);
    expect(rec.byKind.load).toBeGreaterThan(rec.byKind.store);
    expect(rec.calls / rec.steps).toBeGreaterThan(8); // more than the 8 calls the hand-written loop this replaced guessed
  });

  it('is the same record every time (same seed, same program), and leaves Atomics as it found it', () => {
    const load = Atomics.load;
    const a = record(300), b = record(300);
    expect(Atomics.load).toBe(load);
    expect(Array.from(b.kind)).toEqual(Array.from(a.kind));
    expect(Array.from(b.index)).toEqual(Array.from(a.index));
    expect(Array.from(b.value)).toEqual(Array.from(a.value));
  });

  it('the replay makes exactly the recorded calls, in order, and nothing else', () => {
    const rec = record(300);
    const replayed = callsOf(() => void replayAtomics(rec));
    expect(replayed).toEqual(Array.from(rec.kind, (k, i) => [ATOMICS_KINDS[k], rec.index[i]]));
  });

  it('refuses a program that waits for the host agent (its steps would not be a free-running vCPU\'s)', () => {
    const io = runConfig({ realm: { vcpus: 1 }, workload: { ops: 50, mix: { d_hash: 0, kmalloc: 0, kfree: 0, dma_buffer: 1, netvsc_buffer: 0 } } });
    expect(() => recordFreeAtomics(io, mainline, '0xa70', 10_000)).toThrow(/waited for another actor/);
  });
});
