// The types of a run's configuration: realm, workload, scheduler. They live at
// the bottom of the layering, beside the field table that gives their defaults,
// ranges and flags (fields.ts); model/, workload/ and sched/ re-export them.

import type { CostTable } from './cost_table.js';

export type LinearMapKind = 'pte' | 'block';

export interface HostConfig {
  /** Probability that one RMI_RTT_SET_RIPAS round stops early (partial progress, R4). */
  partialRate: number;
  /** Probability that the host answers REJECT to a RAM request it did not finish (R4). */
  rejectRate: number;
  /** After boot, the host never makes progress on IPA_STATE_SET: the guest loop livelocks (R5). */
  stall: boolean;
}

export interface RealmConfig {
  vcpus: number;
  /** Linear-map (and realm RAM) pages of 4 KiB. Multiple of 512. */
  lmPages: number;
  /** Pages of vmalloc VA space. */
  vmPages: number;
  /** Entries in each vCPU's direct-mapped TLB (power of two). */
  tlbEntries: number;
  /** IPA width chosen by the VMM; bit ipa_bits-1 is the NS-shared bit (R1). */
  ipaBits: number;
  /** 'pte': rodata_full, PTE-mapped linear map. 'block': BBML2_NOABORT, 2 MiB blocks split on demand (R22). */
  linearMap: LinearMapKind;
  /** FEAT_TLBIRANGE present: range TLBI up to MAX_TLBI_RANGE_PAGES instead of the 512-page flush-all cut-off (R15). */
  tlbiRange: boolean;
  host: HostConfig;
  /** Steps a vCPU may spend blocked without any progress before the watchdog reports a hang. */
  watchdogSteps: number;
  /** Steps of one vCPU one workload operation may take before the soft-lockup watchdog reports a hang. */
  opWatchdogSteps: number;
  /** R15: ranges of >= 512 pages use flush_tlb_all (without range TLBI). Off: per-page TLBIs whatever the size. */
  flushAllThreshold: boolean;
  /** How invalidations are priced: arm64 broadcast TLBI + DSB, or an x86-style IPI shootdown for comparison. */
  flush: FlushStrategy;
  /** Modelled nanoseconds per action (src/cost/table.ts). */
  costs: CostTable;
}

export type FlushStrategy = 'broadcast' | 'ipi';

export const OPS = ['d_hash', 'kmalloc', 'kfree', 'dma_buffer', 'netvsc_buffer'] as const;
export type OpName = (typeof OPS)[number];

/** Defaults and ranges: the workload fields of the run spec (src/config/fields.ts). */
export interface WorkloadConfig {
  /** Operations per vCPU program. */
  ops: number;
  /** Relative weights of each operation. */
  mix: Record<OpName, number>;
}

export type SchedulerName = 'random' | 'pct' | 'rr';
export const SCHEDULERS: SchedulerName[] = ['random', 'pct', 'rr'];

/** Defaults and ranges: the scheduler fields of the run spec (src/config/fields.ts). */
export interface SchedulerSpec {
  name: SchedulerName;
  /** PCT bug depth d (d-1 priority change points). */
  depth: number;
  /** Round-robin quantum in steps. */
  quantum: number;
}
