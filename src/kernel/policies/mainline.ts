// Mainline since v6.13 (R11–R14): break-before-make on the linear map only;
// vmalloc addresses get -EINVAL and the caller leaks the buffer.

import type { Policy } from '../policy.js';
import { __set_memory_enc_dec } from '../pageattr.js';

export const mainline: Policy = {
  name: 'mainline',
  description: 'v7 as merged: linear map only, break (NS flip + invalid) -> flush -> RSI -> make; vmalloc rejected with -EINVAL',
  expect: [],
  set_memory_decrypted: (cpu, vpn, n) => __set_memory_enc_dec(cpu, vpn, n, false),
  set_memory_encrypted: (cpu, vpn, n) => __set_memory_enc_dec(cpu, vpn, n, true),
};
