// Reproducer files: what they hold, and clear errors for damaged ones.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeReproducer, parseReproducer, readReproducer, writeReproducer, REPRO_SCHEMA } from '../src/repro/reproducer.js';
import { replayWarnings } from '../src/repro/replay.js';
import { ConfigError } from '../src/run/errors.js';
import { firstFailure } from './repro_helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'realmrace-repro-'));
const repro = firstFailure('vmalloc-naive');

describe('reproducer files', () => {
  it('hold schema, tool version, full config, policy and hash, per-vCPU program seeds, scheduler seed, explicit schedule, signature and trace hash', () => {
    const f = encodeReproducer(repro);
    expect(f.schema).toBe(REPRO_SCHEMA);
    expect(f.tool.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(f.config.realm.vcpus).toBe(4);
    expect(f.policy).toEqual({ spec: 'vmalloc-naive', name: 'vmalloc-naive', hash: 'builtin:vmalloc-naive' });
    expect(f.programs).toHaveLength(4);
    expect(new Set(f.programs.map((p) => p.seed)).size).toBe(4);
    expect(f.seed).toMatch(/^0x[0-9a-f]+$/);
    expect(f.schedule!.steps).toBe(repro.schedule!.actors.length);
    expect(f.schedule!.steps).toBe(repro.finding.step + 1); // the schedule ends with the failing step
    expect(f.finding.signature).toMatch(/^SEA in /);
    expect(f.traceHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('round-trip through a file unchanged', () => {
    const path = join(dir, 'ok.json');
    writeReproducer(path, repro);
    const back = readReproducer(path);
    expect(back.schedule!.actors).toEqual(repro.schedule!.actors);
    expect(back.schedule!.ops).toEqual(repro.schedule!.ops);
    expect(back.schedule!.checks).toEqual(repro.schedule!.checks);
    expect(back.finding).toEqual(repro.finding);
  });

  const damaged: [string, (s: string) => string, RegExp][] = [
    ['truncated JSON', (s) => s.slice(0, s.length / 2), /is not valid JSON .*corrupt or truncated/],
    ['a wrong schema tag', (s) => s.replace(REPRO_SCHEMA, 'something-else/9'), /is invalid: schema: /],
    ['a missing field', (s) => { const j = JSON.parse(s); delete j.seed; return JSON.stringify(j); }, /is invalid: seed: /],
    ['a program too few', (s) => { const j = JSON.parse(s); j.programs.pop(); return JSON.stringify(j); }, /is invalid: programs: 3 programs for 4 vCPUs/],
    ['a schedule that is not base64', (s) => { const j = JSON.parse(s); j.schedule.actors = '***'; return JSON.stringify(j); }, /is invalid: schedule\.actors: not base64/],
    ['a schedule of the wrong length', (s) => { const j = JSON.parse(s); j.schedule.steps += 1; return JSON.stringify(j); }, /is invalid: schedule\.steps is \d+ but it holds/],
    ['an actor that does not exist', (s) => { const j = JSON.parse(s); const b = Buffer.from(j.schedule.actors, 'base64'); b[0] = 9; j.schedule.actors = b.toString('base64'); return JSON.stringify(j); }, /schedule\.actors\[0\] = 9 but there are only 5 actors/],
    ['a bad memory size', (s) => { const j = JSON.parse(s); j.config.realm.lmPages = 600; return JSON.stringify(j); }, /is invalid: config\.realm: lmPages must be a multiple of 512/],
  ];
  for (const [what, damage, msg] of damaged) {
    it(`a reproducer with ${what} is rejected with a clear error`, () => {
      const text = damage(readFileSync(join(dir, 'ok.json'), 'utf8'));
      expect(() => parseReproducer(text, 'x.json')).toThrow(ConfigError);
      expect(() => parseReproducer(text, 'x.json')).toThrow(msg);
    });
  }

  it('a reproducer from another tool version warns', () => {
    const w = replayWarnings({ ...repro, tool: { name: 'realmrace', version: '0.0.1' } });
    expect(w.join('\n')).toMatch(/written by realmrace 0\.0\.1, this is .*: the replay may diverge/);
  });

  it('a reproducer whose policy module changed warns', () => {
    const mod = join(dir, 'pol.js');
    writeFileSync(mod, 'export default { name: "x", expect: [], *set_memory_decrypted() { return 0; }, *set_memory_encrypted() { return 0; } };\n');
    const hash = 'feedfacefeedface';
    const w = replayWarnings({ ...repro, policy: { spec: mod, name: 'x', hash } });
    expect(w.join('\n')).toMatch(/policy .*pol\.js changed since the reproducer was written \(hash feedfacefeedface -> [0-9a-f]{16}\)/);
    expect(replayWarnings(repro)).toEqual([]);
  });
});
