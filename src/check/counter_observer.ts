// The counters of one actor, counted from its events (src/check/events.ts):
// each counter is what one kind of event says happened. The row is the
// actor's own, so no Atomics are needed; the runner sums rows at the end.

import {
  Ev, EV_LIMIT, REC_EXIT_DATA_CREATE, RSI_OUT_INCOMPLETE, RSI_OUT_INPUT_ERROR, RSI_OUT_REJECT,
} from './events.js';
import { C, NCOUNTERS } from './counters.js';
import type { Observer } from './observer.js';

/** Events that count one of a counter, by code (-1: none, or one of SPECIAL below). */
const ONE = new Int8Array(EV_LIMIT).fill(-1);
ONE[Ev.OP_BEGIN] = C.ops;
ONE[Ev.NO_PROGRESS] = C.blocked_steps;
ONE[Ev.PTE_SET] = C.pte_writes;
ONE[Ev.PMD_SPLIT] = C.splits;
ONE[Ev.SPURIOUS] = C.spurious_faults;
ONE[Ev.HOST_IO] = C.host_io;
ONE[Ev.TLB_SHADOW_HIT] = C.tlb_shadow_hits;
ONE[Ev.TLB_SPEC_FILL] = C.tlb_spec_fills;
ONE[Ev.RSI_EINVAL] = C.rsi_errors;
ONE[Ev.WARN_UNALIGNED] = C.unaligned_warn;
ONE[Ev.VMALLOC_EINVAL] = C.vmalloc_einval;
ONE[Ev.ALLOC_FAIL] = C.alloc_fail;
ONE[Ev.POOL_HIT] = C.pool_hits;
ONE[Ev.POOL_REFILL] = C.pool_refills;
ONE[Ev.POOL_SHRINK] = C.pool_shrinks;
ONE[Ev.SHARED_BUFFER] = C.shared_buffers;
ONE[Ev.ZEROPAD_LOAD] = C.zeropad_loads;

/** Events whose counts need their words (the switch in event()). */
const SPECIAL: readonly number[] = [
  Ev.TLBI_VA, Ev.TLBI_RANGE, Ev.TLBI_ALL, Ev.TLBI_LOCAL, Ev.DSB_DONE, Ev.RSI_DONE, Ev.REC_EXIT,
  Ev.PAGES_FLIPPED, Ev.FLIP_BEGIN, Ev.LEAK, Ev.ZEROPAD_SPILL,
];

export class CounterObserver implements Observer {
  /** Code -> the counter its event counts one of (-1: none); a dispatcher may increment these itself. */
  static readonly ONE: Readonly<Int8Array> = ONE;
  /** The other events counted here (they need event()). */
  static readonly EVENTS: readonly number[] = SPECIAL;
  /** This actor's counter row (src/check/counters.ts order). Other observers (cost, wall clock) add their figures to it too. */
  readonly row: Float64Array;

  /** vcpus: how many PEs a broadcast TLBI targets. */
  constructor(private readonly vcpus: number, row = new Float64Array(NCOUNTERS)) {
    this.row = row;
  }

  event(_actor: number, ev: number, a: number, b: number): void {
    const r = this.row;
    const c = ONE[ev];
    if (c >= 0) { r[c]++; return; }
    switch (ev) {
      case Ev.TLBI_VA: r[C.tlbi_va]++; r[C.tlbi_targets] += this.vcpus; break;
      case Ev.TLBI_RANGE: r[C.tlbi_range]++; r[C.tlbi_targets] += this.vcpus; break;
      case Ev.TLBI_ALL: r[C.tlbi_all]++; r[C.tlbi_targets] += this.vcpus; break;
      case Ev.TLBI_LOCAL: r[a === -1 ? C.tlbi_all : C.tlbi_va]++; r[C.tlbi_targets]++; break;
      case Ev.DSB_DONE: r[C.dsb]++; r[C.tlb_entries_dropped] += a; break;
      case Ev.RSI_DONE:
        r[C.rsi_calls]++;
        if (b & RSI_OUT_INPUT_ERROR) break;
        r[C.rsi_granules] += a;
        if (b & RSI_OUT_INCOMPLETE) r[a === 0 ? C.rsi_no_progress : C.rsi_partial]++;
        if (b & RSI_OUT_REJECT) r[C.rsi_reject]++;
        break;
      case Ev.REC_EXIT: r[b === REC_EXIT_DATA_CREATE ? C.rec_exit_data_create : C.rec_exit_ns_map]++; break;
      case Ev.PAGES_FLIPPED: r[C.flipped_pages] += b; break;
      case Ev.FLIP_BEGIN: r[a ? C.set_memory_encrypted : C.set_memory_decrypted]++; break;
      case Ev.LEAK: r[C.leaked_pages] += b; break;
      case Ev.ZEROPAD_SPILL: r[C.zeropad_spills]++; if (b) r[C.zeropad_fixups]++; break;
    }
  }
}
