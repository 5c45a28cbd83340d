// Record mode's global step lock: real threads, real OS scheduling, but every
// step is taken under one lock and stamped with a ticket. The ticket order is a
// schedule that controlled mode replays exactly (the way rr records by
// serialising threads).

/** Words of the lock SharedArrayBuffer; the per-ticket arrays follow. */
export const enum L { LOCK = 0, TICKET = 1, STOP_AT = 2, H1 = 3, H2 = 4, CAP = 5, WORDS = 8 }

export class StepLock {
  readonly w: Int32Array;
  /** Actor, operation index and trace check of each ticket. */
  readonly actors: Int32Array;
  readonly ops: Int32Array;
  readonly checks: Int32Array;

  constructor(readonly sab: SharedArrayBuffer) {
    this.w = new Int32Array(sab, 0, L.WORDS);
    const cap = (sab.byteLength / 4 - L.WORDS) / 3;
    this.actors = new Int32Array(sab, L.WORDS * 4, cap);
    this.ops = new Int32Array(sab, (L.WORDS + cap) * 4, cap);
    this.checks = new Int32Array(sab, (L.WORDS + 2 * cap) * 4, cap);
  }

  static create(capacity: number): StepLock {
    const l = new StepLock(new SharedArrayBuffer((L.WORDS + 3 * capacity) * 4));
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
    return t < this.w[L.CAP] ? t : -1;
  }

  /** Stamp ticket t. Call with the lock held. */
  stamp(t: number, actor: number, op: number, check: number): void {
    this.actors[t] = actor;
    this.ops[t] = op;
    this.checks[t] = check;
    Atomics.store(this.w, L.TICKET, t + 1);
  }
}
