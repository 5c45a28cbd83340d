// Trace hash and per-actor rings of recent events. Same seed + config in
// controlled mode mixes the same events in the same order, so the hash is the
// fingerprint of the interleaving.

import type { Ev } from './events.js';

export const RING = 16;

/**
 * One recorded event, typed: the Ev code and its two words. No text: views
 * render it with src/report/event_text.ts and never parse it back.
 */
export interface TraceEvent { step: number; actor: number; ev: Ev; a: number; b: number }

export class Trace {
  h1 = 0x811c9dc5 | 0;
  h2 = 0x01000193 | 0;
  /** Global step number in controlled mode; the actor's own step count in free mode. */
  step = 0;
  private readonly rings: Int32Array;
  private readonly ringPos: Int32Array;
  /** When set, every event is also kept here (trace views, replay divergence). */
  log: number[] | null = null;

  constructor(readonly actors: number) {
    this.rings = new Int32Array(actors * RING * 4);
    this.ringPos = new Int32Array(actors);
  }

  record(actor: number, ev: Ev, a: number, b: number): void {
    let h1 = this.h1, h2 = this.h2;
    h1 = Math.imul(h1 ^ actor, 16777619); h2 = Math.imul(h2 ^ ev, 0x5bd1e995);
    h1 = Math.imul(h1 ^ ev, 16777619); h2 = Math.imul(h2 ^ a, 0x5bd1e995);
    h1 = Math.imul(h1 ^ a, 16777619); h2 = Math.imul(h2 ^ b, 0x5bd1e995);
    h1 = Math.imul(h1 ^ b, 16777619); h2 = (h2 ^ (h2 >>> 15)) | 0;
    this.h1 = h1; this.h2 = h2;
    const p = this.ringPos[actor];
    const o = (actor * RING + p) * 4;
    const r = this.rings;
    r[o] = this.step; r[o + 1] = ev; r[o + 2] = a; r[o + 3] = b;
    this.ringPos[actor] = (p + 1) & (RING - 1);
    if (this.log !== null) this.log.push(this.step, actor, ev, a, b);
  }

  hash(): string {
    return hashHex(this.h1, this.h2);
  }

  /** The hash state, to carry it to another thread's Trace (turn-passing, record mode) and back with restore(). */
  state(): [number, number] {
    return [this.h1, this.h2];
  }

  restore(h1: number, h2: number): void {
    this.h1 = h1;
    this.h2 = h2;
  }

  /** Oldest first. */
  lastEvents(actor: number): TraceEvent[] {
    const out: TraceEvent[] = [];
    for (let i = 0; i < RING; i++) {
      const slot = (this.ringPos[actor] + i) & (RING - 1);
      const o = (actor * RING + slot) * 4;
      const ev = this.rings[o + 1];
      if (ev === 0) continue;
      out.push({ step: this.rings[o], actor, ev, a: this.rings[o + 2], b: this.rings[o + 3] });
    }
    return out;
  }
}

/** The printed form of a trace hash state: 16 hex digits. */
export const hashHex = (h1: number, h2: number): string =>
  (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
