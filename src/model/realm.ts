// The whole shared model in one SharedArrayBuffer: page tables, per-vCPU TLBs,
// granule (RIPAS/HIPAS) state, page ownership and the guest<->host mailboxes.
// Code above the model reads and writes it only through the accessors below.
// A Realm attached to another thread's buffer (free, record and turn-passing
// workers) uses Atomics for every word; one that owns its buffer is only ever
// stepped by one thread at a time, so it uses plain loads and stores (Atomics
// calls are not inlined on Node 20: ~8 ns each).

import { RealmConfig, PTRS_PER_PTE } from './config.js';
import { G_ASSIGNED, Ripas } from './granule.js';
import { mk_pte, PMD_SECT, PTE_NS, PTE_VALID } from './pte.js';
import { TlbStore } from './tlb.js';
import { BbmTracker } from './bbm.js';
import { DataStore } from './memdata.js';
import { Words } from './words.js';

/** Header words. */
export enum H {
  MAGIC = 0,
  /** 1 once any actor raised a fatal finding: everyone stops at its next step. */
  DEAD = 1,
  /** Set by the free runner's timer: stop at the next operation boundary. */
  STOP = 2,
  /** is_realm_world(): becomes 1 only after arm64_rsi_setup_memory() (R2). */
  REALM_WORLD = 3,
  /** Bumped (and notified) whenever something an actor may be BLOCKED on changes. */
  WAKE = 4,
  /** vCPUs whose program has finished (the host agent exits when all have). */
  VCPUS_DONE = 5,
  /** Free mode start barrier: actors that have reached their worker thread. */
  STARTED = 6,
  /** vCPUs between the first TLBI of a flush and its completing DSB (concurrent broadcasters). */
  BROADCASTING = 7,
  WORDS = 16,
}

/** Per-vCPU mailbox to the host agent (virtio-like queue of depth 1). */
export const MB_MAX_PAGES = 8;
export enum MB { STATE = 0, NPAGES = 1, IPA0 = 2, WORDS = 2 + MB_MAX_PAGES }
export enum MbState { IDLE = 0, POSTED = 1, DONE = 2 }

/** Page owner words: 0 free, v+1 owned by vCPU v, or one of these. */
export const OWNER_FREE = 0;
export const OWNER_POOL = -1; // free page in the __GFP_DECRYPTED pool
export const OWNER_LEAKED = -2; // leaked after a failed flip (R12)
export const OWNER_RESERVED = -3; // pool chunk being filled or drained

/** Pool chunk states. */
export enum Chunk { ENCRYPTED = 0, BUSY = 1, DECRYPTED = 2, LEAKED = 3 }
export const POOL_CHUNK_PAGES = 64;
/** Words between two vCPUs' in-flight counters (64 bytes). */
export const INFLIGHT_STRIDE = 16;

export class Realm {
  readonly cfg: RealmConfig;
  readonly sab: SharedArrayBuffer;
  readonly i32: Int32Array;
  readonly lmPages: number;
  readonly vmPages: number;
  readonly vaPages: number;
  readonly vmBase: number;
  readonly lmBlocks: number;
  readonly tlbMask: number;
  readonly poolChunks: number;
  readonly poolBase: number;
  // Word offsets of each array.
  readonly oPte: number;
  readonly oPmd: number;
  readonly oGranule: number;
  readonly oOwner: number;
  readonly oVmOwner: number;
  readonly oTlb: number;
  /** Every PE's TLB and the invalid->valid write stamps (src/model/tlb.ts). */
  readonly tlb: TlbStore;
  /** Break-before-make state of every PTE and of every linear-map PMD (src/model/bbm.ts). */
  readonly bbmPte: BbmTracker;
  readonly bbmPmd: BbmTracker;
  /** Page contents: protected and host NS pages (src/model/memdata.ts). */
  readonly data: DataStore;
  readonly oInflight: number;
  readonly oMailbox: number;
  readonly oPool: number;
  readonly oSplitLock: number;
  /** Other threads may touch this buffer at the same time: every access is an Atomics call. */
  readonly atomic: boolean;
  /** The power-on words, once reset() has computed them. */
  private powerOn: Int32Array | null = null;
  /** Every word of the buffer, plain or atomic (src/model/words.ts): the tables below are read and written through it. */
  readonly words: Words;

  /** sab: attach to a buffer another thread created (then every access is atomic). */
  constructor(cfg: RealmConfig, sab?: SharedArrayBuffer) {
    this.cfg = cfg;
    this.lmPages = cfg.lmPages;
    this.vmPages = cfg.vmPages;
    this.vmBase = cfg.lmPages;
    this.vaPages = cfg.lmPages + cfg.vmPages;
    this.lmBlocks = cfg.lmPages / PTRS_PER_PTE;
    this.tlbMask = cfg.tlbEntries - 1;
    // The __GFP_DECRYPTED pool reserves the last 2 MiB block of RAM (like a CMA/swiotlb carve-out).
    this.poolBase = cfg.lmPages - PTRS_PER_PTE;
    this.poolChunks = PTRS_PER_PTE / POOL_CHUNK_PAGES;
    let o = H.WORDS;
    const take = (n: number): number => { const at = o; o += n; return at; };
    this.oPte = take(this.vaPages);
    this.oPmd = take(this.lmBlocks);
    this.oGranule = take(cfg.lmPages);
    this.oOwner = take(cfg.lmPages);
    this.oVmOwner = take(cfg.vmPages);
    const tlbShape = { pes: cfg.vcpus, entries: cfg.tlbEntries, vaPages: this.vaPages };
    this.oTlb = take(TlbStore.words(tlbShape));
    const oBbmPte = take(BbmTracker.words(this.vaPages));
    const oBbmPmd = take(BbmTracker.words(this.lmBlocks));
    const oData = take(DataStore.words(cfg.lmPages));
    // One cache line per vCPU: each access writes its own word, so no false sharing between cores.
    this.oInflight = take(cfg.vcpus * INFLIGHT_STRIDE);
    this.oMailbox = take(cfg.vcpus * MB.WORDS);
    this.oPool = take(this.poolChunks);
    this.oSplitLock = take(1);
    this.sab = sab ?? new SharedArrayBuffer(o * 4);
    if (this.sab.byteLength !== o * 4) throw new Error(`SharedArrayBuffer size ${this.sab.byteLength} does not match config (${o * 4})`);
    this.i32 = new Int32Array(this.sab);
    this.atomic = sab !== undefined;
    this.words = new Words(this.i32, this.atomic);
    // The TLB, BBM and data words are plain or atomic like every other word of the buffer.
    this.tlb = new TlbStore(this.i32, this.atomic, tlbShape, this, this.oTlb);
    this.bbmPte = new BbmTracker(this.i32, this.atomic, this.vaPages, 1, oBbmPte);
    this.bbmPmd = new BbmTracker(this.i32, this.atomic, this.lmBlocks, PTRS_PER_PTE, oBbmPmd);
    this.data = new DataStore(this.i32, this.atomic, cfg.lmPages, oData);
  }

  /** Current page-table descriptor for a VA page (no TLB), or 0 if nothing is mapped: the table walk. */
  walk(vpn: number): number {
    if (vpn < this.lmPages) {
      if (vpn < 0) return 0;
      if (this.cfg.linearMap === 'block') {
        const pmd = this.pmd((vpn / PTRS_PER_PTE) | 0);
        // A block leaf: the output page is the linear offset, attributes come from the PMD.
        if (pmd & PMD_SECT) return vpn | (pmd & (PTE_VALID | PTE_NS));
      }
      return this.pte(vpn);
    }
    if (vpn < this.vaPages) return this.pte(vpn);
    return 0;
  }

  /** Power-on state, before boot: RIPAS EMPTY everywhere, no DATA granules, linear map built by paging_init(). */
  reset(): void {
    if (this.powerOn !== null) {
      this.i32.set(this.powerOn); // the same every time: computed once, then copied
      return;
    }
    this.i32.fill(0);
    const a = this.i32;
    a[H.MAGIC] = 0x7265616c; // 'real'
    for (let pfn = 0; pfn < this.lmPages; pfn++) a[this.oGranule + pfn] = Ripas.EMPTY;
    // paging_init(): the linear map is protected (NS clear) and valid.
    if (this.cfg.linearMap === 'block') {
      for (let b = 0; b < this.lmBlocks; b++) a[this.oPmd + b] = PMD_SECT | mk_pte(b * PTRS_PER_PTE, true, false);
    }
    for (let vpn = 0; vpn < this.lmPages; vpn++) a[this.oPte + vpn] = mk_pte(vpn, true, false);
    for (let c = 0; c < this.poolChunks; c++) a[this.oPool + c] = Chunk.ENCRYPTED;
    for (let p = this.poolBase; p < this.lmPages; p++) a[this.oOwner + p] = OWNER_RESERVED;
    // The linear map's descriptors are its first valid writes (R31); data pages start zeroed.
    this.bbmPte.reset((vpn) => a[this.oPte + vpn]);
    this.bbmPmd.reset((b) => a[this.oPmd + b]);
    this.powerOn = this.i32.slice();
  }

  /** The granule state a firmware-populated realm would have after boot (used by tests that skip boot). */
  markAllAssignedRam(): void {
    for (let pfn = 0; pfn < this.lmPages; pfn++) this.i32[this.oGranule + pfn] = Ripas.RAM | G_ASSIGNED;
    this.i32[H.REALM_WORLD] = 1;
  }

  isLinear(vpn: number): boolean { return vpn >= 0 && vpn < this.lmPages; }
  isVmalloc(vpn: number): boolean { return vpn >= this.vmBase && vpn < this.vaPages; }

  // The tables by name: what kernel and host code use.
  header(h: H): number { return this.words.ld(h); }
  set_header(h: H, v: number): void { this.words.st(h, v); }
  add_header(h: H, n: number): number { return this.words.add(h, n); }
  pte(vpn: number): number { return this.words.ld(this.oPte + vpn); }
  set_pte(vpn: number, desc: number): void { this.words.st(this.oPte + vpn, desc); }
  /** Write a PTE, returning the descriptor it replaced. */
  xchg_pte(vpn: number, desc: number): number { return this.words.xchg(this.oPte + vpn, desc); }
  pmd(block: number): number { return this.words.ld(this.oPmd + block); }
  set_pmd(block: number, v: number): void { this.words.st(this.oPmd + block, v); }
  cmpxchg_pmd(block: number, expected: number, v: number): number { return this.words.cas(this.oPmd + block, expected, v); }
  granule(pfn: number): number { return this.words.ld(this.oGranule + pfn); }
  set_granule(pfn: number, g: number): void { this.words.st(this.oGranule + pfn, g); }
  or_granule(pfn: number, bits: number): void { this.words.or(this.oGranule + pfn, bits); }
  owner(pfn: number): number { return this.words.ld(this.oOwner + pfn); }
  set_owner(pfn: number, o: number): void { this.words.st(this.oOwner + pfn, o); }
  cmpxchg_owner(pfn: number, expected: number, o: number): number { return this.words.cas(this.oOwner + pfn, expected, o); }
  /** Owner of vmalloc-area page i (0 free, v+1 vCPU v). */
  vm_owner(i: number): number { return this.words.ld(this.oVmOwner + i); }
  set_vm_owner(i: number, o: number): void { this.words.st(this.oVmOwner + i, o); }
  cmpxchg_vm_owner(i: number, expected: number, o: number): number { return this.words.cas(this.oVmOwner + i, expected, o); }
  pool_chunk(c: number): Chunk { return this.words.ld(this.oPool + c); }
  set_pool_chunk(c: number, s: Chunk): void { this.words.st(this.oPool + c, s); }
  cmpxchg_pool_chunk(c: number, expected: Chunk, s: Chunk): Chunk { return this.words.cas(this.oPool + c, expected, s); }
  /** Word w of vCPU v's mailbox. */
  mailbox(v: number, w: number): number { return this.words.ld(this.oMailbox + v * MB.WORDS + w); }
  set_mailbox(v: number, w: number, x: number): void { this.words.st(this.oMailbox + v * MB.WORDS + w, x); }
}
