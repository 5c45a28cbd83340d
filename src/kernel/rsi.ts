// arch/arm64/include/asm/rsi.h and kernel/rsi.c: the guest's RSI loops.

import { STEP } from '../model/cpu.js';
import { ActorStack } from '../model/actor_stack.js';
import { Ripas } from '../model/granule.js';
import { H } from '../model/realm.js';
import { RSI_ACCEPT, RSI_CHANGE_DESTROYED, RSI_NO_CHANGE_DESTROYED, rsi_ipa_state_set } from '../model/rmm.js';
import { exception_sync } from '../model/mmu.js';
import { Ev, fnId, rsiSetProgress } from '../check/events.js';
import type { KernelCtx, KGen } from './context.js';
import { PAGE_SIZE } from './memory.js';
import { EINVAL, EPERM } from './errno.js';

export { EINVAL, EPERM, ENOMEM } from './errno.js';

const FN_RANGE = fnId('rsi_set_memory_range');
const FN_BOOT = fnId('arm64_rsi_setup_memory');

/** rsi_set_addr_range_state(): one SMC; -EPERM if the host did not ACCEPT. */
function rsi_set_addr_range_state(ctx: KernelCtx, start: number, end: number, state: Ripas, flags: number): { ret: number; top: number } {
  // The SMC is an exception taken to EL3/the RMM and returned from: context synchronisation (R27).
  // It is no DSB: pending TLBIs of this CPU stay pending.
  exception_sync(ctx);
  const res = rsi_ipa_state_set(ctx, start, end, state, flags);
  exception_sync(ctx);
  ctx.ev(Ev.RSI_SET, start / PAGE_SIZE, rsiSetProgress(res.top / PAGE_SIZE, res.response));
  if (res.response !== RSI_ACCEPT) return { ret: EPERM, top: res.top };
  return { ret: res.a0, top: res.top };
}

/**
 * rsi_set_memory_range(start, end, state, flags): loop until done (R5), one
 * step per SMC. Any error, or top outside [start, end], is -EINVAL. No check
 * for top == start: a host that never progresses livelocks the caller
 * (reported by the watchdog). Granules a running realm really changed are
 * counted as flipped pages.
 */
export function* rsi_set_memory_range(ctx: KernelCtx, start: number, end: number, state: Ripas, flags: number): KGen<number> {
  ctx.ev(Ev.CALL, FN_RANGE, (end - start) / PAGE_SIZE);
  const running = ctx.realm.header(H.REALM_WORLD) === 1;
  while (start !== end) {
    const { ret, top } = rsi_set_addr_range_state(ctx, start, end, state, flags);
    if (running && top > start && top <= end) ctx.note(Ev.PAGES_FLIPPED, start / PAGE_SIZE, (top - start) / PAGE_SIZE);
    yield STEP;
    if (ret || top < start || top > end) {
      ctx.note(Ev.RSI_EINVAL, start / PAGE_SIZE, 0);
      ctx.ev(Ev.RET, FN_RANGE, EINVAL);
      return EINVAL;
    }
    if (top === start) ctx.noProgress('rsi_set_memory_range', 'host never progresses RSI_IPA_STATE_SET (R5 livelock)');
    else ctx.progress();
    start = top;
  }
  ctx.ev(Ev.RET, FN_RANGE, 0);
  return 0;
}

/** RAM + CHANGE_DESTROYED: "do not use if you rely on the contents". */
export const rsi_set_memory_range_protected = (ctx: KernelCtx, start: number, end: number): KGen<number> =>
  rsi_set_memory_range(ctx, start, end, Ripas.RAM, RSI_CHANGE_DESTROYED);
export const rsi_set_memory_range_protected_safe = (ctx: KernelCtx, start: number, end: number): KGen<number> =>
  rsi_set_memory_range(ctx, start, end, Ripas.RAM, RSI_NO_CHANGE_DESTROYED);
export const rsi_set_memory_range_shared = (ctx: KernelCtx, start: number, end: number): KGen<number> =>
  rsi_set_memory_range(ctx, start, end, Ripas.EMPTY, RSI_CHANGE_DESTROYED);

/** What __set_memory_enc_dec() calls: back to RAM when encrypting, to EMPTY when decrypting. */
export const rsi_set_memory_range_enc_dec = (ctx: KernelCtx, start: number, end: number, encrypt: boolean): KGen<number> =>
  encrypt ? rsi_set_memory_range_protected(ctx, start, end) : rsi_set_memory_range_shared(ctx, start, end);

/**
 * arm64_rsi_setup_memory() (stepped as an actor of its own by boot): every memblock range to RAM with NO_CHANGE_DESTROYED;
 * any failure panics (R2). Only then is is_realm_world() true.
 */
export const arm64_rsi_setup_memory = (ctx: KernelCtx): ActorStack<number> => new ActorStack(__arm64_rsi_setup_memory(ctx));

function* __arm64_rsi_setup_memory(ctx: KernelCtx): KGen<number> {
  const r = ctx.realm;
  ctx.ev(Ev.CALL, FN_BOOT, r.lmPages);
  const ret = yield rsi_set_memory_range_protected_safe(ctx, 0, r.lmPages * PAGE_SIZE);
  if (ret) ctx.die('panic', 'arm64_rsi_setup_memory', 'failed to set RIPAS RAM for a memblock range', `rsi_set_memory_range_protected_safe -> ${ret}`);
  r.set_header(H.REALM_WORLD, 1);
  ctx.ev(Ev.BOOT, 1, 0);
  ctx.ev(Ev.RET, FN_BOOT, 0);
  return 0;
}
