import { PAGE_SIZE } from './config.js';

// Descriptor encodings for the modelled stage-1 kernel page tables.
// One Int32 per 4 KiB PTE and one per 2 MiB PMD of the linear map.

/** Output page frame (IPA >> 12 with the NS bit stripped). */
export const PTE_PFN_MASK = (1 << 21) - 1;
export const PTE_VALID = 1 << 21;
/** PROT_NS_SHARED: the descriptor addresses the shared (unprotected) alias, R1. */
export const PTE_NS = 1 << 22;
/** v7.0.1 present-invalid encoding of a broken entry. Never walked as valid. */
export const PTE_PRESENT_INVALID = 1 << 23;
/** PMD only: this entry is a 2 MiB block leaf (else it points to a PTE table). */
export const PMD_SECT = 1 << 28;
/** PMD only: split_kernel_leaf_mapping() is rewriting this block into a table. */
export const PMD_SPLITTING = 1 << 29;

export const pte_pfn = (pte: number): number => pte & PTE_PFN_MASK;
export const pte_valid = (pte: number): boolean => (pte & PTE_VALID) !== 0;
export const pte_ns = (pte: number): boolean => (pte & PTE_NS) !== 0;
/**
 * The one printed form of a descriptor, in every view and finding detail:
 * output pfn, VALID or invalid, NS (shared alias) or prot (protected IPA).
 * With the VA page: `pte[92]=92 VALID,NS`.
 */
export const pte_str = (pte: number): string => `${pte_pfn(pte)} ${pte_valid(pte) ? 'VALID' : 'invalid'},${pte_ns(pte) ? 'NS' : 'prot'}`;
export const pte_at_str = (vpn: number, pte: number): string => `pte[${vpn}]=${pte_str(pte)}`;
export const mk_pte = (pfn: number, valid: boolean, ns: boolean): number =>
  (pfn & PTE_PFN_MASK) | (valid ? PTE_VALID : 0) | (ns ? PTE_NS : 0);

/** Powers of two 2^0..2^63: `2 ** n` with a variable n is a Math.pow call, and every RSI call needs one. */
const POW2 = Array.from({ length: 64 }, (_, n) => 2 ** n);

/** prot_ns_shared = BIT(ipa_bits - 1), as a Number (exact up to 2^52). */
export const prot_ns_shared = (ipaBits: number): number => POW2[ipaBits - 1] ?? 2 ** (ipaBits - 1);

/** The IPA a descriptor translates page offset 0 to: PA, or PA | prot_ns_shared (R1). */
export function pte_to_ipa(pte: number, ipaBits: number): number {
  return pte_pfn(pte) * PAGE_SIZE + (pte_ns(pte) ? prot_ns_shared(ipaBits) : 0);
}

/** R1: an IPA is protected iff it lies below 2^(ipa_bits-1). */
export const ipa_is_protected = (ipa: number, ipaBits: number): boolean => ipa < prot_ns_shared(ipaBits);
