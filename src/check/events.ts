// Event codes: one typed stream per CPU. Trace events (below NOTE_BASE) feed
// the trace hash, the per-vCPU "last events" ring shown with a finding and the
// event log; every event, and the notes (NOTE_BASE and above), also go to the
// CPU's observers (counters, modelled cost, wall clock: src/check/observer.ts).
// Notes carry what only an observer needs (a flush's end, what a DSB dropped,
// the RMM's answer to an RSI call): they never feed the hash, so adding one
// never changes a trace. The printed form of every code is
// src/report/event_text.ts (one entry per code).

export enum Ev {
  CALL = 1, // a = kernel function id (see FN), b = argument (VA page or count)
  PTE_SET = 2, // a = vpn, b = new descriptor
  PMD_SPLIT = 3, // a = block
  TLBI_VA = 4, // a = vpn
  TLBI_ALL = 5,
  TLBI_RANGE = 6, // a = vpn, b = pages
  DSB = 7,
  RSI_SET = 8, // a = base granule, b = new_base granule (progress) | response << 30
  RSI_GET = 9,
  ACCESS = 10, // a = vpn, b = result code
  ZEROPAD = 11, // a = vpn of the spill page, b = result code
  ALLOC = 12, // a = first page, b = pages
  FREE = 13, // a = first page, b = pages
  VMAP = 14, // a = vmalloc vpn, b = pfn
  HOST_IO = 15, // a = pfn, b = result code
  POST = 16, // a = pages posted to the host
  BLOCKED = 17, // waiting for another actor
  FINDING = 18,
  BOOT = 19,
  RET = 20, // a = kernel function id, b = return value
  ISB = 21,
  DSB_ST = 22, // DSB ISHST
  SPURIOUS = 23, // a = vpn: a translation fault the kernel found spurious (is_spurious_el1_translation_fault)
  TLBI_LOCAL = 24, // a = vpn (-1: all): a non-broadcast TLBI

  // Notes: observers only (no hash, no ring, no log).
  /** A workload operation begins: a = its index in the program. */
  OP_BEGIN = 32,
  /** A step without progress (watchdog): a = 0. */
  NO_PROGRESS = 33,
  /** One descriptor write (PTE or block): a = vpn, b = 1 for a make step (invalid -> valid, nothing else changed). */
  PTE_WRITE = 34,
  /** DSB ISH completed this PE's TLBIs: a = TLB entries dropped. */
  DSB_DONE = 35,
  /** A translation through the issuer's own shadow before its ISB (R27): a = vpn. */
  TLB_SHADOW_HIT = 36,
  /** A speculative TLB fill (R28): a = vpn. */
  TLB_SPEC_FILL = 37,
  /** DSB ISH waits for other PEs' accesses in flight (free mode): a = 0 at the start, 1 at the end. */
  DSB_WAIT = 38,
  /** The RMM's answer to RSI_IPA_STATE_SET: a = granules progressed, b = RSI_OUT_* bits. */
  RSI_DONE = 39,
  /** REC exit serviced by the host on an access: a = pfn, b = REC_EXIT_* kind. */
  REC_EXIT = 40,
  /** Granules a running realm really changed (rsi_set_memory_range): a = first granule, b = granules. */
  PAGES_FLIPPED = 41,
  /** rsi_set_memory_range gives up with -EINVAL: a = granule it stopped at. */
  RSI_EINVAL = 42,
  /** A flip (set_memory_* call, or a pool's own range flip) begins: a = 1 when encrypting. */
  FLIP_BEGIN = 43,
  /** That flip ends: a = 1 when encrypting, b = its return value. */
  FLIP_END = 44,
  /** set_memory_* on an unaligned address: the WARN, nothing done (R13). a = address. */
  WARN_UNALIGNED = 45,
  /** __change_memory_common refused a vmalloc address (-EINVAL): a = vpn. */
  VMALLOC_EINVAL = 46,
  /** An allocation failed (-ENOMEM): a = pages asked for. */
  ALLOC_FAIL = 47,
  /** Pages leaked (never freed, R12): a = first page, b = pages. */
  LEAK = 48,
  /** The decrypted pool served an allocation: a = first page, b = pages. */
  POOL_HIT = 49,
  /** The decrypted pool decrypted one more chunk: a = chunk. */
  POOL_REFILL = 50,
  /** The decrypted pool re-encrypted a free chunk: a = chunk. */
  POOL_SHRINK = 51,
  /** The workload obtained a shared buffer (dma-direct or netvsc style): a = pages. */
  SHARED_BUFFER = 52,
  /** load_unaligned_zeropad() begins: a = vpn, b = 1 if the word spills into the next page. */
  ZEROPAD_LOAD = 53,
  /** Its spill into the next page completed: a = vpn of that page, b = 1 if the fault was fixed up. */
  ZEROPAD_SPILL = 54,
}

/** Event codes from here on are notes: observers only, never in the trace. */
export const NOTE_BASE = 32;
/** Codes are below this: observers may index tables by code. */
export const EV_LIMIT = 64;

/** RSI_DONE's b word. */
export const RSI_OUT_INPUT_ERROR = 1;
export const RSI_OUT_INCOMPLETE = 2;
export const RSI_OUT_REJECT = 4;
/** REC_EXIT's b word. */
export const REC_EXIT_NS_MAP = 0;
export const REC_EXIT_DATA_CREATE = 1;

/** Kernel functions that appear in traces (CALL/RET events). */
export const FN = [
  'set_memory_decrypted', 'set_memory_encrypted', '__change_memory_common', 'flush_tlb_kernel_range',
  'flush_tlb_all', 'rsi_set_memory_range', 'split_kernel_leaf_mapping', 'alloc_pages', '__free_pages',
  'kmalloc', 'kfree', 'vmalloc', 'vfree', 'load_unaligned_zeropad', 'dma_direct_alloc', 'dma_direct_free',
  'netvsc_init_buf', 'netvsc_free_buf', 'decrypted_pool_alloc', 'decrypted_pool_free', 'decrypted_pool_refill',
  'decrypted_pool_shrink', 'host_virtio_io', 'arm64_rsi_setup_memory', 'vm_unmap_aliases', 'vmap_pages_decrypted',
] as const;
export type FnName = (typeof FN)[number];
export const fnId = (name: FnName): number => FN.indexOf(name);

/** RSI_SET event's b word: the granule the host progressed to, and the response in bit 30. */
export const RSI_TOP_MASK = 0x3fffffff;
export const rsiSetProgress = (topGranule: number, response: number): number => (topGranule & RSI_TOP_MASK) | (response << 30);
export const rsiSetTop = (b: number): number => b & RSI_TOP_MASK;
export const rsiSetRejected = (b: number): boolean => b >>> 30 !== 0;

/** Access result codes (ACCESS/ZEROPAD/HOST_IO events). */
export enum Res { OK = 0, XLATE_FAULT = 1, SEA = 2, GPF = 3, REC_EXIT_MAPPED = 4, FIXUP = 5, NO_PROGRESS = 6 }
export const RES_NAMES = ['ok', 'translation-fault', 'SEA', 'GPF', 'rec-exit-then-ok', 'fixup', 'no-progress'];
