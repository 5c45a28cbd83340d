// The RMM and host side of the model (DEN0137 v1.0, TF-RMM): what a realm
// access to an IPA does (R7, R8), what a host access does (R10), and the
// RSI_IPA_STATE_SET / _GET calls with the host's partial progress and REJECT
// (R3–R6).

import { Ev, REC_EXIT_DATA_CREATE, REC_EXIT_NS_MAP, Res, RSI_OUT_INCOMPLETE, RSI_OUT_INPUT_ERROR, RSI_OUT_REJECT } from '../check/events.js';
import { G_ASSIGNED, G_NS_BAD, G_NS_MAPPED, G_RIPAS_MASK, Ripas } from './granule.js';
import { PTE_NS, pte_pfn, prot_ns_shared } from './pte.js';
import { H } from './realm.js';
import { PAGE_SIZE } from './config.js';
import type { PE } from './pe.js';

export const RSI_SUCCESS = 0;
export const RSI_ERROR_INPUT = 1;
export const RSI_INCOMPLETE = 3;
export const RSI_ACCEPT = 0;
export const RSI_REJECT = 1;
export const RSI_NO_CHANGE_DESTROYED = 0;
export const RSI_CHANGE_DESTROYED = 1;

/**
 * A realm load/store through a valid descriptor. R7 for protected IPAs, R8 for
 * shared ones. REC exits that the host services transparently return
 * REC_EXIT_MAPPED (counted, benign).
 */
export function realm_access(cpu: PE, desc: number): Res {
  const r = cpu.realm;
  const pfn = pte_pfn(desc);
  const g = r.granule(pfn);
  if (desc & PTE_NS) {
    if (g & G_NS_BAD) return Res.GPF; // host put a non-NS granule behind the shared IPA
    if (g & G_NS_MAPPED) return Res.OK;
    // Unmapped unprotected IPA: REC exit, the host maps NS memory (RMI_RTT_MAP_UNPROTECTED).
    r.or_granule(pfn, G_NS_MAPPED);
    cpu.note(Ev.REC_EXIT, pfn, REC_EXIT_NS_MAP);
    return Res.REC_EXIT_MAPPED;
  }
  switch ((g & G_RIPAS_MASK) as Ripas) {
    case Ripas.EMPTY:
      return Res.SEA; // injected by the RMM, no REC exit (RJVQQR)
    case Ripas.RAM:
      if (g & G_ASSIGNED) return Res.OK;
      // RAM + UNASSIGNED: REC exit, host RMI_DATA_CREATE_UNKNOWN keeps the RIPAS.
      r.or_granule(pfn, G_ASSIGNED);
      cpu.note(Ev.REC_EXIT, pfn, REC_EXIT_DATA_CREATE);
      return Res.REC_EXIT_MAPPED;
    default:
      return Res.NO_PROGRESS; // DESTROYED: REC exit every time, no forward progress
  }
}

/**
 * The host agent touching the page behind an IPA it was given (R10). A shared
 * IPA reaches the host's own NS page; a protected IPA backed by a DATA granule
 * is GPT_REALM and faults.
 */
export function host_access(cpu: PE, ipaPfn: number, shared: boolean): Res {
  const r = cpu.realm;
  const g = r.granule(ipaPfn);
  if (!shared) return g & G_ASSIGNED ? Res.GPF : Res.OK;
  if (g & G_NS_BAD) return Res.GPF;
  if (!(g & G_NS_MAPPED)) r.or_granule(ipaPfn, G_NS_MAPPED);
  return Res.OK;
}

export interface RsiResult { a0: number; top: number; response: number }

/**
 * SMC_RSI_IPA_STATE_SET(base, top, ripas, flags): input checks (R3), then a REC
 * exit in which the host runs zero or more RMI_RTT_SET_RIPAS from base upwards
 * (R4), applying R6 to each granule.
 */
export function rsi_ipa_state_set(cpu: PE, base: number, top: number, ripas: number, flags: number): RsiResult {
  const r = cpu.realm;
  const a = r.i32; // the REJECT line below reads the header directly
  const par = prot_ns_shared(r.cfg.ipaBits);
  if (base % PAGE_SIZE !== 0 || top % PAGE_SIZE !== 0 || top <= base || top > par || (ripas !== Ripas.EMPTY && ripas !== Ripas.RAM)) {
    cpu.note(Ev.RSI_DONE, 0, RSI_OUT_INPUT_ERROR);
    return { a0: RSI_ERROR_INPUT, top: base, response: RSI_ACCEPT };
  }
  const g0 = base / PAGE_SIZE;
  const gTop = top / PAGE_SIZE;
  const host = r.cfg.host;
  const running = r.header(H.REALM_WORLD) === 1;
  let stop = gTop;
  if (host.stall && running) stop = g0; // a host that stops serving RIPAS changes once the realm runs
  else if (cpu.chance('rmm.partial', host.partialRate)) {
    // The host stops early, possibly with no progress at all (the guest must loop, R5).
    stop = g0 + cpu.choose('rmm.stop', gTop - g0 + 1);
  }
  let g = g0;
  for (; g < stop; g++) {
    if (g >= r.lmPages) continue; // IPAs past RAM have no granule state to change
    const old = r.granule(g);
    const cur = old & G_RIPAS_MASK;
    if (cur === Ripas.DESTROYED && flags === RSI_NO_CHANGE_DESTROYED) break; // IGXDDX
    // A_RAM <-> A_EMPTY keeps the DATA granule (Realm PAS); the stage-2 TLBI is the RMM's own business.
    r.set_granule(g, (old & ~G_RIPAS_MASK) | ripas);
  }
  const progressed = g - g0;
  const newTop = g === gTop ? top : g * PAGE_SIZE;
  let response = RSI_ACCEPT;
  // REJECT only for RAM, only when incomplete, only if the host says so (IDRPPK), and only
  // once the realm is running: the VMM accepts the RAM it described at boot.
  if (ripas === Ripas.RAM && newTop !== top && Atomics.load(a, H.REALM_WORLD) === 1 && cpu.chance('rmm.reject', host.rejectRate)) {
    response = RSI_REJECT;
  }
  cpu.note(Ev.RSI_DONE, progressed, (newTop !== top ? RSI_OUT_INCOMPLETE : 0) | (response === RSI_REJECT ? RSI_OUT_REJECT : 0));
  return { a0: RSI_SUCCESS, top: newTop, response };
}

/** SMC_RSI_IPA_STATE_GET for one granule. */
export function rsi_ipa_state_get(cpu: PE, ipa: number): { a0: number; ripas: Ripas } {
  const r = cpu.realm;
  if (ipa % PAGE_SIZE !== 0 || ipa >= prot_ns_shared(r.cfg.ipaBits)) return { a0: RSI_ERROR_INPUT, ripas: Ripas.EMPTY };
  const g = ipa / PAGE_SIZE < r.lmPages ? r.granule(ipa / PAGE_SIZE) : Ripas.EMPTY;
  return { a0: RSI_SUCCESS, ripas: (g & G_RIPAS_MASK) as Ripas };
}
