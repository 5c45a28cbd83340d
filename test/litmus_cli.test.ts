// `realmrace litmus`: the herd-style output format, the unsupported-feature exit
// status (5), one-line parse errors (1), and replay tokens reproducing outcomes.
// Runs the built CLI in-process through main() (npm test builds first).

import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realmraceIn } from './cli_helpers.js';

const file = (f: string): string => fileURLToPath(new URL(`./litmus/${f}.litmus.toml`, import.meta.url));
const TMP = mkdtempSync(join(tmpdir(), 'realmrace-litmus-'));

const realmrace = (...args: string[]) => realmraceIn(TMP, ...args);

describe('realmrace litmus', () => {
  it('prints herd-style results: outcomes with *> on the satisfying ones, counts, tokens, Observation', async () => {
    const r = await realmrace('litmus', file('esop-mp-rt-tlbi-local'));
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^Test own\.MP\.RT\.EL1\+dsb-tlbi-dsb\+dsb-isb \(/);
    expect(lines[1]).toBe('States 4');
    const outcomes = lines.slice(2, 6);
    expect(outcomes.filter((l) => l.startsWith('*>'))).toEqual([expect.stringMatching(/^\*>1:X0=1; 1:X2=0; +\d+ executions  token r1-[0-9a-z.]+$/)]);
    for (const l of outcomes) expect(l).toMatch(/^(\*>| {2})1:X0=\d; 1:X2=\d; +\d+ executions  token r1-[0-9a-z.]+$/);
    expect(lines[6]).toBe('Ok');
    expect(lines[7]).toBe('Witnesses');
    expect(lines[8]).toMatch(/^Positive: [1-9]\d* Negative: [1-9]\d*$/);
    expect(lines[9]).toBe('Condition exists (1:X0=1 & 1:X2=0)');
    expect(lines[10]).toMatch(/^Observation own\.MP\.RT\.EL1\+dsb-tlbi-dsb\+dsb-isb Sometimes [1-9]\d* [1-9]\d*$/);
    expect(lines[11]).toMatch(/^Executions \d+ \(distinct states \d+\)$/);
    expect(lines[12]).toMatch(/^Time own\.MP\.RT\.EL1\+dsb-tlbi-dsb\+dsb-isb \d+\.\d\d$/);
    const p = /Positive: (\d+) Negative: (\d+)/.exec(r.out)!;
    const counts = outcomes.map((l) => Number(/ (\d+) executions/.exec(l)![1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(Number(p[1]) + Number(p[2]));
  });

  it('says Never with No for a forbidden shape', async () => {
    const r = await realmrace('litmus', file('esop-mp-rt-tlbiis-dsb-isb'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^No$/m);
    expect(r.out).toMatch(/^Observation own\.MP\.RT\.EL1\+dsb-tlbiis-dsb\+dsb-isb Never 0 \d+$/m);
    expect(r.out).not.toMatch(/^\*>/m);
  });

  it('replay tokens reproduce their outcome, step by step in per-PE columns', async () => {
    const r = await realmrace('litmus', file('esop-mp-rt-tlbi-local'));
    const rows = r.out.split('\n').filter((l) => / token r1-/.test(l));
    expect(rows.length).toBe(4);
    for (const row of rows) {
      const outcome = row.slice(2).split(/ {2,}/)[0]!.trim();
      const token = /token (r1-[0-9a-z.]+)/.exec(row)![1]!;
      const s = await realmrace('litmus', file('esop-mp-rt-tlbi-local'), '--show', token);
      expect(s.code).toBe(0);
      expect(s.out.split('\n')[0]).toContain(outcome);
      expect(s.out).toMatch(/^step \| P0 +\| P1/m);
      expect(s.out).toContain(`final: ${outcome}`);
    }
    const witness = rows.find((l) => l.startsWith('*>'))!;
    const s = await realmrace('litmus', file('esop-mp-rt-tlbi-local'), '--show', /token (\S+)/.exec(witness)![1]!);
    expect(s.out).toMatch(/TLBI VAE1,X14/);
    expect(s.out).toMatch(/LDR X2,\[X3\] \[(TLB|early walk) -> old\]/); // the stale translation
  });

  it('show FILE.litmus.toml --token T prints the same witness as litmus --show; without a token it says how to get one', async () => {
    const r = await realmrace('litmus', file('esop-mp-rt-tlbiis-dmb'));
    const witness = r.out.split('\n').find((l) => l.startsWith('*>'))!;
    const token = /token (\S+)/.exec(witness)![1]!;
    const viaLitmus = await realmrace('litmus', file('esop-mp-rt-tlbiis-dmb'), '--show', token);
    const viaShow = await realmrace('show', file('esop-mp-rt-tlbiis-dmb'), '--token', token);
    expect(viaShow.code).toBe(0);
    expect(viaShow.out).toBe(viaLitmus.out);
    expect(viaShow.out).toMatch(/^final: 1:X0=1; 1:X2=0;/m);
    const bare = await realmrace('show', file('esop-mp-rt-tlbiis-dmb'));
    expect(bare.code).toBe(1);
    expect(bare.err.trim().split('\n')).toHaveLength(1);
    expect(bare.err).toMatch(/needs --token/);
  });

  it('a token that does not fit the test is a one-line error', async () => {
    const r = await realmrace('litmus', file('esop-mp-rt-tlbi-local'), '--show', 'r1-9.9.9.9');
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/replay token/);
  });

  it('unsupported features print "unsupported: <feature>" and exit 5; nothing is skipped silently', async () => {
    const r = await realmrace('litmus', file('unsupported-asid'), file('esop-bbm'));
    expect(r.code).toBe(5);
    expect(r.out).toMatch(/^unsupported: ASIDs \(TLBI ASIDE1IS\)$/m);
    expect(r.out).toMatch(/^Observation own\.BBM\+dsb-tlbiis-dsb Sometimes/m);
  });

  it('a parse error is one line and exit 1, and outranks unsupported', async () => {
    const bad = join(TMP, 'bad.litmus.toml');
    writeFileSync(bad, 'arch = "AArch64"\nname = "bad"\npage_table_setup = """x |-> ;"""\n[thread.0]\ncode = "NOP"\n[final]\nassertion = "true"\n');
    const r = await realmrace('litmus', bad, file('unsupported-asid'));
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^realmrace: error: .*bad\.litmus\.toml: page_table_setup: cannot parse/);
    const t = join(TMP, 'toml.litmus.toml');
    writeFileSync(t, 'arch = "AArch64"\n[thread.0\n');
    const r2 = await realmrace('litmus', t);
    expect(r2.code).toBe(1);
    expect(r2.err.trim().split('\n')).toHaveLength(1);
    expect(r2.err).toMatch(/TOML/);
  });
});
