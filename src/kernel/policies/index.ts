// Built-in policies, every one imported: the lists that run, sweep, the bench
// and the tests go through. Loading one policy by name or path (what worker
// threads do) is ../policy_loader.ts, re-exported here.

import type { Policy } from '../policy.js';
import { mainline } from './mainline.js';
import { v2_no_bbm } from './v2_no_bbm.js';
import { vmalloc_naive } from './vmalloc_naive.js';
import { alias_flip } from './alias_flip.js';
import { gfp_decrypted } from './gfp_decrypted.js';
import { mainline_per_page } from './per_page.js';
import { paced } from './paced.js';
import { no_dsb } from './no_dsb.js';

/** The policies `run --policy all` runs: the designs the review thread discusses. */
export const BUILTIN_POLICIES: Policy[] = [v2_no_bbm, mainline, vmalloc_naive, alias_flip, gfp_decrypted];
/** Cost-comparison variants (sweep): safe, so they run clean too. */
export const VARIANT_POLICIES: Policy[] = [mainline_per_page, paced];
/** Known-broken variants that show the oracle catches a bug class (no-dsb: TLBIs never completed). */
export const BUG_VARIANTS: Policy[] = [no_dsb];
export const ALL_POLICIES: Policy[] = [...BUILTIN_POLICIES, ...VARIANT_POLICIES, ...BUG_VARIANTS];
export const builtinPolicy = (name: string): Policy | undefined => ALL_POLICIES.find((p) => p.name === name);

export { BUILTIN_LOADERS, isPolicyPath, loadPolicy, policyHash } from '../policy_loader.js';
