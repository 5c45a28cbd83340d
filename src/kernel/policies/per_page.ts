// Mainline's protocol, but one page at a time: every page gets its own break,
// flush (TLBI + DSB), RSI call and make. The cost comparison for Catalin's
// per-page worry (10 Jun 2024) against mainline's one range flip.

import type { Policy } from '../policy.js';
import type { Cpu, KGen } from '../../model/cpu.js';
import { __set_memory_enc_dec } from '../pageattr.js';

function* per_page(cpu: Cpu, vpn: number, n: number, encrypt: boolean): KGen<number> {
  for (let i = 0; i < n; i++) {
    const ret = yield* __set_memory_enc_dec(cpu, vpn + i, 1, encrypt);
    if (ret) return ret;
  }
  return 0;
}

export const mainline_per_page: Policy = {
  name: 'mainline-per-page',
  description: 'mainline break-before-make, but page by page: a flush, an RSI call and a make per page',
  expect: [],
  set_memory_decrypted: (cpu, vpn, n) => per_page(cpu, vpn, n, false),
  set_memory_encrypted: (cpu, vpn, n) => per_page(cpu, vpn, n, true),
};
