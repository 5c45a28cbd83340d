// Realm granule state as the RMM tracks it (RIPAS + HIPAS), plus what the host
// has mapped at the granule's unprotected (shared) alias. One Int32 per 4 KiB granule.

export enum Ripas { EMPTY = 0, RAM = 1, DESTROYED = 2 }
export const RIPAS_NAMES = ['EMPTY', 'RAM', 'DESTROYED'];

export const G_RIPAS_MASK = 3;
/** HIPAS ASSIGNED: a DATA granule (GPT_REALM) backs the protected IPA. */
export const G_ASSIGNED = 1 << 2;
/** Host mapped NS memory at the unprotected alias (RMI_RTT_MAP_UNPROTECTED). */
export const G_NS_MAPPED = 1 << 3;
/** Host mapped a non-NS granule at the unprotected alias: realm access gets a GPF (R8). */
export const G_NS_BAD = 1 << 4;
