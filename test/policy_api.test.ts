// The policy API (src/api.ts) as a policy author meets it: the README example
// is a real module that loads and runs, 0.1-shaped policies get a one-line
// error, factories receive the curated API, enums exist at runtime, and the
// primitives (not policies) take the steps and do the bookkeeping.

import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as k from '../src/api.js';
import { loadPolicy } from '../src/kernel/policies/index.js';
import { ControlledRunner } from '../src/run/controlled.js';
import { runConfig } from '../src/run/config.js';
import { world, run, actor, counters } from './rule_helpers.js';
import { C } from '../src/check/counters.js';

const fixture = (f: string): string => join(import.meta.dirname, 'fixtures', f);

describe('policy API', () => {
  it('the README "Policies" example is test/fixtures/readme_policy.js, word for word', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Policies'));
    const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    const file = readFileSync(fixture('readme_policy.js'), 'utf8').split('\n').filter((l) => !l.startsWith('// (README')).join('\n');
    expect(block).toBe(file);
  });

  it('the README example loads and runs clean on vmalloc-heavy schedules, flipping pages', async () => {
    const p = await loadPolicy(fixture('readme_policy.js'));
    expect(p.name).toBe('my-design');
    const cfg = runConfig({ workload: { ops: 120, mix: { d_hash: 40, kmalloc: 10, kfree: 10, dma_buffer: 10, netvsc_buffer: 30 } } });
    const runner = new ControlledRunner(cfg, p);
    let flipped = 0;
    for (let i = 0; i < 20; i++) {
      const r = runner.runOne(`0xread${i}`);
      expect(r.finding).toBeNull();
      expect(r.completed).toBe(true);
      flipped += r.counts.flipped_pages;
      expect(r.counts.vmalloc_einval).toBe(0); // vmalloc addresses are accepted
    }
    expect(flipped).toBeGreaterThan(0);
  });

  it('a policy written against the 0.1 shape gets one line saying what changed', async () => {
    const err = await loadPolicy(fixture('policy_v01_shape.js')).then(() => null, (e: Error) => e);
    expect(err).not.toBeNull();
    expect(err?.message).toMatch(/^policy .*policy_v01_shape\.js: written for realmrace 0\.1: put set_memory_decrypted\/encrypted .* under "ops", taking \(ctx, addr, numpages\) with addr a byte address/);
    expect(err?.message).not.toContain('\n');
  });

  it('ops must be complete and known', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realmrace-api-'));
    try {
      const write = (name: string, src: string): string => { const f = join(dir, name); writeFileSync(f, src); return f; };
      const half = write('half.js', 'export default { name: "half", expect: [], ops: { *set_memory_decrypted() { return 0; } } };');
      await expect(loadPolicy(half)).rejects.toThrow(/missing function ops\.set_memory_encrypted\(ctx, addr, numpages\)/);
      const typo = write('typo.js', 'export default { name: "typo", expect: [], ops: { *set_memory_decrypted() { return 0; }, *set_memory_encrypted() { return 0; }, *alloc_decrypt() { return 0; } } };');
      await expect(loadPolicy(typo)).rejects.toThrow(/unknown op "alloc_decrypt"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a factory receives the curated API module, not the whole library', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realmrace-api-'));
    try {
      const f = join(dir, 'spy.js');
      writeFileSync(f, `export default (k) => { globalThis.__realmraceApiKeys = Object.keys(k); return { name: 'spy', expect: [], ops: { set_memory_decrypted: (c, a, n) => k.__set_memory_enc_dec(c, a, n, false), set_memory_encrypted: (c, a, n) => k.__set_memory_enc_dec(c, a, n, true) } }; };`);
      await loadPolicy(f);
      const keys = (globalThis as { __realmraceApiKeys?: string[] }).__realmraceApiKeys ?? [];
      expect(keys.sort()).toEqual(Object.keys(k).sort());
      for (const name of ['PAGE_SIZE', 'virt_to_pfn', 'is_vmalloc_addr', 'vmalloc_to_page', '__is_lm_address', 'set_pte', 'Ripas', 'Ev', 'H']) expect(keys).toContain(name);
      for (const name of ['ControlledRunner', 'Realm', 'Cpu', 'BUILTIN_POLICIES', 'runConfig']) expect(keys).not.toContain(name);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('enums a policy needs are runtime objects', () => {
    expect(k.Ripas.EMPTY).toBe(0);
    expect(k.Ripas.RAM).toBe(1);
    expect(k.Ripas[k.Ripas.DESTROYED]).toBe('DESTROYED');
    expect(k.Ev.CALL).toBe(1);
    expect(k.Ev.RET).toBe(20);
    expect(k.H.REALM_WORLD).toBe(3);
    expect(k.Res.SEA).toBe(2);
    expect(k.PAGE_SIZE).toBe(4096);
  });

  it('addresses: virt_to_pfn, __is_lm_address, is_vmalloc_addr, page_address on the modelled layout', () => {
    const w = world({ lmPages: 1024 });
    const ctx = w.cpus[0];
    expect(k.virt_to_pfn(5 * k.PAGE_SIZE + 17)).toBe(5);
    expect(k.page_address(7)).toBe(7 * k.PAGE_SIZE);
    expect(k.__is_lm_address(ctx, 0)).toBe(true);
    expect(k.__is_lm_address(ctx, 1024 * k.PAGE_SIZE - 1)).toBe(true);
    expect(k.__is_lm_address(ctx, 1024 * k.PAGE_SIZE)).toBe(false);
    expect(k.is_vmalloc_addr(ctx, 1024 * k.PAGE_SIZE)).toBe(true);
    expect(k.is_vmalloc_addr(ctx, 100 * k.PAGE_SIZE)).toBe(false);
    const va = run(k.vmalloc(ctx, 2 * k.PAGE_SIZE));
    expect(k.is_vmalloc_addr(ctx, va)).toBe(true);
    expect(k.vmalloc_to_page(ctx, va)).toBe(k.pte_pfn(w.realm.pte(k.virt_to_pfn(va))));
  });

  it('primitives are the step points: set_pte yields once; a 3-page break yields per PTE, per TLBI and for the DSB', () => {
    const w = world();
    const ctx = w.cpus[0];
    const steps = (g: k.KGen<unknown>): number => { const s = actor(g); let n = 0; while (!s.next().done) n++; return n; };
    expect(steps(k.set_pte(ctx, 10 * k.PAGE_SIZE, k.mk_pte(10, false, false)))).toBe(1); // a break: a live NS flip would be a bbm-violation (R31)
    expect(steps(k.__change_memory_common(ctx, 20 * k.PAGE_SIZE, 3 * k.PAGE_SIZE, k.PTE_NS, k.PTE_VALID))).toBe(3 + 3 + 1);
    expect(steps(k.__change_memory_common(ctx, 20 * k.PAGE_SIZE, 3 * k.PAGE_SIZE, k.PTE_VALID, 0))).toBe(3); // make: no flush
    expect(counters(ctx)[C.pte_writes]).toBe(7);
    expect(counters(ctx)[C.tlbi_va]).toBe(3);
  });

  it('flipped pages are counted by the RSI path, only for granules a running realm changed', () => {
    const w = world();
    const ctx = w.cpus[0];
    expect(run(k.rsi_set_memory_range_shared(ctx, 10 * k.PAGE_SIZE, 14 * k.PAGE_SIZE))).toBe(0);
    expect(counters(ctx)[C.flipped_pages]).toBe(4);
    w.cfg.host.stall = true;
    w.cfg.host.rejectRate = 1;
    expect(run(k.rsi_set_memory_range_protected(ctx, 10 * k.PAGE_SIZE, 14 * k.PAGE_SIZE))).toBe(k.EINVAL);
    expect(counters(ctx)[C.flipped_pages]).toBe(4); // rejected with no progress: nothing changed
  });

  it('built-in policies and kernel paths: no yield STEP, no counting, no 4096, no raw Atomics', () => {
    const root = join(import.meta.dirname, '..', 'src', 'kernel');
    const policies = readdirSync(join(root, 'policies')).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
    expect(policies.length).toBeGreaterThanOrEqual(7);
    for (const f of policies) {
      const src = readFileSync(join(root, 'policies', f), 'utf8');
      expect(src, f).not.toMatch(/\bSTEP\b|\.count\(|\bcounters\b/);
      expect(src, f).toMatch(/from '\.\.\/api\.js'/);
      expect(src, f).not.toMatch(/from '\.\.\/\.\.\/(model|check|run)\//);
    }
    for (const f of readdirSync(root).filter((x) => x.endsWith('.ts'))) {
      const src = readFileSync(join(root, f), 'utf8');
      expect(src, f).not.toMatch(/\b4096\b|Atomics\./);
    }
  });
});
