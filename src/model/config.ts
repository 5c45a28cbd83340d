import type { CostTable } from '../config/cost_table.js';

// The shape of one modelled realm: memory sizes, CPU count and the platform
// features that change what the kernel does (BBML2, FEAT_TLBIRANGE). Its
// defaults, ranges and flags are fields of the run spec (src/config/fields.ts).

export type { LinearMapKind, HostConfig, RealmConfig, FlushStrategy } from '../config/types.js';
import type { HostConfig, RealmConfig } from '../config/types.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PTRS_PER_PTE = 512;
/** MAX_DVM_OPS = PTRS_PER_PTE: kernel ranges of >= 512 pages use flush_tlb_all without range TLBI. */
export const MAX_DVM_OPS = PTRS_PER_PTE;
/** __TLBI_RANGE_PAGES(31, 3) = 32 << 16 pages. */
export const MAX_TLBI_RANGE_PAGES = 32 << 16;

/** Partial realm settings, laid over the spec's defaults by realmConfig(). */
export type RealmOverrides = Partial<Omit<RealmConfig, 'host' | 'costs'>> & { host?: Partial<HostConfig>; costs?: Partial<CostTable> };

