// Armv8-A VMSAv8-64 stage 1 descriptors, 4 KiB granule, 48-bit VA, 4 levels
// (ARM DDI 0487, D8.3). Litmus descriptors are real ones: bit 0 valid, bit 1
// table/page, bits 47:12 output address, AP[2:1] in bits 7:6, AF bit 10.

export const PAGE = 0x1000n;
export const OA_MASK = 0x0000_ffff_ffff_f000n;
export const VALID = 1n;
export const TABLE_OR_PAGE = 2n;
export const AF = 1n << 10n;
export const SH_INNER = 3n << 8n;
/** AP[1] = 1: EL0 may access; AP[2] = 0: writable. */
export const AP_DEFAULT = 1n << 6n;
export const AP_SHIFT = 6n;

/** Index of `va` in the table at `level` (0..3). */
export function tableIndex(va: bigint, level: number): bigint {
  const shift = BigInt(39 - 9 * level);
  return (va >> shift) & 0x1ffn;
}

/** A level-3 page descriptor (or a level 1/2 block when level < 3). */
export function leafDescriptor(oa: bigint, level: number, ap: bigint = AP_DEFAULT >> AP_SHIFT): bigint {
  const type = level === 3 ? VALID | TABLE_OR_PAGE : VALID;
  return (oa & OA_MASK) | AF | SH_INNER | (ap << AP_SHIFT) | type;
}

export function tableDescriptor(next: bigint): bigint {
  return (next & OA_MASK) | VALID | TABLE_OR_PAGE;
}

export const isValid = (d: bigint): boolean => (d & VALID) === VALID;
