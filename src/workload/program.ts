// Each vCPU's program: a seeded stream of kernel operations. The mix mirrors the
// callers in the review thread: dentry-hash style load_unaligned_zeropad() reads
// at the end of kmalloc objects, slab churn, dma-direct style shared buffers
// (alloc_pages + set_memory_decrypted, or __GFP_DECRYPTED), and netvsc style
// vzalloc buffers flipped with set_memory_decrypted on the vmalloc VA.

import { seedrandom } from '../model/prng.js';
import { Cpu, BLOCKED, STEP, type KGen as ActorGen } from '../model/cpu.js';
import { ActorStack, noStep, type KGen, type KPath } from '../model/actor_stack.js';
import { H, MB, MB_MAX_PAGES, MbState } from '../model/realm.js';
import { walk, tlb_peek } from '../model/mmu.js';
import { hostValue } from '../model/memdata.js';
import { PTE_NS, pte_at_str, pte_pfn } from '../model/pte.js';
import { PAGE_SIZE, page_address, virt_to_pfn } from '../kernel/memory.js';
import { Ev } from '../check/events.js';
import type { Policy } from '../kernel/policy.js';
import { ConfigError } from '../errors.js';
import { alloc_pages, __free_pages } from '../kernel/page_alloc.js';
import { kernel_load, kernel_store, load_unaligned_zeropad } from '../kernel/fault.js';
import { alloc_pages_decrypted, free_pages_decrypted, vfree_decrypted, vmalloc_decrypted } from '../kernel/mem_encrypt.js';
import { MB_NS } from '../host/host_agent.js';

export { OPS } from '../config/types.js';
export type { OpName, WorkloadConfig } from '../config/types.js';
import { OPS, type WorkloadConfig } from '../config/types.js';

/**
 * One vCPU's program as a reproducer stores it. Operation i (its kind and the
 * seed of its random stream) depends only on (seed, i), so a program can be
 * cut down to any subset of its operations (`keep`, ascending) by the shrinker.
 */
export interface ProgramSpec {
  seed: string;
  ops: number;
  keep?: number[];
  /** Operations cut down to a single page (a shared buffer of one page), by the shrinker. */
  single?: number[];
}

/** The program vCPU v runs in the schedule with this seed, unless a reproducer says otherwise. */
export const defaultProgram = (scheduleSeed: string, vcpu: number, ops: number): ProgramSpec => ({ seed: `${scheduleSeed}/cpu${vcpu}`, ops });

const OBJECTS_PER_SLAB = 8;

/** The vCPU's own slab: its pages in ascending order, the objects on each, and the page new objects go to. */
interface Slab { pages: number[]; objects: number[]; partial: number }

/** First index in ascending xs whose value is >= x. */
function lowerBound(xs: number[], x: number): number {
  let lo = 0, hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function pickOp(gen: seedrandom.PRNG, cum: number[], total: number): number {
  const x = (gen.int32() >>> 0) % total;
  let i = 0;
  while (x >= cum[i]) i++;
  return i;
}

// The operations are plain functions returning the path of the call they end
// in (a tail call: no generator of their own), generators where they go on.

function kmalloc(cpu: Cpu, slab: Slab): KPath<unknown> {
  if (slab.partial >= 0) {
    const i = lowerBound(slab.pages, slab.partial);
    if (slab.objects[i] < OBJECTS_PER_SLAB) {
      slab.objects[i]++;
      return kernel_store(cpu, page_address(slab.partial), 'kmalloc', true);
    }
  }
  return kmalloc_new_slab(cpu, slab);
}

/** kmalloc() with no room on the partial slab page: a new page first. */
function* kmalloc_new_slab(cpu: Cpu, slab: Slab): KGen {
  const p = yield alloc_pages(cpu, 0);
  if (p < 0) return;
  const at = lowerBound(slab.pages, p);
  slab.pages.splice(at, 0, p);
  slab.objects.splice(at, 0, 1);
  slab.partial = p;
  yield kernel_store(cpu, page_address(p), 'kmalloc', true);
}

/**
 * Which of the vCPU's slab pages an operation touches: the one nearest a random
 * page frame. The choice only changes when a nearer page comes or goes, so
 * deleting unrelated operations (shrinking) leaves it alone.
 */
function pickSlabPage(cpu: Cpu, slab: Slab): number {
  const target = cpu.randInt(cpu.realm.lmPages);
  const i = lowerBound(slab.pages, target); // pages[i-1] < target <= pages[i]
  if (i === slab.pages.length) return i - 1;
  if (i === 0) return 0;
  return target - slab.pages[i - 1] <= slab.pages[i] - target ? i - 1 : i;
}

function kfree(cpu: Cpu, slab: Slab): KPath<unknown> {
  if (slab.pages.length === 0) return noStep(undefined);
  const i = pickSlabPage(cpu, slab);
  if (--slab.objects[i] > 0) return noStep(undefined);
  const p = slab.pages[i];
  slab.pages.splice(i, 1);
  slab.objects.splice(i, 1);
  if (slab.partial === p) slab.partial = -1;
  return __free_pages(cpu, p, 0);
}

/** A dentry-name hash: load_unaligned_zeropad() at the tail of an object, usually the page's last one. */
function d_hash(cpu: Cpu, slab: Slab): KPath<unknown> {
  if (slab.pages.length === 0) return kmalloc(cpu, slab);
  const p = slab.pages[pickSlabPage(cpu, slab)];
  const tail = cpu.randInt(4) === 0 ? 64 + cpu.randInt(512) : 1 + cpu.randInt(7);
  return load_unaligned_zeropad(cpu, page_address(p) + PAGE_SIZE - tail);
}

/** The vCPU's virtqueue requests so far: the host counts the same, so both know the serial of each (R30). */
interface Io { serial: number }

/** Hand the buffer's IPAs (as the guest's page tables say) to the host and wait for completion. Returns the posted words. */
function* host_io(cpu: Cpu, addr: number, n: number): KGen<number[]> {
  const r = cpu.realm;
  const me = cpu.id;
  const posted: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = walk(r, virt_to_pfn(addr) + i);
    posted.push(pte_pfn(d) | (d & PTE_NS ? MB_NS : 0));
    r.set_mailbox(me, MB.IPA0 + i, posted[i]);
  }
  r.set_mailbox(me, MB.NPAGES, n);
  r.set_mailbox(me, MB.STATE, MbState.POSTED);
  cpu.wake();
  cpu.ev(Ev.POST, n, 0);
  yield STEP;
  while (r.mailbox(me, MB.STATE) !== MbState.DONE) {
    cpu.noProgress('virtqueue wait', 'host never completed the request');
    cpu.ev(Ev.BLOCKED, 0, 0);
    yield BLOCKED;
  }
  cpu.progress();
  r.set_mailbox(me, MB.STATE, MbState.IDLE);
  return posted;
}

/**
 * Fill, let the host use, read back. The host wrote hostValue() into every
 * shared page it was given: a read-back that returns anything else went
 * through a translation to another page (R30).
 */
function* use_shared_buffer(cpu: Cpu, addr: number, n: number, io: Io): KGen {
  for (let i = 0; i < n; i++) yield kernel_store(cpu, addr + i * PAGE_SIZE, 'fill', false);
  const posted: number[] = yield host_io(cpu, addr, n);
  const serial = io.serial++;
  const va = virt_to_pfn(addr);
  for (let i = 0; i < n; i++) {
    const v: number = yield kernel_load(cpu, addr + i * PAGE_SIZE, 'read back');
    const want = posted[i] & MB_NS ? hostValue(cpu.id, serial, posted[i] & ~MB_NS) : null;
    if (v !== want) {
      const d = tlb_peek(cpu, va + i) || walk(cpu.realm, va + i);
      cpu.die('integrity', 'read back', 'read-back of a shared buffer returned data the host did not write (translation to another page)',
        `VA page ${va + i} posted as IPA page ${posted[i] & ~MB_NS}${posted[i] & MB_NS ? ' (shared)' : ' (protected)'}, read through ${pte_at_str(va + i, d)}: ${v} instead of ${want ?? 'host data'}`);
    }
  }
}

/** dma_direct_alloc/free of a coherent buffer: shared pages in the linear map. */
function* dma_buffer(cpu: Cpu, policy: Policy, single: boolean, io: Io): KGen {
  const drawn = cpu.randInt(3);
  const order = single ? 0 : drawn; // draw all the same, so the op's later choices do not move
  const addr = yield alloc_pages_decrypted(cpu, policy, order);
  if (addr < 0) return;
  cpu.note(Ev.SHARED_BUFFER, 1 << order, 0);
  yield use_shared_buffer(cpu, addr, 1 << order, io);
  yield free_pages_decrypted(cpu, policy, addr, order);
}

/** netvsc_init_buf(): a vzalloc() buffer shared through the vmalloc VA. */
function* netvsc_buffer(cpu: Cpu, policy: Policy, single: boolean, io: Io): KGen {
  const drawn = 1 + cpu.randInt(Math.min(4, MB_MAX_PAGES));
  const n = single ? 1 : drawn;
  const addr = yield vmalloc_decrypted(cpu, policy, n * PAGE_SIZE);
  if (addr < 0) return;
  cpu.note(Ev.SHARED_BUFFER, n, 0);
  yield use_shared_buffer(cpu, addr, n, io);
  yield vfree_decrypted(cpu, policy, addr, n * PAGE_SIZE);
}

/**
 * The vCPU's whole program, as the actor its executor steps. In free mode it
 * stops early at an operation boundary once the runner raises H.STOP.
 */
export const vcpu_main = (cpu: Cpu, policy: Policy, mix: WorkloadConfig['mix'], prog: ProgramSpec): ActorGen =>
  new ActorStack(vcpu_program(cpu, policy, mix, prog));

function* vcpu_program(cpu: Cpu, policy: Policy, mix: WorkloadConfig['mix'], prog: ProgramSpec): KGen {
  const r = cpu.realm;
  const cum: number[] = [];
  let total = 0;
  for (const op of OPS) cum.push((total += Math.max(0, mix[op] ?? 0)));
  if (total === 0) throw new ConfigError('workload mix has no operation with a positive weight');
  const gen = seedrandom.alea(prog.seed);
  const keep = prog.keep;
  const single = prog.single;
  let k = 0;
  const slab: Slab = { pages: [], objects: [], partial: -1 };
  const io: Io = { serial: 0 };
  for (let i = 0; i < prog.ops; i++) {
    // Draw op i's kind and random words whether or not it is kept, so op i never depends on which others are.
    const op = OPS[pickOp(gen, cum, total)];
    if (keep) {
      if (k >= keep.length) break;
      if (keep[k] !== i) {
        cpu.rng.reset(gen); // consume op i's random words all the same
        continue;
      }
      k++;
    }
    if (r.header(H.STOP)) break;
    cpu.beginOp(i, op, gen);
    switch (op) {
      case 'd_hash': yield d_hash(cpu, slab); break;
      case 'kmalloc': yield kmalloc(cpu, slab); break;
      case 'kfree': yield kfree(cpu, slab); break;
      case 'dma_buffer': yield dma_buffer(cpu, policy, single?.includes(i) === true, io); break;
      case 'netvsc_buffer': yield netvsc_buffer(cpu, policy, single?.includes(i) === true, io); break;
    }
  }
  cpu.op = 'exit';
  cpu.opIndex = -1;
  while (slab.pages.length) yield __free_pages(cpu, slab.pages.pop()!, 0);
  r.add_header(H.VCPUS_DONE, 1);
  cpu.wake();
}
