// The AArch64 subset the VMSA litmus tests use, parsed from their `code` blocks.
// One instruction per line; labels (`L0:`, `0:`) may share a line with code;
// `//` starts a comment. Numeric labels are local: `1f` / `1b` find the next /
// previous `1:` (GNU as convention).

import { LitmusParseError, LitmusUnsupported } from './errors.js';

export type Reg = number; // 0..30; 31 = XZR
export const XZR = 31;

export type Operand = { kind: 'reg'; reg: Reg } | { kind: 'imm'; value: bigint };

export type Cond = 'eq' | 'ne' | 'hs' | 'lo' | 'mi' | 'pl' | 'hi' | 'ls' | 'ge' | 'lt' | 'gt' | 'le' | 'al';

export type TlbiOp = {
  /** the mnemonic as written, upper case */
  name: string;
  /** inner-shareable broadcast (…IS) or local to the issuing PE */
  broadcast: boolean;
  /** by VA (VAE1, VAAE1, VALE1, VAALE1), by VA range (RVA…), or all (VMALLE1) */
  scope: 'va' | 'range' | 'all';
};

export type Instr =
  | { op: 'ldr'; rt: Reg; base: Reg; offset: Operand | null; acquire: 'none' | 'acq' | 'acqpc' }
  | { op: 'str'; rt: Reg; base: Reg; offset: Operand | null; release: boolean }
  | { op: 'mov'; rd: Reg; src: Operand }
  | { op: 'alu'; fn: 'add' | 'sub' | 'eor' | 'orr' | 'and' | 'lsr' | 'lsl'; rd: Reg; rn: Reg; src: Operand }
  | { op: 'cmp'; rn: Reg; src: Operand }
  | { op: 'csel'; rd: Reg; rn: Reg; rm: Reg; cond: Cond }
  | { op: 'b'; target: number; cond: Cond }
  | { op: 'cbz'; rt: Reg; target: number; nonzero: boolean }
  | { op: 'dsb'; kind: string }
  | { op: 'dmb'; kind: 'sy' | 'ld' | 'st' }
  | { op: 'isb' }
  | { op: 'tlbi'; tlbi: TlbiOp; rt: Reg | null }
  | { op: 'mrs'; rt: Reg; sysreg: SysReg }
  | { op: 'msr'; sysreg: SysReg; rt: Reg }
  | { op: 'svc'; imm: bigint }
  | { op: 'eret' }
  | { op: 'nop' };

export type SysReg = 'ELR_EL1' | 'VBAR_EL1' | 'FAR_EL1' | 'ESR_EL1' | 'SPSR_EL1';
const SYSREGS: readonly SysReg[] = ['ELR_EL1', 'VBAR_EL1', 'FAR_EL1', 'ESR_EL1', 'SPSR_EL1'];

export interface Line {
  instr: Instr;
  text: string;
}

export interface Block {
  lines: Line[];
  /** label name -> index into lines (index === lines.length: the end of the block) */
  labels: Map<string, number>;
}

const TLBI_LOCAL = ['VAE1', 'VAAE1', 'VALE1', 'VAALE1', 'VMALLE1'];
const TLBI_RANGE = ['RVAE1', 'RVAAE1', 'RVALE1', 'RVAALE1'];

export function parseTlbi(name: string): TlbiOp {
  const n = name.toUpperCase();
  const base = n.endsWith('IS') ? n.slice(0, -2) : n.endsWith('OS') ? n.slice(0, -2) : n;
  const broadcast = n !== base;
  if (TLBI_LOCAL.includes(base)) return { name: n, broadcast, scope: base === 'VMALLE1' ? 'all' : 'va' };
  if (TLBI_RANGE.includes(base)) return { name: n, broadcast, scope: 'range' };
  if (/^ASIDE1/.test(n)) throw new LitmusUnsupported(`ASIDs (TLBI ${n})`);
  if (/IPA|S12|VMALLS/.test(n)) throw new LitmusUnsupported(`stage 2 (TLBI ${n})`);
  if (/E2|E3/.test(n)) throw new LitmusUnsupported(`EL2 (TLBI ${n})`);
  throw new LitmusUnsupported(`TLBI ${n}`);
}

function parseReg(s: string, ctx: string): Reg {
  const t = s.trim().toUpperCase();
  if (t === 'XZR') return XZR;
  const m = /^X([0-9]|[12][0-9]|30)$/.exec(t);
  if (!m) {
    if (/^W\d+$/.test(t) || t === 'WZR') throw new LitmusUnsupported(`32-bit register ${t} in "${ctx}"`);
    if (t === 'SP') throw new LitmusUnsupported(`SP in "${ctx}"`);
    throw new LitmusParseError(`bad register "${s.trim()}" in "${ctx}"`);
  }
  return Number(m[1]);
}

function parseImm(s: string, ctx: string): bigint {
  const t = s.trim().replace(/^#/, '');
  try {
    if (/^-/.test(t)) return -BigInt(t.slice(1));
    return BigInt(t);
  } catch {
    throw new LitmusParseError(`bad immediate "${s.trim()}" in "${ctx}"`);
  }
}

function parseOperand(s: string, ctx: string): Operand {
  const t = s.trim();
  if (t.startsWith('#') || /^-?(0x|0b)?[0-9a-f]+$/i.test(t)) return { kind: 'imm', value: parseImm(t, ctx) };
  return { kind: 'reg', reg: parseReg(t, ctx) };
}

function parseSysreg(s: string, ctx: string): SysReg {
  const t = s.trim().toUpperCase();
  if ((SYSREGS as readonly string[]).includes(t)) return t as SysReg;
  if (/EL2|EL3/.test(t)) throw new LitmusUnsupported(`EL2 (system register ${t})`);
  if (/^TTBR|^TCR|^CONTEXTIDR/.test(t)) throw new LitmusUnsupported(`ASIDs (context-changing write of ${t})`);
  throw new LitmusUnsupported(`system register ${t} in "${ctx}"`);
}

const CONDS: readonly Cond[] = ['eq', 'ne', 'hs', 'lo', 'mi', 'pl', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al'];
function parseCond(s: string, ctx: string): Cond {
  const t = s.trim().toLowerCase();
  const alias: Record<string, Cond> = { cs: 'hs', cc: 'lo' };
  const c = alias[t] ?? t;
  if (!(CONDS as readonly string[]).includes(c)) throw new LitmusParseError(`bad condition "${s}" in "${ctx}"`);
  return c as Cond;
}

/** Splits "X0,[X1,X4]" into ["X0", "[X1,X4]"] (commas inside brackets kept). */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

function parseAddress(s: string, ctx: string): { base: Reg; offset: Operand | null } {
  const m = /^\[([^\]]*)\]$/.exec(s.trim());
  if (!m) throw new LitmusParseError(`bad address "${s}" in "${ctx}"`);
  const parts = m[1]!.split(',').map((p) => p.trim());
  if (parts.length > 2) throw new LitmusUnsupported(`addressing mode "${s}" in "${ctx}"`);
  const base = parseReg(parts[0]!, ctx);
  return { base, offset: parts.length === 2 ? parseOperand(parts[1]!, ctx) : null };
}

interface Pending {
  mnemonic: string;
  args: string[];
  text: string;
}

function need(args: string[], n: number, ctx: string): void {
  if (args.length !== n) throw new LitmusParseError(`expected ${n} operands in "${ctx}"`);
}

function toInstr(p: Pending, target: (label: string) => number): Instr {
  const { args, text: ctx } = p;
  const mn = p.mnemonic.toUpperCase();
  switch (mn) {
    case 'LDR':
    case 'LDAR':
    case 'LDAPR': {
      need(args, 2, ctx);
      const a = parseAddress(args[1]!, ctx);
      if (mn !== 'LDR' && a.offset) throw new LitmusParseError(`${mn} takes no offset in "${ctx}"`);
      return { op: 'ldr', rt: parseReg(args[0]!, ctx), ...a, acquire: mn === 'LDR' ? 'none' : mn === 'LDAR' ? 'acq' : 'acqpc' };
    }
    case 'STR':
    case 'STLR': {
      need(args, 2, ctx);
      const a = parseAddress(args[1]!, ctx);
      if (mn === 'STLR' && a.offset) throw new LitmusParseError(`STLR takes no offset in "${ctx}"`);
      return { op: 'str', rt: parseReg(args[0]!, ctx), ...a, release: mn === 'STLR' };
    }
    case 'MOV':
      need(args, 2, ctx);
      return { op: 'mov', rd: parseReg(args[0]!, ctx), src: parseOperand(args[1]!, ctx) };
    case 'ADD':
    case 'SUB':
    case 'EOR':
    case 'ORR':
    case 'AND':
    case 'LSR':
    case 'LSL': {
      if (args.length === 4) throw new LitmusUnsupported(`shifted operand in "${ctx}"`);
      need(args, 3, ctx);
      return { op: 'alu', fn: mn.toLowerCase() as 'add', rd: parseReg(args[0]!, ctx), rn: parseReg(args[1]!, ctx), src: parseOperand(args[2]!, ctx) };
    }
    case 'CMP':
      need(args, 2, ctx);
      return { op: 'cmp', rn: parseReg(args[0]!, ctx), src: parseOperand(args[1]!, ctx) };
    case 'CSEL':
      need(args, 4, ctx);
      return { op: 'csel', rd: parseReg(args[0]!, ctx), rn: parseReg(args[1]!, ctx), rm: parseReg(args[2]!, ctx), cond: parseCond(args[3]!, ctx) };
    case 'B':
      need(args, 1, ctx);
      return { op: 'b', target: target(args[0]!), cond: 'al' };
    case 'CBZ':
    case 'CBNZ':
      need(args, 2, ctx);
      return { op: 'cbz', rt: parseReg(args[0]!, ctx), target: target(args[1]!), nonzero: mn === 'CBNZ' };
    case 'DSB':
    case 'DMB': {
      const kind = (args[0] ?? 'SY').toUpperCase();
      if (!['SY', 'ISH', 'ST', 'ISHST', 'LD', 'ISHLD', 'NSH', 'NSHST', 'NSHLD', 'OSH', 'OSHST', 'OSHLD'].includes(kind)) {
        throw new LitmusParseError(`bad barrier option "${kind}" in "${ctx}"`);
      }
      if (mn === 'DSB') return { op: 'dsb', kind };
      return { op: 'dmb', kind: kind.endsWith('ST') ? 'st' : kind.endsWith('LD') ? 'ld' : 'sy' };
    }
    case 'ISB':
      return { op: 'isb' };
    case 'TLBI': {
      if (args.length < 1 || args.length > 2) throw new LitmusParseError(`bad TLBI in "${ctx}"`);
      const tlbi = parseTlbi(args[0]!);
      const rt = args.length === 2 ? parseReg(args[1]!, ctx) : null;
      if (tlbi.scope !== 'all' && rt === null) throw new LitmusParseError(`TLBI ${tlbi.name} needs a register in "${ctx}"`);
      return { op: 'tlbi', tlbi, rt };
    }
    case 'MRS':
      need(args, 2, ctx);
      return { op: 'mrs', rt: parseReg(args[0]!, ctx), sysreg: parseSysreg(args[1]!, ctx) };
    case 'MSR':
      need(args, 2, ctx);
      return { op: 'msr', sysreg: parseSysreg(args[0]!, ctx), rt: parseReg(args[1]!, ctx) };
    case 'SVC':
      need(args, 1, ctx);
      return { op: 'svc', imm: parseImm(args[0]!, ctx) };
    case 'ERET':
      return { op: 'eret' };
    case 'NOP':
      return { op: 'nop' };
    default:
      if (/^B\.[A-Z]+$/.test(mn)) {
        need(args, 1, ctx);
        return { op: 'b', target: target(args[0]!), cond: parseCond(mn.slice(2), ctx) };
      }
      throw new LitmusUnsupported(`instruction ${mn} in "${ctx}"`);
  }
}

/** Parses one code block. `where` names it in error messages. */
export function parseBlock(code: string, where: string): Block {
  const pending: Pending[] = [];
  const labels = new Map<string, number>();
  const numeric: { name: string; index: number }[] = [];
  for (const raw of code.split('\n')) {
    let line = raw.replace(/\/\/.*$/, '').trim();
    for (;;) {
      const m = /^([A-Za-z_.$][\w.$]*|\d+)\s*:\s*/.exec(line);
      if (!m) break;
      const name = m[1]!;
      if (/^\d+$/.test(name)) numeric.push({ name, index: pending.length });
      else {
        if (labels.has(name)) throw new LitmusParseError(`${where}: label ${name} defined twice`);
        labels.set(name, pending.length);
      }
      line = line.slice(m[0].length);
    }
    if (line === '') continue;
    const sp = /^(\S+)\s*(.*)$/.exec(line)!;
    pending.push({ mnemonic: sp[1]!, args: splitArgs(sp[2]!), text: line });
  }
  const lines: Line[] = pending.map((p, i) => {
    const target = (label: string): number => {
      const t = label.trim();
      const local = /^(\d+)([fb])$/i.exec(t);
      if (local) {
        const forward = local[2]!.toLowerCase() === 'f';
        const cands = numeric.filter((n) => n.name === local[1] && (forward ? n.index > i : n.index <= i));
        const hit = forward ? cands[0] : cands[cands.length - 1];
        if (!hit) throw new LitmusParseError(`${where}: no label ${t} for "${p.text}"`);
        return hit.index;
      }
      const idx = labels.get(t);
      if (idx === undefined) throw new LitmusParseError(`${where}: unknown label ${t} in "${p.text}"`);
      return idx;
    };
    try {
      return { instr: toInstr(p, target), text: p.text };
    } catch (e) {
      if (e instanceof LitmusParseError && !e.message.startsWith(where)) throw new LitmusParseError(`${where}: ${e.message}`);
      throw e;
    }
  });
  return { lines, labels };
}
