// Words of the model's buffer, read and written with Atomics when other
// threads share it (free and record mode) and plainly when one thread owns it
// (controlled mode: Atomics are not inlined on Node 20). The TLB, BBM and data
// stores are views of the realm's buffer through this, and so are the realm's own tables (realm.ts).

export class Words {
  constructor(readonly a: Int32Array, readonly atomic: boolean) {}

  ld(i: number): number { return this.atomic ? Atomics.load(this.a, i) : this.a[i]; }
  st(i: number, v: number): void { if (this.atomic) Atomics.store(this.a, i, v); else this.a[i] = v; }
  /** Returns the old value; v is written only if it was `expect`. */
  cas(i: number, expect: number, v: number): number {
    if (this.atomic) return Atomics.compareExchange(this.a, i, expect, v);
    const old = this.a[i];
    if (old === expect) this.a[i] = v;
    return old;
  }
  /** Returns the old value; v is written. */
  xchg(i: number, v: number): number {
    if (this.atomic) return Atomics.exchange(this.a, i, v);
    const old = this.a[i];
    this.a[i] = v;
    return old;
  }
  or(i: number, bits: number): void { if (this.atomic) Atomics.or(this.a, i, bits); else this.a[i] |= bits; }
  /** Returns the old value. */
  add(i: number, n: number): number {
    if (this.atomic) return Atomics.add(this.a, i, n);
    const old = this.a[i];
    this.a[i] = old + n;
    return old;
  }
}
