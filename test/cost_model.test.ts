// The cost model: deterministic modelled nanoseconds, how they grow with the
// CPU count, and what the policy variants change.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlledRunner } from '../src/run/controlled.js';
import { runConfig } from '../src/run/config.js';
import { builtinPolicy } from '../src/kernel/policies/index.js';
import { sweepOne, SweepSpec } from '../src/sweep/sweep.js';
import { DEFAULT_COSTS, COST_KEYS, loadCostTable, defaultCostTable } from '../src/config/cost_table.js';
import { Realm } from '../src/model/realm.js';
import { runToEnd, type KGen } from '../src/model/actor_stack.js';
import { realmConfig } from '../src/config/spec.js';
import { Cpu } from '../src/model/cpu.js';
import { Trace } from '../src/check/trace.js';
import { C } from '../src/check/counters.js';
import { flush_tlb_kernel_range } from '../src/kernel/tlbflush.js';
import { ConfigError } from '../src/run/errors.js';
import { counters } from './rule_helpers.js';

const P = (name: string) => builtinPolicy(name)!;
const spec = (over: Partial<SweepSpec> = {}): SweepSpec => ({ vcpus: [], mode: 'controlled', schedules: 1, ops: 60, seed: '0xc057', realm: { linearMap: 'block' }, ...over });
const drain = (g: KGen<unknown>): void => { runToEnd(g); };

describe('cost model', () => {
  it('every default cost names its source', () => {
    for (const k of COST_KEYS) expect(DEFAULT_COSTS[k].source.length).toBeGreaterThan(10);
    expect(defaultCostTable().broadcastSync).toBe(1500);
  });

  it('modelled cost is identical across repeated runs with the same seed', () => {
    const cfg = runConfig({ realm: { vcpus: 8, linearMap: 'block' }, workload: { ops: 80 } });
    const a = new ControlledRunner(cfg, P('mainline')).runOne('0xabc');
    const b = new ControlledRunner(cfg, P('mainline')).runOne('0xabc');
    expect(a.counts.ns_flip).toBeGreaterThan(0);
    expect(b.vcpuNs).toEqual(a.vcpuNs);
    for (const k of ['ns_break', 'ns_make', 'ns_tlbi', 'ns_sync', 'ns_victim', 'ns_rsi', 'ns_split', 'ns_flip'] as const) expect(b.counts[k]).toBe(a.counts[k]);
  });

  it('modelled cost per flip grows with the CPU count for broadcast flushes', async () => {
    const rows = [];
    for (const v of [1, 4, 16, 64]) rows.push(await sweepOne(P('mainline'), 'mainline', spec(), v));
    for (let i = 1; i < rows.length; i++) expect(rows[i].modelledNsPerFlip).toBeGreaterThan(rows[i - 1].modelledNsPerFlip);
    expect(rows[3].invalidationsDelivered / rows[3].flushes).toBeGreaterThan(rows[0].invalidationsDelivered / rows[0].flushes);
    expect(rows[0].perFlip.ns_victim).toBe(0); // nobody else to invalidate on one CPU
    expect(rows[3].perFlip.ns_victim).toBeGreaterThan(0);
  }, 60_000);

  it('IPI shootdowns are priced differently and also grow with the CPU count', async () => {
    const b = await sweepOne(P('mainline'), 'mainline', spec(), 16);
    const i16 = await sweepOne(P('mainline'), 'mainline', spec({ realm: { linearMap: 'block', flush: 'ipi' } }), 16);
    const i2 = await sweepOne(P('mainline'), 'mainline', spec({ realm: { linearMap: 'block', flush: 'ipi' } }), 2);
    expect(i16.flushes).toBe(b.flushes); // same model, same flushes: only the price differs
    expect(i16.modelledNsPerFlip).not.toBe(b.modelledNsPerFlip);
    expect(i16.modelledNsPerFlip).toBeGreaterThan(i2.modelledNsPerFlip);
  }, 60_000);

  it('the decrypted pool does fewer block splits and fewer flushes than per-allocation flips, and costs less per shared buffer', async () => {
    const pool = await sweepOne(P('gfp-decrypted'), 'gfp-decrypted', spec(), 8);
    const perAlloc = await sweepOne(P('mainline'), 'mainline', spec(), 8);
    expect(pool.splits).toBeLessThan(perAlloc.splits);
    expect(pool.flushes).toBeLessThan(perAlloc.flushes);
    expect(pool.modelledNsPerBuffer).toBeLessThan(perAlloc.modelledNsPerBuffer);
  }, 60_000);

  it('a per-page flip does more flushes and RSI calls than one range flip', async () => {
    const range = await sweepOne(P('mainline'), 'mainline', spec(), 4);
    const perPage = await sweepOne(P('mainline-per-page'), 'mainline-per-page', spec(), 4);
    expect(perPage.flushes).toBeGreaterThan(range.flushes);
    expect(perPage.rsiCalls).toBeGreaterThan(range.rsiCalls);
    expect(perPage.modelledNsPerBuffer).toBeGreaterThan(range.modelledNsPerBuffer);
  }, 60_000);

  it('paced batches the flushes of a vmalloc flip: fewer completions (DSBs) than alias-flip', async () => {
    const s = spec({ realm: { linearMap: 'pte' } });
    const each = await sweepOne(P('alias-flip'), 'alias-flip', s, 4);
    const paced = await sweepOne(P('paced'), 'paced', s, 4);
    expect(paced.flushes).toBeLessThan(each.flushes);
    expect(paced.perFlip.ns_sync).toBeLessThan(each.perFlip.ns_sync);
  }, 60_000);

  for (const threshold of [true, false]) {
    it(`the 512-page threshold ${threshold ? 'switches a 512-page flush to flush_tlb_all' : 'when off, keeps per-page TLBIs for 512 pages'}`, () => {
      const realm = new Realm(realmConfig({ vcpus: 2, flushAllThreshold: threshold }));
      realm.reset();
      realm.markAllAssignedRam();
      const cpu = new Cpu(0, realm, new Trace(3), 's');
      counters(cpu);
      drain(flush_tlb_kernel_range(cpu, 0, 511 * 4096));
      expect(counters(cpu)[C.tlbi_all]).toBe(0);
      expect(counters(cpu)[C.tlbi_va]).toBe(511);
      drain(flush_tlb_kernel_range(cpu, 0, 512 * 4096));
      expect(counters(cpu)[C.tlbi_all]).toBe(threshold ? 1 : 0);
      expect(counters(cpu)[C.tlbi_va]).toBe(threshold ? 511 : 1023);
    });
  }

  it('a cost table file overrides defaults, and a bad one is a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'realmrace-costs-'));
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ broadcastSync: 3000, dvmVictim: 0 }));
    const t = loadCostTable(join(dir, 'ok.json'));
    expect(t.broadcastSync).toBe(3000);
    expect(t.dvmVictim).toBe(0);
    expect(t.rsiRoundTrip).toBe(4000);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ broadcastSnyc: 1 }));
    expect(() => loadCostTable(join(dir, 'bad.json'))).toThrow(ConfigError);
    expect(() => loadCostTable(join(dir, 'bad.json'))).toThrow(/Unrecognized key.*broadcastSnyc|broadcastSnyc/);
    const cfgA = runConfig({ realm: { vcpus: 4, costs: t }, workload: { ops: 40 } });
    const cfgB = runConfig({ realm: { vcpus: 4 }, workload: { ops: 40 } });
    const a = new ControlledRunner(cfgA, P('mainline')).runOne('0x1');
    const b = new ControlledRunner(cfgB, P('mainline')).runOne('0x1');
    expect(a.traceHash).toBe(b.traceHash); // costs never change what happens...
    expect(a.counts.ns_sync).toBe(2 * b.counts.ns_sync); // ...only what it is modelled to cost
  });

  it('measured runs report per-flip wall-clock percentiles next to the modelled cost', async () => {
    const r = await sweepOne(P('mainline'), 'mainline', spec(), 4);
    expect(r.flips).toBeGreaterThan(0);
    expect(r.p50).toBeGreaterThan(0);
    expect(r.p99).toBeGreaterThanOrEqual(r.p50);
    expect(r.max).toBeGreaterThanOrEqual(r.p99 * 0.999); // HDR percentiles are rounded to 3 significant digits
    expect(r.measuredNsPerFlip).toBeGreaterThan(0);
    expect(r.decrypt.count + r.encrypt.count).toBe(r.flips);
    expect(r.decrypt.count).toBeGreaterThan(0);
    expect(r.encrypt.count).toBeGreaterThan(0);
    expect(r.decrypt.max).toBeGreaterThanOrEqual(r.decrypt.p99 * 0.999);
  });
});
