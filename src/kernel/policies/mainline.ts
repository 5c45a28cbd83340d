// Mainline since v6.13 (R11–R14): break-before-make on the linear map only;
// vmalloc addresses get -EINVAL and the caller leaks the buffer.

import { type Policy, __set_memory_enc_dec } from '../api.js';

export const mainline: Policy = {
  name: 'mainline',
  description: 'v7 as merged: linear map only, break (NS flip + invalid) -> flush -> RSI -> make; vmalloc rejected with -EINVAL',
  expect: [],
  ops: {
    set_memory_decrypted: (ctx, addr, numpages) => __set_memory_enc_dec(ctx, addr, numpages, false),
    set_memory_encrypted: (ctx, addr, numpages) => __set_memory_enc_dec(ctx, addr, numpages, true),
  },
};
