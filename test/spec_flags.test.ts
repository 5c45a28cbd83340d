// The run spec (src/config/): one field table gives the flags, the defaults,
// the checks and the file schemas; toFlags() turns a spec back into flags that
// rebuild it exactly (randomised, seeded, bounded round trip).

import { describe, it, expect } from 'vitest';
import seedrandom from 'seedrandom';
import { Command, CommanderError } from 'commander';
import { fileURLToPath } from 'node:url';
import { FIELDS, PROFILES, fieldsOf, defaultOf, choicesOf, type Command as Cmd, type FieldDef } from '../src/config/fields.js';
import { addSpecOptions, overridesFromFlags } from '../src/config/flags.js';
import { toFlags, commandLine } from '../src/config/to_flags.js';
import { runSpec, runConfig, specDefaults, setPath, mapKeys, type RunSpec, type SpecOverrides } from '../src/config/spec.js';
import { parseReproducer, readReproducer, encodeReproducer } from '../src/repro/reproducer.js';
import { replayCommand } from '../src/report/replay.js';
import { loadCampaign, expandCases, caseRunConfig } from '../src/campaign/config.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

/** A random value the field accepts. */
function randomValue(rng: Rng, cmd: Cmd, f: FieldDef): unknown {
  switch (f.kind) {
    case 'int': {
      const max = Math.min(f.max ?? Number.MAX_SAFE_INTEGER, f.min! + 5_000_000);
      if (f.powerOfTwo) return 2 ** Math.floor(Math.log2(f.min!) + rng() * (Math.log2(max) - Math.log2(f.min!) + 1));
      const step = f.multipleOf ?? 1;
      const lo = Math.ceil(f.min! / step), hi = Math.floor(max / step);
      const r = rng();
      return step * (r < 0.1 ? lo : r < 0.2 ? hi : lo + Math.floor(rng() * (hi - lo + 1)));
    }
    case 'number': {
      const r = rng();
      return r < 0.1 ? f.min! : r < 0.2 ? f.max! : f.min! + rng() * (f.max! - f.min!);
    }
    case 'bool':
      return rng() < 0.5;
    case 'choice':
      return pick(rng, choicesOf(cmd, f)!);
    case 'seed':
      return pick(rng, ['0x' + Math.floor(rng() * 2 ** 52).toString(16), String(Math.floor(rng() * 1e9)), `it's seed ${Math.floor(rng() * 100)}`, 'x"y z']);
    case 'string':
      return pick(rng, ['mainline', 'mainline,vmalloc-naive', './my policies/it\'s.js', 'all', '$HOME/p.js']);
    case 'map': {
      const m: Record<string, number> = {};
      for (const k of mapKeys(f)) if (rng() < 0.3) m[k] = rng() < 0.5 ? Math.floor(rng() * 5000) : rng() * 100;
      return m;
    }
  }
}

/** A random valid spec: each field a command takes is left at its default or set to a random valid value. */
function randomSpec(rng: Rng, cmd: Cmd): RunSpec {
  const over: Record<string, unknown> = {};
  for (const f of fieldsOf(cmd)) if (rng() < 0.6) setPath(over, f.path, randomValue(rng, cmd, f));
  return runSpec(over as SpecOverrides);
}

/** The flags parsed by the command's generated options, back to a spec. */
function parseFlags(cmd: Cmd, argv: string[]): RunSpec {
  const c = addSpecOptions(new Command('t').exitOverride().configureOutput({ writeErr: () => {} }), cmd);
  c.parse(argv, { from: 'user' });
  return runSpec(overridesFromFlags(cmd, c.opts()) as SpecOverrides);
}

/** POSIX words of a line as shellQuote writes it: bare words, '...' and \\' outside quotes. */
function shellWords(line: string): string[] {
  const out: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ') {
      if (word !== null) out.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '\\') word = (word ?? '') + line[++i];
    else word = (word ?? '') + c;
  }
  if (word !== null) out.push(word);
  return out;
}

describe('run spec: flags and toFlags from one field table', () => {
  for (const cmd of ['run', 'replay'] as const) {
    it(`round-trips 400 random specs spec -> flags -> spec for \`${cmd}\` (through the quoted command line)`, () => {
      const rng = seedrandom(`spec-roundtrip-${cmd}`);
      for (let i = 0; i < 400; i++) {
        const spec = randomSpec(rng, cmd);
        const argv = toFlags(spec, cmd);
        expect(parseFlags(cmd, argv)).toEqual(spec);
        const line = commandLine(`realmrace ${cmd}`, spec, cmd);
        expect(shellWords(line).slice(2)).toEqual(argv);
      }
    });
  }

  it('covers every field: each one differs from its default in some random spec and comes back', () => {
    const rng = seedrandom('spec-coverage');
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const a of toFlags(randomSpec(rng, 'run'), 'run')) if (a.startsWith('--')) seen.add(a);
    const expected = FIELDS.map((f) => (f.kind === 'bool' ? `--${'negate' in f ? 'no-' : ''}${f.flag}` : `--${f.flag}`));
    expect([...seen].sort()).toEqual([...new Set(expected)].sort());
  });

  it('prints nothing but the vCPU count for the defaults, and replay lines start with seed and policy', () => {
    expect(toFlags(runSpec(), 'run')).toEqual(['--vcpus', '4']);
    expect(replayCommand('vmalloc-naive', runConfig(), '0x2a')).toBe('npx realmrace replay --seed 0x2a --policy vmalloc-naive --vcpus 4');
    const cfg = runConfig({ realm: { linearMap: 'block', flush: 'ipi', flushAllThreshold: false, costs: { broadcastSync: 2000 } }, workload: { ops: 40, mix: { d_hash: 80 } } });
    expect(replayCommand('./my p.js', cfg, 'a b')).toBe("npx realmrace replay --seed 'a b' --policy './my p.js' --vcpus 4 --linear-map block --no-flush-all --flush ipi --costs broadcastSync=2000 --ops 40 --mix d_hash=80");
  });

  it('writes each default once: a command default differs from the table only where its profile says why', () => {
    for (const cmd of Object.keys(PROFILES) as Cmd[]) {
      for (const f of fieldsOf(cmd)) {
        const own = PROFILES[cmd].defaults?.[f.path as keyof typeof PROFILES.run.defaults];
        if (own) expect(typeof own.why).toBe('string');
        else expect(defaultOf(cmd, f)).toBe('default' in f ? f.default : undefined);
      }
    }
    // sweep --ops 100 vs run --ops 200: one named override, and --help says so.
    const help = addSpecOptions(new Command('sweep'), 'sweep').helpInformation().replace(/\s+/g, ' ');
    expect(help).toMatch(/--ops <n> operations per vCPU program \(sweep default: [^)]*; run: 200\) \(default: 100\)/);
    expect(specDefaults().workload.ops).toBe(200);
  });

  it('rejects a value the same way from a flag, from code and from a reproducer file', () => {
    const flag = (): RunSpec => parseFlags('run', ['--lm-pages', '600']);
    expect(flag).toThrow(CommanderError);
    expect(flag).toThrow(/expected a multiple of 512, got 600/);
    expect(() => runConfig({ realm: { lmPages: 600 } })).toThrow(/^lmPages must be a multiple of 512, got 600$/);
    expect(() => runConfig({ realm: { tlbEntries: 48 } })).toThrow(/^tlbEntries must be a power of two, got 48$/);
    expect(() => runConfig({ realm: { costs: { broadcastSnyc: 1 } as never } })).toThrow(/^costs must be one of the keys pteWrite, .*, got "broadcastSnyc"$/);
    expect(() => parseFlags('run', ['--partial-rate', '1.5'])).toThrow(/expected 0\.\.1, got 1\.5/);
    expect(() => parseFlags('run', ['--mix', 'd_hash=x'])).toThrow(/expected a non-negative number for d_hash, got NaN/);
    const file = JSON.parse(JSON.stringify(encodeReproducer(readReproducer(fixture))));
    file.config.realm.host.partialRate = 1.5;
    expect(() => parseReproducer(JSON.stringify(file), 'x.json')).toThrow(/^reproducer x\.json is invalid: config\.realm\.host: partialRate must be 0\.\.1, got 1\.5$/);
  });

  const fixture = fileURLToPath(new URL('./fixtures/reproducer_0.1.json', import.meta.url));

  it('loads a reproducer written by realmrace 0.1, with the config it was written with', () => {
    const r = readReproducer(fixture);
    expect(r.tool.version).toBe('0.1.0');
    expect(r.config).toEqual(runConfig({ workload: { ops: 40 } }));
  });

  it('fills fields an older reproducer leaves out with their defaults, and names the schema it cannot read', () => {
    const file = JSON.parse(JSON.stringify(encodeReproducer(readReproducer(fixture))));
    delete file.config.realm.watchdogSteps;
    delete file.config.scheduler;
    expect(parseReproducer(JSON.stringify(file), 'x.json').config).toEqual(runConfig({ workload: { ops: 40 } }));
    file.schema = 'realmrace-reproducer/2';
    expect(() => parseReproducer(JSON.stringify(file), 'x.json')).toThrow(/^reproducer x\.json is invalid: schema: "realmrace-reproducer\/2", but realmrace \S+ reads only realmrace-reproducer\/1$/);
    file.config.realm.bogus = 1;
    file.schema = 'realmrace-reproducer/1';
    expect(() => parseReproducer(JSON.stringify(file), 'x.json')).toThrow(/^reproducer x\.json is invalid: config\.realm: Unrecognized key: "bogus"$/);
  });

  it('campaign entries take the model fields by their flag names, with the same defaults and checks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'realmrace-spec-'));
    const path = join(dir, 'c.json');
    const entries = [
      { policy: 'mainline', vcpus: [2, 8], seeds: 3 },
      { policy: 'gfp-decrypted', vcpus: [4], seeds: 2, mode: 'free', linearMap: 'block', tlbiRange: true, scheduler: 'pct', depth: 5, ops: 30, minSchedules: 2, costs: { broadcastSync: 900 } },
    ];
    writeFileSync(path, JSON.stringify({ name: 'c', seed: '0x1', budget: '1m', entries }));
    const cases = expandCases(loadCampaign(path).config);
    expect(cases.map((k) => k.id)).toEqual(['0:mainline:controlled:2v', '0:mainline:controlled:8v', '1:gfp-decrypted:free:4v']);
    expect(caseRunConfig(cases[1])).toEqual(runConfig({ realm: { vcpus: 8 } }));
    expect(caseRunConfig(cases[2])).toEqual(runConfig({ realm: { vcpus: 4, linearMap: 'block', tlbiRange: true, costs: { broadcastSync: 900 } }, scheduler: { name: 'pct', depth: 5 }, workload: { ops: 30 } }));
    expect([cases[0].minSchedules, cases[2].minSchedules, cases[2].ops, cases[2].linearMap]).toEqual([specDefaults().budget.minSchedules, 2, 30, 'block']);
    writeFileSync(path, JSON.stringify({ name: 'c', seed: '0x1', budget: '1m', entries: [{ ...entries[0], mode: 'record' }] }));
    expect(() => loadCampaign(path)).toThrow(/: entries\.0: mode must be one of controlled\|free, got "record"$/);
  });
});
