// Reads a VMSA `.litmus.toml` file (the format of
// litmus-tests-armv8a-system-vmsa) into its parts, unmodified: header,
// page_table_setup, [thread.N] code + reset, [section.*] code at an address,
// and the [final] assertion.

import { parse, TomlError } from 'smol-toml';
import { LitmusParseError } from './errors.js';

export interface ThreadSpec {
  index: number;
  code: string;
  /** register or PSTATE field -> value expression, as written */
  reset: Record<string, string>;
}

export interface SectionSpec {
  name: string;
  address: bigint;
  code: string;
}

export interface LitmusTest {
  name: string;
  symbolic: string[];
  pageTableSetup: string;
  threads: ThreadSpec[];
  sections: SectionSpec[];
  assertion: string;
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  throw new LitmusParseError(`${what} must be a string`);
}

export function parseLitmusToml(text: string, fallbackName: string): LitmusTest {
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch (e) {
    const msg = e instanceof TomlError ? e.message.split('\n')[0]! : String(e);
    throw new LitmusParseError(`TOML: ${msg}`);
  }
  const arch = doc['arch'];
  if (arch !== undefined && arch !== 'AArch64') throw new LitmusParseError(`arch must be "AArch64", not "${String(arch)}"`);
  const name = typeof doc['name'] === 'string' ? doc['name'] : fallbackName;
  const symbolic = Array.isArray(doc['symbolic']) ? doc['symbolic'].map((s) => str(s, 'symbolic entry')) : [];
  if (typeof doc['page_table_setup'] !== 'string') throw new LitmusParseError('missing page_table_setup');
  const threadsT = doc['thread'];
  if (!isTable(threadsT)) throw new LitmusParseError('no [thread.N] tables');
  const threads: ThreadSpec[] = [];
  for (const [k, v] of Object.entries(threadsT)) {
    if (!/^\d+$/.test(k)) throw new LitmusParseError(`bad thread name "thread.${k}"`);
    if (!isTable(v) || typeof v['code'] !== 'string') throw new LitmusParseError(`thread.${k} has no code`);
    const reset: Record<string, string> = {};
    const r = v['reset'];
    if (r !== undefined) {
      if (!isTable(r)) throw new LitmusParseError(`thread.${k}.reset must be a table`);
      for (const [rk, rv] of Object.entries(r)) {
        if (isTable(rv)) {
          // a dotted key such as PSTATE.EL written without quotes
          for (const [sk, sv] of Object.entries(rv)) reset[`${rk}.${sk}`] = str(sv, `thread.${k}.reset.${rk}.${sk}`);
        } else reset[rk] = str(rv, `thread.${k}.reset.${rk}`);
      }
    }
    threads.push({ index: Number(k), code: v['code'], reset });
  }
  threads.sort((a, b) => a.index - b.index);
  threads.forEach((t, i) => {
    if (t.index !== i) throw new LitmusParseError(`threads must be numbered 0..${threads.length - 1}`);
  });
  const sections: SectionSpec[] = [];
  const sec = doc['section'];
  if (sec !== undefined) {
    if (!isTable(sec)) throw new LitmusParseError('[section] must be tables');
    for (const [k, v] of Object.entries(sec)) {
      if (!isTable(v) || typeof v['code'] !== 'string') throw new LitmusParseError(`section.${k} has no code`);
      const a = str(v['address'], `section.${k}.address`).trim();
      if (!/^(0x[0-9a-f]+|\d+)$/i.test(a)) throw new LitmusParseError(`section.${k}: bad address "${a}"`);
      sections.push({ name: k, address: BigInt(a), code: v['code'] });
    }
  }
  const fin = doc['final'];
  if (!isTable(fin) || fin['assertion'] === undefined) throw new LitmusParseError('missing [final] assertion');
  return { name, symbolic, pageTableSetup: doc['page_table_setup'], threads, sections, assertion: str(fin['assertion'], 'final.assertion') };
}
