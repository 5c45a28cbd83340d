// Measurement runs: the wall-clock observer of one CPU. The executor times each
// of this CPU's own steps (step()), so a flip's measured time (FLIP_BEGIN to
// FLIP_END: a set_memory_* call, or a pool's own range flip) is the time of its
// own steps, not of other vCPUs' steps interleaved with them. Free mode: also
// the time DSB ISH waits for other PEs' accesses in flight.

import type { Cpu, KGen } from '../model/cpu.js';
import { Ev } from '../check/events.js';
import { C } from '../check/counters.js';
import type { Observer } from '../check/observer.js';

export class WallClockObserver implements Observer {
  /** The events timed here (the others need not be sent). */
  static readonly EVENTS: readonly number[] = [Ev.FLIP_BEGIN, Ev.FLIP_END, Ev.DSB_WAIT];
  /** Wall-clock ns of this CPU's own steps so far. */
  private ownNs = 0;
  private readonly flipNs0: number[] = [];
  private dsbWait0 = 0;
  /** Measured flip latencies (ns): set_memory_decrypted positive, set_memory_encrypted negated. */
  readonly flipWall: number[] = [];

  /** row: the actor's counter row (C.wall_flip_ns, C.wall_dsb_wait_ns); clock: ns. */
  constructor(private readonly row: Float64Array, private readonly clock: () => number) {}

  /** Run one step of cpu's generator g, timed. */
  step(cpu: Cpu, g: KGen): IteratorResult<number, void> {
    const t0 = this.clock();
    try {
      return cpu.step(g);
    } finally {
      this.ownNs += this.clock() - t0;
    }
  }

  event(_actor: number, ev: number, a: number, _b: number): void {
    switch (ev) {
      case Ev.FLIP_BEGIN: this.flipNs0.push(this.ownNs); break;
      case Ev.FLIP_END: {
        const ns = this.ownNs - (this.flipNs0.pop() ?? this.ownNs);
        this.row[C.wall_flip_ns] += ns;
        this.flipWall.push(a ? -ns : ns);
        break;
      }
      case Ev.DSB_WAIT:
        if (a === 0) this.dsbWait0 = this.clock();
        else this.row[C.wall_dsb_wait_ns] += this.clock() - this.dsbWait0;
        break;
    }
  }
}
