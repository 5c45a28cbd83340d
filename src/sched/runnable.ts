// The set of actors that may take the next step, as a bitset: add and remove
// are O(1), and every query the strategies need (how many, the i-th smallest,
// the next one after x) touches at most one word per 32 actors (9 words for
// the largest realm of 256 vCPUs + host), so a step does not cost more as
// vCPUs are added.

const popcount = (x: number): number => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

export class ActorSet {
  private readonly w: Uint32Array;
  private n = 0;

  constructor(readonly capacity: number) {
    this.w = new Uint32Array((capacity + 31) >>> 5);
  }

  get size(): number {
    return this.n;
  }

  has(a: number): boolean {
    return a >= 0 && a < this.capacity && (this.w[a >>> 5] & (1 << (a & 31))) !== 0;
  }

  add(a: number): void {
    const i = a >>> 5, bit = 1 << (a & 31);
    if ((this.w[i] & bit) === 0) { this.w[i] |= bit; this.n++; }
  }

  delete(a: number): void {
    const i = a >>> 5, bit = 1 << (a & 31);
    if ((this.w[i] & bit) !== 0) { this.w[i] &= ~bit; this.n--; }
  }

  clear(): void {
    this.w.fill(0);
    this.n = 0;
  }

  /** Add every member of other. */
  addAll(other: ActorSet): void {
    let n = 0;
    for (let i = 0; i < this.w.length; i++) n += popcount((this.w[i] |= other.w[i]));
    this.n = n;
  }

  /** The i-th smallest member (0-based): a uniform pick over an ascending list. */
  nth(i: number): number {
    for (let k = 0; k < this.w.length; k++) {
      let x = this.w[k];
      const c = popcount(x);
      if (i >= c) { i -= c; continue; }
      for (; i > 0; i--) x &= x - 1; // drop the i lowest set bits
      return (k << 5) + (31 - Math.clz32(x & -x));
    }
    return -1;
  }

  /** Smallest member, or -1. */
  first(): number {
    return this.nextAfter(-1);
  }

  /** Smallest member greater than a, or -1. */
  nextAfter(a: number): number {
    let from = a + 1;
    for (let k = from >>> 5; k < this.w.length; k++) {
      const x = k === from >>> 5 ? this.w[k] & (~0 << (from & 31)) : this.w[k];
      if (x !== 0) return (k << 5) + (31 - Math.clz32(x & -x));
      from = (k + 1) << 5;
    }
    return -1;
  }
}
