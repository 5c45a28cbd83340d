// Kernel loads and stores and what the arm64 fault path makes of them:
// do_translation_fault -> __do_kernel_fault -> fixup_exception (R17), or
// do_sea -> die() (R18). load_unaligned_zeropad() lives here too.

import { STEP } from '../model/cpu.js';
import { translate, walk, tlb_peek, exception_sync } from '../model/mmu.js';
import { realm_access } from '../model/rmm.js';
import { G_RIPAS_MASK, RIPAS_NAMES } from '../model/granule.js';
import { PTE_NS, PTE_VALID, pte_at_str, pte_pfn } from '../model/pte.js';
import { guestValue } from '../model/memdata.js';
import { Ev, Res, fnId } from '../check/events.js';
import type { KernelCtx, KGen, KPath } from './context.js';
import { stepDone } from '../model/actor_stack.js';
import { PAGE_SIZE, virt_to_pfn } from './memory.js';

const FN_ZEROPAD = fnId('load_unaligned_zeropad');

/** Why a protected access hit a RIPAS_EMPTY granule, in words a kernel engineer would use. */
function seaCause(cpu: KernelCtx, vpn: number, desc: number): string {
  const r = cpu.realm;
  const now = walk(r, vpn);
  const map = vpn < r.lmPages ? 'linear map' : 'vmalloc';
  if (now !== desc) return `stale TLB entry for a ${map} page whose PTE already changed (protected IPA, RIPAS_EMPTY)`;
  const pfn = pte_pfn(desc);
  if (vpn < r.lmPages) {
    for (let v = r.vmBase; v < r.vaPages; v++) {
      const d = walk(r, v);
      if (d !== 0 && pte_pfn(d) === pfn) return 'valid linear alias of a vmalloc-mapped page (protected IPA, RIPAS_EMPTY)';
    }
  }
  return `valid protected ${map} PTE of a RIPAS_EMPTY granule`;
}

function fatal(cpu: KernelCtx, res: Res, vpn: number, desc: number, fn: string): never {
  const r = cpu.realm;
  const pfn = pte_pfn(desc);
  const ripas = RIPAS_NAMES[r.granule(pfn) & G_RIPAS_MASK];
  const where = `VA page ${vpn}: ${pte_at_str(vpn, desc)}${desc & PTE_NS ? ' (shared alias)' : ''}, RIPAS ${ripas}, TLB ${tlb_peek(cpu, vpn) === desc ? 'hit' : 'walk'}`;
  if (res === Res.SEA) cpu.die('SEA', fn, seaCause(cpu, vpn, desc), `do_sea: synchronous external abort (ESR.EA=1, DFSC 0x10) at ${where}`);
  cpu.die('GPF', fn, 'shared IPA backed by a non-NS granule', `granule protection fault at ${where}`);
}

/**
 * The translation fault was taken: exception entry is a context synchronisation
 * event (R27). __do_kernel_fault() then (no extable entry, or after it)
 * is_spurious_el1_translation_fault(): AT S1E1R on the address; if it now
 * translates, "Ignoring spurious kernel translation fault", and the exception
 * return (another CSE) retries the access. Benign and counted (R29).
 */
export function is_spurious_el1_translation_fault(cpu: KernelCtx, vpn: number): boolean {
  exception_sync(cpu);
  if (!(walk(cpu.realm, vpn) & PTE_VALID)) return false;
  cpu.ev(Ev.SPURIOUS, vpn, 0);
  exception_sync(cpu);
  return true;
}

/** What one attempt of an access returns when it must be retried at the next step (a REC exit without progress, a spurious fault). */
const RETRY: unique symbol = Symbol('retry');

/**
 * One kernel access (ldr/str) to addr with no exception-table entry: a
 * translation fault oopses unless spurious, an SEA dies. A store writes a
 * value the storing CPU makes unique, a load returns what the page holds
 * (R30). Private stores through a shared translation leak data to the host;
 * private loads through one consume host-controlled data. One step (retried
 * while the REC exit makes no progress or after a spurious fault). A plain
 * function on the common path (the access completes in its first step).
 */
export function kernel_access(cpu: KernelCtx, addr: number, fn: string, store: boolean, privateData: boolean): KPath<number> {
  const vpn = virt_to_pfn(addr);
  const v = kernel_access_once(cpu, vpn, fn, store, privateData);
  return v === RETRY ? kernel_access_retry(cpu, vpn, fn, store, privateData) : stepDone(v);
}

/** After an attempt that must be retried: one attempt per step until one completes. */
function* kernel_access_retry(cpu: KernelCtx, vpn: number, fn: string, store: boolean, privateData: boolean): KGen<number> {
  for (;;) {
    yield STEP;
    const v = kernel_access_once(cpu, vpn, fn, store, privateData);
    if (v !== RETRY) {
      yield STEP;
      return v;
    }
  }
}

/** One attempt of kernel_access(): the value loaded (0 for a store), or RETRY. */
function kernel_access_once(cpu: KernelCtx, vpn: number, fn: string, store: boolean, privateData: boolean): number | typeof RETRY {
  const data = cpu.realm.data;
  cpu.beginAccess();
  const d = translate(cpu, vpn);
  const res = d === 0 ? Res.XLATE_FAULT : realm_access(cpu, d);
  let value = 0;
  if (res === Res.OK || res === Res.REC_EXIT_MAPPED) {
    if (store) data.store(d, guestValue(cpu.id, cpu.trace.step));
    else value = data.load(d);
  }
  cpu.endAccess();
  cpu.ev(Ev.ACCESS, vpn, res);
  if (res === Res.NO_PROGRESS) {
    cpu.noProgress(fn, 'access to a RIPAS_DESTROYED granule (REC exit, no progress)');
    return RETRY;
  }
  if (res === Res.XLATE_FAULT) {
    if (is_spurious_el1_translation_fault(cpu, vpn)) return RETRY;
    cpu.die('translation-fault', fn, `unhandled kernel ${store ? 'write' : 'read'} translation fault (no extable entry)`, `Unable to handle kernel paging request at VA page ${vpn}, ${pte_at_str(vpn, walk(cpu.realm, vpn))}`);
  }
  if (res === Res.SEA || res === Res.GPF) fatal(cpu, res, vpn, d, fn);
  if (privateData && (d & PTE_NS)) {
    if (store) cpu.die('data-exposed', fn, 'private data stored through a shared (NS) translation', `store to VA page ${vpn} reached host memory`);
    cpu.die('integrity', fn, 'private load through a shared (NS) translation (host-controlled data)', `load from VA page ${vpn} read the host's NS page ${pte_pfn(d)}`);
  }
  return value;
}

/** A load of shared (or not private) data: returns the value read. */
export const kernel_load = (ctx: KernelCtx, addr: number, fn: string): KPath<number> => kernel_access(ctx, addr, fn, false, false);
/** A store (its path returns 0). */
export const kernel_store = (ctx: KernelCtx, addr: number, fn: string, privateData: boolean): KPath<number> => kernel_access(ctx, addr, fn, true, privateData);

/**
 * load_unaligned_zeropad(addr): one 8-byte ldr with an extable entry. A
 * translation fault on the spill into the next page is fixed up (bytes past the
 * page read as zero); an SEA on it is not (R17, R18, R20). One step (retried
 * like kernel_access()); a plain function on the common path.
 */
export function load_unaligned_zeropad(cpu: KernelCtx, addr: number): KPath<number> {
  const vpn = virt_to_pfn(addr);
  const spills = (addr % PAGE_SIZE) + 8 > PAGE_SIZE;
  cpu.note(Ev.ZEROPAD_LOAD, vpn, spills ? 1 : 0);
  const v = zeropad_once(cpu, vpn, spills);
  return v === RETRY ? zeropad_retry(cpu, vpn, spills) : stepDone(v);
}

function* zeropad_retry(cpu: KernelCtx, vpn: number, spills: boolean): KGen<number> {
  for (;;) {
    yield STEP;
    const v = zeropad_once(cpu, vpn, spills);
    if (v !== RETRY) {
      yield STEP;
      return v;
    }
  }
}

/** One attempt of load_unaligned_zeropad(): 0 if the spill was fixed up, 1 if not, or RETRY. */
function zeropad_once(cpu: KernelCtx, vpn: number, spills: boolean): number | typeof RETRY {
  cpu.beginAccess();
  const d0 = translate(cpu, vpn);
  const r0 = d0 === 0 ? Res.XLATE_FAULT : realm_access(cpu, d0);
  let r1 = Res.OK;
  let d1 = 0;
  if (spills && (r0 === Res.OK || r0 === Res.REC_EXIT_MAPPED)) {
    d1 = translate(cpu, vpn + 1);
    r1 = d1 === 0 ? Res.XLATE_FAULT : realm_access(cpu, d1);
  }
  cpu.endAccess();
  // A fault on the first page: the fixup's aligned reload runs after exception entry (a CSE).
  // If the fault was spurious (R29) the reload translates: as good as retrying the load.
  if (r0 === Res.XLATE_FAULT && is_spurious_el1_translation_fault(cpu, vpn)) return RETRY;
  if (r0 === Res.NO_PROGRESS || r1 === Res.NO_PROGRESS) {
    // A RIPAS_DESTROYED granule: REC exit, the load is retried and never completes.
    cpu.ev(Ev.ZEROPAD, r0 === Res.NO_PROGRESS ? vpn : vpn + 1, Res.NO_PROGRESS);
    cpu.noProgress('load_unaligned_zeropad', 'access to a RIPAS_DESTROYED granule (REC exit, no progress)');
    return RETRY;
  }
  cpu.ev(Ev.ZEROPAD, spills ? vpn + 1 : vpn, spills ? (r1 === Res.XLATE_FAULT ? Res.FIXUP : r1) : r0);
  // The first page is the caller's own object: a fault there is a real bug, and the
  // fixup's own aligned reload would fault again.
  if (r0 === Res.XLATE_FAULT) cpu.die('translation-fault', 'load_unaligned_zeropad', 'fault on the first page (the fixup reload faults too)', `VA page ${vpn}`);
  if (r0 === Res.SEA || r0 === Res.GPF) fatal(cpu, r0, vpn, d0, 'load_unaligned_zeropad');
  // The bytes of the first page are the caller's own (private) object.
  if (d0 & PTE_NS) cpu.die('integrity', 'load_unaligned_zeropad', 'private load through a shared (NS) translation (host-controlled data)', `VA page ${vpn} read the host's NS page ${pte_pfn(d0)}`);
  if (spills) {
    cpu.note(Ev.ZEROPAD_SPILL, vpn + 1, r1 === Res.XLATE_FAULT ? 1 : 0);
    if (r1 === Res.XLATE_FAULT) {
      // ex_handler_load_unaligned_zeropad(): aligned word from the first page, missing bytes zero.
      // The fault was taken and returned from: two context synchronisation events.
      exception_sync(cpu);
    } else if (r1 === Res.SEA || r1 === Res.GPF) {
      fatal(cpu, r1, vpn + 1, d1, 'load_unaligned_zeropad (spill into next page)');
    }
  }
  return spills && r1 === Res.XLATE_FAULT ? 0 : 1;
}

export { FN_ZEROPAD };
