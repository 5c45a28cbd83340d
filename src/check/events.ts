// Event codes recorded at each model step. They feed the trace hash and the
// per-vCPU "last events" ring shown with a finding. Their printed form is
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
}

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
