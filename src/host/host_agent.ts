// The host's virtio-like backend: it takes the buffers each vCPU posted, reads
// and writes every page at the IPA the guest gave it, and completes the request.
// It must only ever touch memory the guest shared; touching a GPT_REALM granule
// is a granule protection fault (R10).

import { Cpu, BLOCKED, STEP, type KGen } from '../model/cpu.js';
import { H, MB, MbState } from '../model/realm.js';
import { host_access } from '../model/rmm.js';
import { hostValue } from '../model/memdata.js';
import { Ev, Res, fnId } from '../check/events.js';

const FN_IO = fnId('host_virtio_io');
/** Mailbox page word: IPA page number, with this bit set for the unprotected (shared) alias. */
export const MB_NS = 1 << 30;

export function* host_main(host: Cpu): KGen {
  const r = host.realm;
  host.op = 'host_virtio_io';
  // Requests served per vCPU: the guest counts its own the same way (R30 read-back values).
  const serial = new Array<number>(r.cfg.vcpus).fill(0);
  for (;;) {
    let served = false;
    for (let v = 0; v < r.cfg.vcpus; v++) {
      if (r.mailbox(v, MB.STATE) !== MbState.POSTED) continue;
      served = true;
      const n = r.mailbox(v, MB.NPAGES);
      const s = serial[v]++;
      host.ev(Ev.CALL, FN_IO, v);
      for (let i = 0; i < n; i++) {
        const w = r.mailbox(v, MB.IPA0 + i);
        const pfn = w & ~MB_NS;
        const res = host_access(host, pfn, (w & MB_NS) !== 0);
        host.ev(Ev.HOST_IO, pfn, res);
        if (res === Res.GPF) host.die('host-GPF', 'host_virtio_io', 'host access to a GPT_REALM granule: the guest posted a protected IPA', `IPA page ${pfn} of a buffer from vCPU ${v} is a DATA granule (Realm PAS)`);
        // The device writes its reply into the shared page (its own NS memory).
        if (w & MB_NS) r.data.hostStore(pfn, hostValue(v, s, pfn));
        yield STEP;
      }
      host.ev(Ev.RET, FN_IO, 0);
      r.set_mailbox(v, MB.STATE, MbState.DONE);
      host.wake();
    }
    if (!served) {
      if (r.header(H.VCPUS_DONE) >= r.cfg.vcpus) return;
      yield BLOCKED;
    }
  }
}
