// arch/arm64/include/asm/rsi.h and kernel/rsi.c: the guest's RSI loops.

import { Cpu, KGen, STEP } from '../model/cpu.js';
import { Ripas } from '../model/granule.js';
import { H } from '../model/realm.js';
import { RSI_ACCEPT, RSI_CHANGE_DESTROYED, RSI_NO_CHANGE_DESTROYED, rsi_ipa_state_set } from '../model/rmm.js';
import { Ev, fnId } from '../check/events.js';
import { C } from '../check/counters.js';

export const EINVAL = -22;
export const EPERM = -1;
export const ENOMEM = -12;

const FN_RANGE = fnId('rsi_set_memory_range');
const FN_BOOT = fnId('arm64_rsi_setup_memory');

/** rsi_set_addr_range_state(): one SMC; -EPERM if the host did not ACCEPT. One step. */
function rsi_set_addr_range_state(cpu: Cpu, start: number, end: number, state: Ripas, flags: number): { ret: number; top: number } {
  const res = rsi_ipa_state_set(cpu, start, end, state, flags);
  cpu.ev(Ev.RSI_SET, start / 4096, ((res.top / 4096) & 0x3fffffff) | (res.response << 30));
  if (res.response !== RSI_ACCEPT) return { ret: EPERM, top: res.top };
  return { ret: res.a0, top: res.top };
}

/**
 * rsi_set_memory_range(start, end, state, flags): loop until done (R5). Any
 * error, or top outside [start, end], is -EINVAL. No check for top == start:
 * a host that never progresses livelocks the caller (reported by the watchdog).
 */
export function* rsi_set_memory_range(cpu: Cpu, start: number, end: number, state: Ripas, flags: number): KGen<number> {
  cpu.ev(Ev.CALL, FN_RANGE, (end - start) / 4096);
  while (start !== end) {
    const { ret, top } = rsi_set_addr_range_state(cpu, start, end, state, flags);
    yield STEP;
    if (ret || top < start || top > end) {
      cpu.count(C.rsi_errors);
      return EINVAL;
    }
    if (top === start) cpu.noProgress('rsi_set_memory_range', 'host never progresses RSI_IPA_STATE_SET (R5 livelock)');
    else cpu.progress();
    start = top;
  }
  return 0;
}

/** RAM + CHANGE_DESTROYED: "do not use if you rely on the contents". */
export const rsi_set_memory_range_protected = (cpu: Cpu, start: number, end: number): KGen<number> =>
  rsi_set_memory_range(cpu, start, end, Ripas.RAM, RSI_CHANGE_DESTROYED);
export const rsi_set_memory_range_protected_safe = (cpu: Cpu, start: number, end: number): KGen<number> =>
  rsi_set_memory_range(cpu, start, end, Ripas.RAM, RSI_NO_CHANGE_DESTROYED);
export const rsi_set_memory_range_shared = (cpu: Cpu, start: number, end: number): KGen<number> =>
  rsi_set_memory_range(cpu, start, end, Ripas.EMPTY, RSI_CHANGE_DESTROYED);

/** What __set_memory_enc_dec() calls: back to RAM when encrypting, to EMPTY when decrypting. */
export const rsi_set_memory_range_enc_dec = (cpu: Cpu, start: number, end: number, encrypt: boolean): KGen<number> =>
  encrypt ? rsi_set_memory_range_protected(cpu, start, end) : rsi_set_memory_range_shared(cpu, start, end);

/**
 * arm64_rsi_setup_memory(): every memblock range to RAM with NO_CHANGE_DESTROYED;
 * any failure panics (R2). Only then is is_realm_world() true.
 */
export function* arm64_rsi_setup_memory(cpu: Cpu): KGen<number> {
  const r = cpu.realm;
  cpu.ev(Ev.CALL, FN_BOOT, r.lmPages);
  const ret = yield* rsi_set_memory_range_protected_safe(cpu, 0, r.lmPages * 4096);
  if (ret) cpu.die('panic', 'arm64_rsi_setup_memory', 'failed to set RIPAS RAM for a memblock range', `rsi_set_memory_range_protected_safe -> ${ret}`);
  Atomics.store(r.i32, H.REALM_WORLD, 1);
  cpu.ev(Ev.BOOT, 1, 0);
  return 0;
}
