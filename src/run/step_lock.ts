// Record mode's global step lock: real threads, real OS scheduling, but every
// step is taken under one lock and stamped with a ticket. The ticket order is a
// schedule that controlled mode replays exactly (the way rr records by
// serialising threads); the model choices made under the lock are recorded in
// the order they were made.

import { Chooser, SEEDED_CHOICES } from '../model/cpu.js';

/** Words of the lock SharedArrayBuffer; the per-ticket arrays and the choices follow. */
export const enum L { LOCK = 0, TICKET = 1, STOP_AT = 2, H1 = 3, H2 = 4, CAP = 5, NCHOICES = 6, WORDS = 8 }

/** Room left for the choices of one step: a ticket is refused when fewer remain. */
const CHOICES_PER_STEP = 256;

export class StepLock {
  readonly w: Int32Array;
  /** Actor, operation index and trace check of each ticket. */
  readonly actors: Int32Array;
  readonly ops: Int32Array;
  readonly checks: Int32Array;
  /** Answers to model choices, in order (booleans as 0/1). */
  readonly choices: Int32Array;

  constructor(readonly sab: SharedArrayBuffer) {
    this.w = new Int32Array(sab, 0, L.WORDS);
    const cap = (sab.byteLength / 4 - L.WORDS) / 4;
    this.actors = new Int32Array(sab, L.WORDS * 4, cap);
    this.ops = new Int32Array(sab, (L.WORDS + cap) * 4, cap);
    this.checks = new Int32Array(sab, (L.WORDS + 2 * cap) * 4, cap);
    this.choices = new Int32Array(sab, (L.WORDS + 3 * cap) * 4, cap);
  }

  static create(capacity: number): StepLock {
    const l = new StepLock(new SharedArrayBuffer((L.WORDS + 4 * capacity) * 4));
    l.w[L.CAP] = capacity;
    l.w[L.STOP_AT] = -1;
    return l;
  }

  acquire(): void {
    let spins = 0;
    while (Atomics.compareExchange(this.w, L.LOCK, 0, 1) !== 0) {
      if (++spins > 64) Atomics.wait(this.w, L.LOCK, 1, 1);
    }
  }

  release(): void {
    Atomics.store(this.w, L.LOCK, 0);
    Atomics.notify(this.w, L.LOCK, 1);
  }

  /** The next ticket, or -1 when the record buffer is full. Call with the lock held. */
  ticket(): number {
    const t = Atomics.load(this.w, L.TICKET);
    const cap = this.w[L.CAP];
    return t < cap && this.w[L.NCHOICES] <= cap - CHOICES_PER_STEP ? t : -1;
  }

  /** Stamp ticket t. Call with the lock held. */
  stamp(t: number, actor: number, op: number, check: number): void {
    this.actors[t] = actor;
    this.ops[t] = op;
    this.checks[t] = check;
    Atomics.store(this.w, L.TICKET, t + 1);
  }

  /** Record the answer to a model choice. Call with the lock held (or before any actor runs: boot). */
  choice(v: number): void {
    const i = this.w[L.NCHOICES];
    if (i < this.choices.length) this.choices[i] = v;
    Atomics.store(this.w, L.NCHOICES, i + 1);
  }

  /** What was recorded: the schedule controlled mode replays. */
  schedule(): { actors: number[]; ops: number[]; checks: number[]; choices: number[]; stopAtStep?: number } {
    const n = Atomics.load(this.w, L.TICKET);
    const stopAtStep = this.w[L.STOP_AT];
    return {
      actors: Array.from(this.actors.subarray(0, n)), ops: Array.from(this.ops.subarray(0, n)), checks: Array.from(this.checks.subarray(0, n)),
      choices: Array.from(this.choices.subarray(0, Math.min(this.choices.length, this.w[L.NCHOICES]))),
      ...(stopAtStep >= 0 ? { stopAtStep } : {}),
    };
  }
}

/** Record mode's answer to a model choice: the seeded one, written down under the lock. */
export const recordingChooser = (lock: StepLock): Chooser => ({
  choose(cpu, kind, n) {
    const v = SEEDED_CHOICES.choose(cpu, kind, n);
    lock.choice(v);
    return v;
  },
  chance(cpu, kind, p) {
    const v = SEEDED_CHOICES.chance(cpu, kind, p);
    lock.choice(v ? 1 : 0);
    return v;
  },
});
