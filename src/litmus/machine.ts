// Machine state and instruction semantics for the VMSA litmus checker.
// One step = one scheduler decision, asked through `choose` (the same shape as
// the project's Cpu.choose, so a scheduler can drive it):
//   'action'      which enabled transition runs: a PE executes its next
//                 instruction, drains its oldest buffered store, completes its
//                 oldest pending TLBI, or walks early for a po-later access;
//   'translation' which translation an access uses: the walk of memory now or
//                 one of the PE's TLB entries for the VA.
// Data memory is sequentially consistent apart from a per-PE FIFO store buffer
// (x86-TSO-like: loads forward from it, translation walks and other PEs do not
// see it; DSB and DMB SY drain it). Instructions commit in program order.
// Instructions that touch nothing shared (ALU, branches, system registers, ISB,
// SVC, ERET, exception entry) run eagerly after the PE's previous step: they
// are invisible to other PEs.

import { parseBlock, type Block, type Instr, type Line, type Operand, type Cond, type SysReg, XZR } from './asm.js';
import { AP_SHIFT, PAGE } from './descriptor.js';
import { LitmusParseError, LitmusUnsupported } from './errors.js';
import { buildSetup, type SetupBuilder } from './page_table.js';
import type { LitmusTest } from './toml_test.js';
import { covers, sameTranslation, stale, tlbiScope, walk, walkKey, type MemoryView, type TlbiScope, type Walk } from './tlb.js';
import { evalValue } from './values.js';

export interface Chooser {
  choose(kind: string, n: number): number;
}

const MASK64 = (1n << 64n) - 1n;
/** What a store of a never-written register puts in memory: equal to no 64-bit value. */
export const UNKNOWN = 1n << 64n;
/** Where thread N's code starts (code fetch is not translated). */
const CODE_BASE = 0x50_0000n;
const CODE_STRIDE = 0x1_0000n;

export interface CodeLine extends Line {
  addr: bigint;
  /** which block it is in, for display: 'T0' or a section name */
  block: string;
}

export interface Program {
  test: LitmusTest;
  setup: SetupBuilder;
  code: Map<bigint, CodeLine>;
  /** symbolic VA pages, the ones translated (anything else is flat: page tables, code) */
  vaPages: bigint[];
  root: bigint;
  initial: State;
  /** what the PEs ran before the first step (their leading local instructions) */
  initialEvents: Event[];
  /** display names of addresses: physical pages, VAs, translation table entries */
  names: Map<bigint, string>;
}

export interface SysRegs {
  ELR_EL1?: bigint;
  SPSR_EL1?: bigint;
  ESR_EL1?: bigint;
  FAR_EL1?: bigint;
  VBAR_EL1?: bigint;
}

export interface PendingTlbi {
  name: string;
  broadcast: boolean;
  scope: TlbiScope;
}

export interface Thread {
  pc: bigint;
  done: boolean;
  /** X0..X30; undefined: never written (isla leaves such registers unknown) */
  regs: (bigint | undefined)[];
  nzcv: number;
  el: number;
  sp: number;
  sys: SysRegs;
  /** store buffer, program order; `epoch` counts the PE's DMB STs (stores drain in epoch order) */
  sb: { pa: bigint; value: bigint; epoch: number; addr: bigint }[];
  epoch: number;
  tlbi: PendingTlbi[];
  /** early walks by instruction address */
  pre: Map<bigint, { va: bigint; walk: Walk; guard?: { pa: bigint; seq: number } }>;
  /**
   * Loads performed early (out of order, before po-earlier instructions) by
   * instruction address: the PA, the value, and which write it came from
   * ("m:SEQ" memory, "s:ADDR" the PE's store instruction at ADDR), checked
   * against po-earlier same-PA accesses when those commit (coherence).
   */
  early: Map<bigint, { pa: bigint; value: bigint; from: string }>;
  /** TLB: VA page -> cached valid translations */
  tlb: Map<bigint, Walk[]>;
}

export interface State {
  mem: Map<bigint, bigint>;
  seq: Map<bigint, number>;
  threads: Thread[];
  /**
   * Early walks already offered and declined, "thread:instr:va" -> the walk
   * result then. A walk is offered again only once its result changes: taking
   * it later with the same result reaches the same state (a reduction).
   */
  offered: Map<string, string>;
  /** threads copied in this step (copy on write; not part of the state) */
  owned?: Set<number>;
  memOwned?: boolean;
}

export type Event = { thread: number; text: string };

export function cloneState(s: State): State {
  // memory and threads are shared with the parent state until written (copy on write)
  return { mem: s.mem, seq: s.seq, threads: s.threads.slice(), offered: new Map(s.offered), owned: new Set(), memOwned: false };
}

/** The thread, copied first if this step has not copied it yet. */
function own(s: State, ti: number): Thread {
  if (!s.owned || s.owned.has(ti)) return s.threads[ti]!;
  const t = s.threads[ti]!;
  const c: Thread = { ...t, regs: t.regs.slice(), sys: { ...t.sys }, sb: t.sb.slice(), tlbi: t.tlbi.slice(), pre: new Map(t.pre), early: new Map(t.early), tlb: new Map(t.tlb) };
  s.threads[ti] = c;
  s.owned.add(ti);
  return c;
}

function forgetOffers(s: State, ti: number): void {
  for (const k of [...s.offered.keys()]) if (k.startsWith(`${ti}:`)) s.offered.delete(k);
}

const hex = (v: bigint) => '0x' + v.toString(16);
let currentNames: Map<bigint, string> | null = null;
/** An address for display: its symbolic name when it has one. */
function at(v: bigint): string {
  const n = currentNames?.get(v) ?? currentNames?.get(v & ~0xfffn);
  return n ? (currentNames!.has(v) ? n : `${n}+${hex(v & 0xfffn)}`) : hex(v);
}

const memKeys = new WeakMap<Map<bigint, number>, string>();
const threadKeys = new WeakMap<Thread, string>();

function threadKey(t: Thread): string {
  let k = threadKeys.get(t);
  if (k !== undefined) return k;
  k = `${t.pc.toString(16)}${t.done ? 'D' : ''}e${t.el}${t.sp}f${t.nzcv};`;
  for (let i = 0; i < t.regs.length; i++) {
    const r = t.regs[i];
    if (r !== undefined) k += `${i}:${r.toString(16)},`;
  }
  k += ';';
  const sys = t.sys;
  if (sys.ELR_EL1 !== undefined) k += `e${sys.ELR_EL1.toString(16)}`;
  if (sys.SPSR_EL1 !== undefined) k += `s${sys.SPSR_EL1.toString(16)}`;
  if (sys.ESR_EL1 !== undefined) k += `r${sys.ESR_EL1.toString(16)}`;
  if (sys.FAR_EL1 !== undefined) k += `f${sys.FAR_EL1.toString(16)}`;
  if (sys.VBAR_EL1 !== undefined) k += `v${sys.VBAR_EL1.toString(16)}`;
  k += ';' + t.sb.map((w) => `${w.pa.toString(16)}:${w.value.toString(16)}:${w.epoch - t.epoch}:${w.addr.toString(16)}`).join(',');
  k += ';' + t.tlbi.map((p) => `${p.name}${p.scope.all ? '*' : p.scope.pages.map((q) => q.toString(16)).join('+')}`).join(',');
  const pre = [...t.pre].map(([a, p]) => `${a.toString(16)}>${walkKey(p.walk)}/${p.walk.reads.map((r) => r[1]).join('.')}${p.guard ? `!${p.guard.seq}` : ''}`).sort();
  k += ';' + pre.join(',') + ';' + [...t.early].map(([a, e]) => `${a.toString(16)}>${e.pa.toString(16)}=${e.value.toString(16)}/${e.from}`).sort().join(',');
  const tlb = [...t.tlb].map(([p, ws]) => `${p.toString(16)}>${ws.map(walkKey).sort().join('+')}`).sort();
  k += ';' + tlb.join(',');
  threadKeys.set(t, k);
  return k;
}

/** The memo key of a state (everything that decides its future). */
export function stateKey(s: State): string {
  let mk = memKeys.get(s.seq);
  if (mk === undefined) {
    const parts: string[] = [];
    for (const [a, n] of s.seq) parts.push(`${a.toString(16)}=${(s.mem.get(a) ?? 0n).toString(16)}@${n}`);
    mk = parts.sort().join(',');
    memKeys.set(s.seq, mk);
  }
  let k = mk;
  if (s.offered.size > 0) k += '|' + [...s.offered].map(([a, b]) => `${a}=${b}`).sort().join(',');
  for (const t of s.threads) k += '|' + threadKey(t);
  return k;
}

function memView(s: State): MemoryView {
  return { read: (pa) => s.mem.get(pa) ?? 0n, seq: (pa) => s.seq.get(pa) ?? 0 };
}

// ---------------------------------------------------------------- loading

const EL_RESET = /^PSTATE\.EL$/;

export function loadProgram(test: LitmusTest): Program {
  const setup = buildSetup(test.pageTableSetup, test.symbolic);
  const code = new Map<bigint, CodeLine>();
  const blocks: { block: Block; base: bigint; name: string }[] = [];
  test.threads.forEach((t) => blocks.push({ block: parseBlock(t.code, `thread ${t.index}`), base: CODE_BASE + BigInt(t.index) * CODE_STRIDE, name: `T${t.index}` }));
  for (const s of test.sections) blocks.push({ block: parseBlock(s.code, `section ${s.name}`), base: s.address, name: s.name });
  for (const b of blocks) {
    b.block.lines.forEach((l, i) => {
      const addr = b.base + BigInt(i) * 4n;
      if (code.has(addr)) throw new LitmusParseError(`code of ${b.name} overlaps ${code.get(addr)!.block} at ${hex(addr)}`);
      code.set(addr, { ...l, addr, block: b.name });
    });
  }
  const resolve = (b: (typeof blocks)[number], i: number) => b.base + BigInt(i) * 4n;
  // branch targets are block indices: rebase them to addresses
  for (const b of blocks) {
    b.block.lines.forEach((l, i) => {
      const cl = code.get(resolve(b, i))!;
      if (l.instr.op === 'b' || l.instr.op === 'cbz') cl.instr = { ...l.instr, target: Number(resolve(b, l.instr.target)) } as Instr;
    });
  }
  const vaPages = [...setup.setup.va.values()];
  const root = setup.setup.trees.get('page_table_base')!.root;
  const threads: Thread[] = test.threads.map((t) => {
    const b = blocks[t.index]!;
    const th: Thread = {
      pc: b.base,
      done: false,
      regs: new Array<bigint | undefined>(31).fill(undefined),
      nzcv: 0,
      el: 0,
      sp: 0,
      sys: {},
      sb: [],
      epoch: 0,
      tlbi: [],
      pre: new Map(),
      early: new Map(),
      tlb: new Map(),
    };
    const label = (name: string) => {
      const i = b.block.labels.get(name);
      return i === undefined ? undefined : resolve(b, i);
    };
    for (const [k, src] of Object.entries(t.reset)) {
      const key = k.trim();
      if (key === '__isla_monomorphize_writes') continue;
      if (/_EL2$|_EL3$/.test(key)) throw new LitmusUnsupported(`EL2 (${key})`);
      if (/^TTBR|^VTTBR|^TCR/.test(key)) throw new LitmusUnsupported(`ASIDs (${key})`);
      const v = evalValue(src, { setup, label });
      let m: RegExpExecArray | null;
      if ((m = /^[RX](\d+)$/.exec(key)) && Number(m[1]) <= 30) th.regs[Number(m[1])] = v & MASK64;
      else if (EL_RESET.test(key)) {
        if (v >= 2n) throw new LitmusUnsupported(`EL${v}`);
        th.el = Number(v);
      } else if (key === 'PSTATE.SP') th.sp = Number(v & 1n);
      else if (['ELR_EL1', 'SPSR_EL1', 'ESR_EL1', 'FAR_EL1', 'VBAR_EL1'].includes(key)) th.sys[key as SysReg] = v;
      else throw new LitmusUnsupported(`reset of ${key}`);
    }
    return th;
  });
  const initial: State = { mem: new Map(setup.setup.memory), seq: new Map(), threads, offered: new Map() };
  const view = memView(initial);
  for (const th of threads) {
    for (const va of vaPages) {
      const w = walk(view, root, va);
      th.tlb.set(va, w.ok ? [w] : []);
    }
  }
  const names = new Map<bigint, string>();
  for (const [n, a] of setup.setup.pa) names.set(a, n);
  for (const [n, a] of setup.setup.va) {
    names.set(a, n);
    for (const tr of setup.setup.trees.values()) {
      for (let l = 0; l <= 3; l++) {
        const at = setup.entryAddress(tr, a, l, false);
        if (at !== null && !names.has(at)) names.set(at, `pte${l}(${n}${tr.name === 'page_table_base' ? '' : ', ' + tr.name})`);
      }
    }
  }
  const prog: Program = { test, setup, code, vaPages, root, initial, initialEvents: [], names };
  currentNames = names;
  for (let i = 0; i < threads.length; i++) runLocal(prog, initial, i, prog.initialEvents);
  currentNames = null;
  return prog;
}

// ---------------------------------------------------------------- helpers

function reg(t: Thread, r: number): bigint | undefined {
  return r === XZR ? 0n : t.regs[r];
}

function setReg(t: Thread, r: number, v: bigint | undefined): void {
  if (r !== XZR) t.regs[r] = v === undefined ? undefined : v & MASK64;
}

function operand(t: Thread, o: Operand): bigint | undefined {
  return o.kind === 'imm' ? o.value & MASK64 : reg(t, o.reg);
}

function condHolds(nzcv: number, c: Cond): boolean {
  const n = (nzcv & 8) !== 0, z = (nzcv & 4) !== 0, cf = (nzcv & 2) !== 0, v = (nzcv & 1) !== 0;
  switch (c) {
    case 'eq': return z;
    case 'ne': return !z;
    case 'hs': return cf;
    case 'lo': return !cf;
    case 'mi': return n;
    case 'pl': return !n;
    case 'hi': return cf && !z;
    case 'ls': return !(cf && !z);
    case 'ge': return n === v;
    case 'lt': return n !== v;
    case 'gt': return !z && n === v;
    case 'le': return !(!z && n === v);
    case 'al': return true;
  }
}

function subFlags(a: bigint, b: bigint): number {
  const r = (a - b) & MASK64;
  const n = (r >> 63n) & 1n;
  const z = r === 0n ? 1 : 0;
  const c = a >= b ? 1 : 0;
  const sa = a >> 63n, sb = b >> 63n, sr = r >> 63n;
  const v = sa !== sb && sr !== sa ? 1 : 0;
  return (Number(n) << 3) | (z << 2) | (c << 1) | v;
}

function accessAddress(t: Thread, i: Instr & { op: 'ldr' | 'str' }): bigint | undefined {
  const b = reg(t, i.base);
  const o = i.offset ? operand(t, i.offset) : 0n;
  if (b === undefined || o === undefined) return undefined;
  return (b + o) & MASK64;
}

function isTranslated(p: Program, va: bigint): boolean {
  return p.vaPages.includes(va & ~(PAGE - 1n));
}

/** A memory write reaching memory: later walks see it; every TLB may now cache it. */
function writeMemory(p: Program, s: State, pa: bigint, value: bigint): void {
  if (s.memOwned === false) {
    s.mem = new Map(s.mem);
    s.seq = new Map(s.seq);
    s.memOwned = true;
  }
  s.mem.set(pa, value);
  s.seq.set(pa, (s.seq.get(pa) ?? 0) + 1);
  const view = memView(s);
  for (const va of p.vaPages) {
    const w = walk(view, p.root, va);
    if (!w.ok) continue;
    s.threads.forEach((t, ti) => {
      const cur = t.tlb.get(va) ?? [];
      if (!cur.some((c) => sameTranslation(c, w))) own(s, ti).tlb.set(va, [...cur, w]);
    });
  }
}

/** Buffered stores that may reach memory next: oldest epoch, and no older store to the same PA. */
function drainable(t: Thread): number[] {
  const min = Math.min(...t.sb.map((w) => w.epoch));
  const out: number[] = [];
  t.sb.forEach((w, j) => {
    if (w.epoch === min && !t.sb.slice(0, j).some((o) => o.pa === w.pa)) out.push(j);
  });
  return out;
}

function drainOne(p: Program, s: State, ti: number, ev: Event[] | null, which = 0): void {
  const t = own(s, ti);
  const w = t.sb.splice(which, 1)[0]!;
  writeMemory(p, s, w.pa, w.value);
  const from = `s:${w.addr}`;
  for (const [a, e] of t.early) if (e.from === from && !t.sb.some((o) => o.addr === w.addr)) t.early.set(a, { ...e, from: `m:${s.seq.get(w.pa)}` });
  ev?.push({ thread: ti, text: `  (store ${at(w.pa)}=${hex(w.value)} reaches memory)` });
}

function drainAll(p: Program, s: State, ti: number, ev: Event[] | null): void {
  while (s.threads[ti]!.sb.length > 0) drainOne(p, s, ti, ev);
}

function completeTlbi(p: Program, s: State, ti: number, ev: Event[] | null): void {
  const t = own(s, ti);
  const op = t.tlbi.shift()!;
  const view = memView(s);
  const affected = op.broadcast ? s.threads.map((_, j) => j) : [ti];
  for (const aj of affected) {
    const a = own(s, aj);
    for (const va of p.vaPages) {
      if (!covers(op.scope, va)) continue;
      const w = walk(view, p.root, va);
      a.tlb.set(va, w.ok ? [w] : []);
    }
    for (const [addr, e] of a.pre) {
      if (!covers(op.scope, e.va & ~(PAGE - 1n)) || !stale(e.walk, view)) continue;
      if (!e.walk.ok && mayFaultEarly(p, a, addr)) continue;
      const guard = aj !== ti && e.walk.ok && !e.guard ? barrieredReadGuard(p, s, a, addr, e.va, e.walk) : null;
      if (guard) {
        a.pre.set(addr, { ...e, guard });
        continue;
      }
      a.pre.delete(addr);
      a.early.clear(); // conservative: early loads may depend on it
      s.offered.delete(`${aj}:${addr}:${e.va}`);
    }
  }
  ev?.push({ thread: ti, text: `  (TLBI ${op.name} complete${op.broadcast ? ' on all PEs' : ''})` });
}

/**
 * Another PE's load whose early walk read an entry this TLBI barriers may still
 * use it, if its read returns a write from before the TLBI completed: then the
 * access is ordered before the TLBI as far as any PE can observe (RBS+dsb-
 * tlbiis-dsb stays forbidden; MP.RT.EL1+dsb-tlbiis-dsb+dmb allowed, as in
 * isla's ESOP 2022 results). Returns the PA and its write count now; the read
 * must still see that write.
 */
function barrieredReadGuard(p: Program, s: State, t: Thread, addr: bigint, va: bigint, w: Walk & { ok: true }): { pa: bigint; seq: number } | null {
  if (p.code.get(addr)?.instr.op !== 'ldr' || t.early.has(addr)) return null;
  const pa = w.pa | (va & (PAGE - 1n));
  return { pa, seq: s.seq.get(pa) ?? 0 };
}

/**
 * A load whose early walk faulted may take that fault ahead of the po-earlier
 * instructions still to run (its fault is then ordered before the TLBI), unless
 * a barrier or acquire/release lies between (obfault: [dmbld]; po; [Fault],
 * [A|Q]; po; [Fault]). Store faults stay ordered after po-earlier
 * translations (obfault: speculative; [Fault & FaultFromW]).
 */
function mayFaultEarly(p: Program, t: Thread, addr: bigint): boolean {
  const target = p.code.get(addr)?.instr;
  if (target?.op !== 'ldr') return false;
  for (let a = t.pc; a < addr; a += 4n) {
    const i = p.code.get(a)?.instr;
    if (!i) return false;
    if (i.op === 'dmb' || i.op === 'dsb' || i.op === 'isb' || i.op === 'tlbi') return false;
    if ((i.op === 'ldr' && i.acquire !== 'none') || (i.op === 'str' && i.release)) return false;
  }
  return true;
}

// ---------------------------------------------------------------- exceptions

const EC_DABT_LOWER = 0x24n, EC_DABT_CUR = 0x25n, EC_SVC64 = 0x15n;

function takeException(t: Thread, ec: bigint, iss: bigint, elr: bigint, far: bigint | undefined): void {
  const fromLower = t.el === 0;
  t.sys.SPSR_EL1 = (BigInt(t.nzcv) << 28n) | (BigInt(t.el) << 2n) | BigInt(t.sp);
  t.sys.ELR_EL1 = elr;
  t.sys.ESR_EL1 = (ec << 26n) | (1n << 25n) | iss;
  if (far !== undefined) t.sys.FAR_EL1 = far;
  const offset = fromLower ? 0x400n : t.sp === 0 ? 0n : 0x200n;
  t.el = 1;
  t.sp = 1;
  t.pc = (t.sys.VBAR_EL1 ?? 0n) + offset;
  t.pre.clear(); // exception entry is a context synchronisation event
  t.early.clear();
}

function dataAbort(t: Thread, va: bigint, write: boolean, fault: 'translation' | 'permission', level: number): void {
  const dfsc = BigInt((fault === 'translation' ? 0x4 : 0xc) + level);
  const iss = (write ? 1n << 6n : 0n) | dfsc;
  takeException(t, t.el === 0 ? EC_DABT_LOWER : EC_DABT_CUR, iss, t.pc, va);
}

// ---------------------------------------------------------------- execution

/** Does the PE's next instruction touch shared state (memory, store buffer drains, TLBIs)? */
function isShared(i: Instr): boolean {
  return i.op === 'ldr' || i.op === 'str' || i.op === 'dsb' || i.op === 'tlbi' || (i.op === 'dmb' && i.kind === 'sy');
}

function finishIfNoCode(p: Program, t: Thread): void {
  if (!p.code.has(t.pc)) t.done = true;
}

/** Runs the PE's local instructions until the next shared one. */
function runLocal(p: Program, s: State, ti: number, ev: Event[] | null): void {
  const t = own(s, ti);
  const cse = () => forgetOffers(s, ti);
  for (let guard = 0; ; guard++) {
    if (guard > 10_000) throw new LitmusParseError(`thread ${ti} loops without touching memory`);
    finishIfNoCode(p, t);
    if (t.done) return;
    const line = p.code.get(t.pc)!;
    if (isShared(line.instr)) return;
    if (line.instr.op === 'isb' || line.instr.op === 'svc' || line.instr.op === 'eret') cse();
    execLocal(t, line, ev, ti);
  }
}

function execLocal(t: Thread, line: CodeLine, ev: Event[] | null, ti: number): void {
  const i = line.instr;
  const next = t.pc + 4n;
  let note = '';
  switch (i.op) {
    case 'mov':
      setReg(t, i.rd, operand(t, i.src));
      break;
    case 'alu': {
      const a = reg(t, i.rn), b = operand(t, i.src);
      let r: bigint | undefined;
      if (a !== undefined && b !== undefined) {
        switch (i.fn) {
          case 'add': r = a + b; break;
          case 'sub': r = a - b; break;
          case 'eor': r = a ^ b; break;
          case 'orr': r = a | b; break;
          case 'and': r = a & b; break;
          case 'lsr': r = a >> (b & 63n); break;
          case 'lsl': r = a << (b & 63n); break;
        }
        r = r! & MASK64;
      }
      setReg(t, i.rd, r);
      break;
    }
    case 'cmp': {
      const a = reg(t, i.rn), b = operand(t, i.src);
      if (a === undefined || b === undefined) throw new LitmusParseError(`thread ${ti}: CMP of an unset register ("${line.text}")`);
      t.nzcv = subFlags(a, b);
      break;
    }
    case 'csel':
      setReg(t, i.rd, condHolds(t.nzcv, i.cond) ? reg(t, i.rn) : reg(t, i.rm));
      break;
    case 'b':
      if (condHolds(t.nzcv, i.cond)) {
        t.pc = BigInt(i.target);
        ev?.push({ thread: ti, text: line.text });
        return;
      }
      break;
    case 'cbz': {
      const v = reg(t, i.rt);
      if (v === undefined) throw new LitmusParseError(`thread ${ti}: ${line.text} tests an unset register`);
      if ((v !== 0n) === i.nonzero) {
        t.pc = BigInt(i.target);
        ev?.push({ thread: ti, text: `${line.text}  (taken)` });
        return;
      }
      note = '  (not taken)';
      break;
    }
    case 'dmb': // DMB SY is a shared step (it drains); DMB ST orders the buffer; DMB LD: loads are in order
      if (i.kind === 'st') t.epoch++;
      break;
    case 'nop':
      break;
    case 'isb':
      t.pre.clear();
      t.early.clear();
      break;
    case 'mrs':
      setReg(t, i.rt, i.sysreg === 'SPSR_EL1' || i.sysreg === 'ELR_EL1' || i.sysreg === 'ESR_EL1' || i.sysreg === 'FAR_EL1' || i.sysreg === 'VBAR_EL1' ? t.sys[i.sysreg] : undefined);
      if (t.el === 0) throw new LitmusUnsupported(`MRS at EL0 ("${line.text}")`);
      break;
    case 'msr':
      if (t.el === 0) throw new LitmusUnsupported(`MSR at EL0 ("${line.text}")`);
      t.sys[i.sysreg] = reg(t, i.rt);
      break;
    case 'svc':
      ev?.push({ thread: ti, text: `${line.text}  (exception to EL1)` });
      takeException(t, EC_SVC64, i.imm & 0xffffn, next, undefined);
      return;
    case 'eret': {
      const spsr = t.sys.SPSR_EL1 ?? 0n;
      const el = Number((spsr >> 2n) & 3n);
      if (el >= 2) throw new LitmusUnsupported('EL2 (ERET to EL2)');
      if (t.sys.ELR_EL1 === undefined) {
        t.done = true;
        ev?.push({ thread: ti, text: `${line.text}  (ELR_EL1 unset: stop)` });
        return;
      }
      t.pc = t.sys.ELR_EL1;
      t.el = el;
      t.sp = Number(spsr & 1n);
      t.nzcv = Number((spsr >> 28n) & 0xfn);
      t.pre.clear(); // ERET is a context synchronisation event
      t.early.clear();
      ev?.push({ thread: ti, text: `${line.text}  (to EL${el} ${hex(t.pc)})` });
      return;
    }
    default:
      throw new Error(`not a local instruction: ${line.text}`);
  }
  ev?.push({ thread: ti, text: line.text + note });
  t.pc = next;
}

/** The translation options for an access: the early walk if there is one, else memory now plus the TLB's entries. */
function translations(p: Program, s: State, t: Thread, va: bigint): Walk[] {
  const pre = t.pre.get(t.pc);
  if (pre) return [pre.walk];
  const now = walk(memView(s), p.root, va & ~(PAGE - 1n));
  const opts = [now];
  for (const c of t.tlb.get(va & ~(PAGE - 1n)) ?? []) if (!opts.some((o) => sameTranslation(o, c))) opts.push(c);
  return opts;
}

function describeWalk(w: Walk): string {
  return w.ok ? `-> ${at(w.pa)}` : `fault L${w.level}`;
}

function execShared(p: Program, s: State, ti: number, ch: Chooser, ev: Event[] | null): void {
  const t = own(s, ti);
  const line = p.code.get(t.pc)!;
  const i = line.instr;
  switch (i.op) {
    case 'ldr':
    case 'str': {
      const va = accessAddress(t, i);
      if (va === undefined) throw new LitmusParseError(`thread ${ti}: address of "${line.text}" uses an unset register`);
      const write = i.op === 'str';
      let pa = va;
      let how = '';
      const early = i.op === 'ldr' ? t.early.get(t.pc) : undefined;
      if (early) {
        t.early.delete(t.pc);
        t.pre.delete(t.pc);
        setReg(t, i.rt, early.value === UNKNOWN ? undefined : early.value);
        ev?.push({ thread: ti, text: `${line.text}  (performed early: R ${at(early.pa)}=${hex(early.value)})` });
        checkCoherence(t, early.pa, early.from);
        break;
      }
      if (isTranslated(p, va)) {
        const opts = translations(p, s, t, va);
        const k = opts.length > 1 ? ch.choose('translation', opts.length) : 0;
        const w = opts[k]!;
        const pre = t.pre.get(t.pc);
        const early = pre !== undefined;
        if (pre?.guard && ((s.seq.get(pre.guard.pa) ?? 0) !== pre.guard.seq || t.sb.some((b) => b.pa === pre.guard!.pa))) {
          throw new Incoherent(); // would read a write made after the TLBI that barriers its translation
        }
        t.pre.delete(t.pc);
        how = early ? ` [early walk ${describeWalk(w)}]` : k === 0 ? '' : ` [TLB ${describeWalk(w)}]`;
        if (!w.ok) {
          ev?.push({ thread: ti, text: `${line.text}${how}  translation fault L${w.level}` });
          forgetOffers(s, ti);
          dataAbort(t, va, write, 'translation', w.level);
          return;
        }
        const ap = (w.desc >> AP_SHIFT) & 3n;
        if ((t.el === 0 && (ap & 1n) === 0n) || (write && (ap & 2n) !== 0n)) {
          ev?.push({ thread: ti, text: `${line.text}${how}  permission fault` });
          forgetOffers(s, ti);
          dataAbort(t, va, write, 'permission', w.level);
          return;
        }
        pa = w.pa | (va & (PAGE - 1n));
      }
      if (i.op === 'ldr') {
        let v: bigint | undefined;
        for (let j = t.sb.length - 1; j >= 0; j--) if (t.sb[j]!.pa === pa) {
          v = t.sb[j]!.value;
          break;
        }
        const fwd = v !== undefined;
        if (v === undefined) v = s.mem.get(pa) ?? 0n;
        checkCoherence(t, pa, readFrom(s, t, pa));
        setReg(t, i.rt, v === UNKNOWN ? undefined : v);
        ev?.push({ thread: ti, text: `${line.text}${how}  R ${at(pa)}=${hex(v)}${fwd ? ' (forwarded)' : ''}` });
      } else {
        const v = reg(t, i.rt) ?? UNKNOWN;
        if (i.release) {
          drainAll(p, s, ti, ev);
          writeMemory(p, s, pa, v);
        } else t.sb.push({ pa, value: v, epoch: t.epoch, addr: t.pc });
        checkCoherence(t, pa, `s:${t.pc}`);
        ev?.push({ thread: ti, text: `${line.text}${how}  W ${at(pa)}=${hex(v)}${i.release ? '' : ' (buffered)'}` });
      }
      break;
    }
    case 'dsb':
      ev?.push({ thread: ti, text: line.text });
      drainAll(p, s, ti, ev);
      while (t.tlbi.length > 0) completeTlbi(p, s, ti, ev);
      break;
    case 'dmb':
      ev?.push({ thread: ti, text: line.text });
      drainAll(p, s, ti, ev);
      break;
    case 'tlbi': {
      drainAll(p, s, ti, ev);
      const xt = i.rt === null ? undefined : reg(t, i.rt);
      if (i.rt !== null && xt === undefined) throw new LitmusParseError(`thread ${ti}: "${line.text}" uses an unset register`);
      if (t.el === 0) throw new LitmusUnsupported(`TLBI at EL0 ("${line.text}")`);
      t.tlbi.push({ name: i.tlbi.name, broadcast: i.tlbi.broadcast, scope: tlbiScope(i.tlbi.scope, xt) });
      ev?.push({ thread: ti, text: `${line.text}  (issued)` });
      break;
    }
    default:
      throw new Error(`not a shared instruction: ${line.text}`);
  }
  for (const k of [...s.offered.keys()]) if (k.startsWith(`${ti}:${t.pc}:`)) s.offered.delete(k);
  t.pc += 4n;
}

// ---------------------------------------------------------------- early loads

/** Thrown to drop an execution that broke per-location coherence (an early load read the wrong write). */
export class Incoherent extends Error {}

/** Which write a read of `pa` by `t` now sees: its newest buffered store there, else memory. */
function readFrom(s: State, t: Thread, pa: bigint): string {
  for (let j = t.sb.length - 1; j >= 0; j--) if (t.sb[j]!.pa === pa) return `s:${t.sb[j]!.addr}`;
  return `m:${s.seq.get(pa) ?? 0}`;
}

/**
 * A po-earlier access to `pa` commits, reading or writing `from`: every
 * po-later load already performed early from `pa` must have read that same
 * write (CoRR / CoWR), else this execution does not exist.
 */
function checkCoherence(t: Thread, pa: bigint, from: string): void {
  for (const e of t.early.values()) if (e.pa === pa && e.from !== from) throw new Incoherent();
}

const PENDING = Symbol('pending');
type Spec = bigint | undefined | typeof PENDING;

export interface WindowEntry {
  addr: bigint;
  line: CodeLine;
  /** the access's VA when its address registers are known (from committed or early results) */
  va?: bigint;
  /** for stores: the data when known */
  data?: bigint;
  /** no barrier, acquire/release or TLBI between the PE's pc and here */
  unordered: boolean;
}

/**
 * The PE's instruction window: from pc to the next context synchronisation,
 * branch (a branch to the next instruction does not end it) or MSR, with the
 * register values that po-earlier committed and early-performed instructions
 * give. Early walks and early loads are taken from it.
 */
function windowOf(p: Program, t: Thread): WindowEntry[] {
  const regs: Spec[] = t.regs.slice();
  let flags: number | typeof PENDING = t.nzcv;
  const get = (r: number): Spec => (r === XZR ? 0n : regs[r]);
  const opnd = (o: Operand): Spec => (o.kind === 'imm' ? o.value & MASK64 : get(o.reg));
  const out: WindowEntry[] = [];
  let unordered = true;
  for (let a = t.pc; ; a += 4n) {
    const line = p.code.get(a);
    if (!line) break;
    const i = line.instr;
    if (i.op === 'isb' || i.op === 'svc' || i.op === 'eret' || i.op === 'msr') break;
    if ((i.op === 'b' || i.op === 'cbz') && BigInt(i.target) !== a + 4n) break;
    const e: WindowEntry = { addr: a, line, unordered };
    if (i.op === 'ldr' || i.op === 'str') {
      const b = get(i.base), o = i.offset ? opnd(i.offset) : 0n;
      if (typeof b === 'bigint' && typeof o === 'bigint') e.va = (b + o) & MASK64;
      if (i.op === 'str') {
        const d = get(i.rt);
        if (typeof d === 'bigint') e.data = d;
      }
    }
    out.push(e);
    switch (i.op) {
      case 'ldr': {
        const ev = t.early.get(a);
        if (i.rt !== XZR) regs[i.rt] = ev ? (ev.value === UNKNOWN ? undefined : ev.value) : PENDING;
        if (i.acquire !== 'none') unordered = false;
        break;
      }
      case 'str':
        if (i.release) unordered = false;
        break;
      case 'mov': {
        if (i.rd !== XZR) regs[i.rd] = opnd(i.src);
        break;
      }
      case 'alu': {
        const x = get(i.rn), y = opnd(i.src);
        let r: Spec = PENDING;
        if (x === undefined || y === undefined) r = undefined;
        else if (typeof x === 'bigint' && typeof y === 'bigint') {
          r = i.fn === 'add' ? x + y : i.fn === 'sub' ? x - y : i.fn === 'eor' ? x ^ y : i.fn === 'orr' ? x | y : i.fn === 'and' ? x & y : i.fn === 'lsr' ? x >> (y & 63n) : x << (y & 63n);
          r &= MASK64;
        }
        if (i.rd !== XZR) regs[i.rd] = r;
        break;
      }
      case 'cmp': {
        const x = get(i.rn), y = opnd(i.src);
        flags = typeof x === 'bigint' && typeof y === 'bigint' ? subFlags(x, y) : PENDING;
        break;
      }
      case 'csel':
        if (i.rd !== XZR) regs[i.rd] = flags === PENDING ? PENDING : condHolds(flags, i.cond) ? get(i.rn) : get(i.rm);
        break;
      case 'mrs':
        if (i.rt !== XZR) regs[i.rt] = t.sys[i.sysreg];
        break;
      case 'dmb':
        if (i.kind !== 'st') unordered = false;
        break;
      case 'dsb':
      case 'tlbi':
        unordered = false;
        break;
      default:
        break;
    }
  }
  return out;
}

/** What an early load at window entry `k` would read: null when it may not be performed early now. */
function earlyRead(p: Program, s: State, t: Thread, win: WindowEntry[], k: number): { pa: bigint; value: bigint; from: string; walk?: Walk } | null {
  const e = win[k]!;
  const i = e.line.instr;
  if (k === 0 || i.op !== 'ldr' || i.acquire !== 'none' || !e.unordered || e.va === undefined || t.early.has(e.addr)) return null;
  let pa = e.va;
  let w: Walk | undefined;
  const guard = t.pre.get(e.addr)?.guard;
  if (isTranslated(p, e.va)) {
    w = t.pre.get(e.addr)?.walk ?? walk(memView(s), p.root, e.va & ~(PAGE - 1n));
    if (!w.ok) return null;
    const ap = (w.desc >> AP_SHIFT) & 3n;
    if (t.el === 0 && (ap & 1n) === 0n) return null;
    pa = w.pa | (e.va & (PAGE - 1n));
  }
  // forward from the newest po-earlier store to pa still in the window
  for (let j = k - 1; j >= 0; j--) {
    const o = win[j]!;
    if (o.line.instr.op !== 'str') continue;
    if (o.va === undefined) return null; // may alias: unknown
    let opa = o.va;
    if (isTranslated(p, o.va)) {
      const ow = t.pre.get(o.addr)?.walk;
      if (!ow || !ow.ok) return null;
      opa = ow.pa | (o.va & (PAGE - 1n));
    }
    if (opa === pa) return o.data === undefined || guard ? null : { pa, value: o.data, from: `s:${o.addr}`, walk: w };
  }
  // a translation a completed TLBI barriers may only read a write from before the completion
  if (guard && ((s.seq.get(guard.pa) ?? 0) !== guard.seq || t.sb.some((b) => b.pa === guard.pa))) return null;
  for (let j = t.sb.length - 1; j >= 0; j--) if (t.sb[j]!.pa === pa) return { pa, value: t.sb[j]!.value, from: `s:${t.sb[j]!.addr}`, walk: w };
  return { pa, value: s.mem.get(pa) ?? 0n, from: `m:${s.seq.get(pa) ?? 0}`, walk: w };
}

// ---------------------------------------------------------------- steps

export type Action =
  | { kind: 'exec'; thread: number }
  | { kind: 'drain'; thread: number }
  | { kind: 'tlbi'; thread: number }
  | { kind: 'pre'; thread: number; addr: bigint; va: bigint; key: string; walk: string }
  | { kind: 'early'; thread: number; addr: bigint; key: string; walk: string };

/** Memory instructions a PE may walk for early: in its window, address known, not walked yet. */
function earlyCandidates(p: Program, t: Thread, win: WindowEntry[]): { addr: bigint; va: bigint }[] {
  const out: { addr: bigint; va: bigint }[] = [];
  for (const e of win) {
    if (e.va !== undefined && !t.pre.has(e.addr) && !t.early.has(e.addr) && isTranslated(p, e.va)) out.push({ addr: e.addr, va: e.va });
  }
  return out;
}

export function enabledActions(p: Program, s: State): Action[] {
  const out: Action[] = [];
  s.threads.forEach((t, ti) => {
    if (!t.done) out.push({ kind: 'exec', thread: ti });
    if (t.sb.length > 0) out.push({ kind: 'drain', thread: ti });
    if (t.tlbi.length > 0 && s.threads.some((o) => !o.done)) out.push({ kind: 'tlbi', thread: ti });
    if (!t.done) {
      const win = windowOf(p, t);
      for (let k = 1; k < win.length; k++) {
        const r = earlyRead(p, s, t, win, k);
        if (!r) continue;
        const key = `${ti}:E${win[k]!.addr}`;
        const v = `${r.pa}=${r.value}/${r.from}`;
        if (s.offered.get(key) !== v) out.push({ kind: 'early', thread: ti, addr: win[k]!.addr, key, walk: v });
      }
      for (const c of earlyCandidates(p, t, win)) {
        const key = `${ti}:${c.addr}:${c.va}`;
        const w = walkKey(walk(memView(s), p.root, c.va & ~(PAGE - 1n)));
        if (s.offered.get(key) !== w) out.push({ kind: 'pre', thread: ti, ...c, key, walk: w });
      }
    }
  });
  return out;
}

export function isFinal(s: State): boolean {
  return s.threads.every((t) => t.done && t.sb.length === 0);
}

/** One transition. Mutates `s`. `acts`: enabledActions(p, s), when the caller already has it. */
export function step(p: Program, s: State, ch: Chooser, ev: Event[] | null = null, acts: Action[] = enabledActions(p, s)): void {
  currentNames = ev ? p.names : null;
  const a = acts[acts.length > 1 ? ch.choose('action', acts.length) : 0]!;
  // early walks not taken now are offered again only when their result changes
  for (const o of acts) if (o !== a && (o.kind === 'pre' || o.kind === 'early')) s.offered.set(o.key, o.walk);
  const t = own(s, a.thread);
  switch (a.kind) {
    case 'exec':
      execShared(p, s, a.thread, ch, ev);
      runLocal(p, s, a.thread, ev);
      break;
    case 'drain': {
      const opts = drainable(t);
      drainOne(p, s, a.thread, ev, opts[opts.length > 1 ? ch.choose('drain', opts.length) : 0]!);
      break;
    }
    case 'tlbi':
      completeTlbi(p, s, a.thread, ev);
      break;
    case 'early': {
      const win = windowOf(p, t);
      const k = win.findIndex((e) => e.addr === a.addr);
      const r = earlyRead(p, s, t, win, k)!;
      if (r.walk && !t.pre.has(a.addr)) t.pre.set(a.addr, { va: win[k]!.va!, walk: r.walk });
      t.early.set(a.addr, { pa: r.pa, value: r.value, from: r.from });
      ev?.push({ thread: a.thread, text: `  (early read for "${p.code.get(a.addr)!.text}": ${at(r.pa)}=${hex(r.value)})` });
      break;
    }
    case 'pre': {
      const w = walk(memView(s), p.root, a.va & ~(PAGE - 1n));
      t.pre.set(a.addr, { va: a.va, walk: w });
      ev?.push({ thread: a.thread, text: `  (early walk for "${p.code.get(a.addr)!.text}": ${describeWalk(w)})` });
      break;
    }
  }
}

export { hex };
