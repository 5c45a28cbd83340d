import { ConfigError } from '../errors.js';
import { CostTable, defaultCostTable } from '../cost/table.js';

// The shape of one modelled realm: memory sizes, CPU count and the platform
// features that change what the kernel does (BBML2, FEAT_TLBIRANGE).

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
  /** R15: ranges of >= 512 pages use flush_tlb_all (without range TLBI). Off: per-page TLBIs whatever the size. */
  flushAllThreshold: boolean;
  /** How invalidations are priced: arm64 broadcast TLBI + DSB, or an x86-style IPI shootdown for comparison. */
  flush: FlushStrategy;
  /** Modelled nanoseconds per action (src/cost/table.ts). */
  costs: CostTable;
}

export type FlushStrategy = 'broadcast' | 'ipi';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PTRS_PER_PTE = 512;
/** MAX_DVM_OPS = PTRS_PER_PTE: kernel ranges of >= 512 pages use flush_tlb_all without range TLBI. */
export const MAX_DVM_OPS = PTRS_PER_PTE;
/** __TLBI_RANGE_PAGES(31, 3) = 32 << 16 pages. */
export const MAX_TLBI_RANGE_PAGES = 32 << 16;

export const defaultHost: HostConfig = { partialRate: 0.25, rejectRate: 0.05, stall: false };

export const defaultRealm: RealmConfig = {
  vcpus: 4,
  lmPages: 1024,
  vmPages: 512,
  tlbEntries: 64,
  ipaBits: 40,
  linearMap: 'pte',
  tlbiRange: false,
  host: defaultHost,
  watchdogSteps: 20000,
  flushAllThreshold: true,
  flush: 'broadcast',
  costs: defaultCostTable(),
};

export type RealmOverrides = Partial<Omit<RealmConfig, 'host' | 'costs'>> & { host?: Partial<HostConfig>; costs?: Partial<CostTable> };

export function realmConfig(over: RealmOverrides = {}): RealmConfig {
  const c: RealmConfig = { ...defaultRealm, ...over, host: { ...defaultHost, ...(over.host ?? {}) }, costs: { ...defaultRealm.costs, ...(over.costs ?? {}) } };
  if (!Number.isInteger(c.vcpus) || c.vcpus < 1 || c.vcpus > 256) throw new ConfigError(`vcpus must be 1..256, got ${c.vcpus}`);
  if (c.lmPages % PTRS_PER_PTE !== 0 || c.lmPages < PTRS_PER_PTE) throw new ConfigError(`lmPages must be a multiple of 512, got ${c.lmPages}`);
  if (c.lmPages > 1 << 20) throw new ConfigError('lmPages must be <= 2^20');
  if (!Number.isInteger(c.vmPages) || c.vmPages < 16) throw new ConfigError(`vmPages must be >= 16, got ${c.vmPages}`);
  if ((c.tlbEntries & (c.tlbEntries - 1)) !== 0 || c.tlbEntries < 1) throw new ConfigError(`tlbEntries must be a power of two, got ${c.tlbEntries}`);
  if (c.ipaBits < 33 || c.ipaBits > 52) throw new ConfigError(`ipaBits must be 33..52, got ${c.ipaBits}`);
  if (c.linearMap !== 'pte' && c.linearMap !== 'block') throw new ConfigError(`linearMap must be pte|block, got ${c.linearMap}`);
  if (c.flush !== 'broadcast' && c.flush !== 'ipi') throw new ConfigError(`flush must be broadcast|ipi, got ${c.flush}`);
  return c;
}
