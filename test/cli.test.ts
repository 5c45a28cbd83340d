// The `realmrace run` command line: verdicts, exit codes and one-line errors.
// In-process through main() (npm test builds first: workers load dist/); a
// couple of real processes check the bin, its exit codes and its start-up.

import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, realmraceIn, realmraceSpawn, verdictOf } from './cli_helpers.js';

// Reproducers land in ./realmrace-repro: run the CLI in a scratch directory.
const CWD = mkdtempSync(join(tmpdir(), 'realmrace-cli-'));
const fixture = (f: string): string => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));
const realmrace = (...args: string[]) => realmraceIn(CWD, ...args);
writeFileSync(join(CWD, 'v2.json'), readFileSync(fixture('reproducer_0.1.json'), 'utf8').replace('realmrace-reproducer/1', 'realmrace-reproducer/2'));

describe('realmrace run', () => {
  it('prints an outcome table and a PASS verdict, exit 0, when every policy meets its expectation', async () => {
    const r = await realmrace('run', '--policy', 'mainline,vmalloc-naive', '--schedules', '40');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/│ mainline +│ clean +│ clean/);
    expect(r.out).toMatch(/│ vmalloc-naive +│ SEA +│ SEA x\d+/);
    expect(r.out).toMatch(/replay: npx realmrace replay realmrace-repro\/vmalloc-naive-SEA-[0-9a-f]{8}-[0-9a-f]{8}\.json/);
    expect(r.out).toMatch(/replay: npx realmrace replay --seed 0x[0-9a-f]+ --policy vmalloc-naive --vcpus 4/);
    expect(verdictOf(r.out)).toMatch(/^realmrace: PASS - 2\/2 policies met expectations/);
  });

  it('exits 2 when a finding is unexpected', async () => {
    const r = await realmrace('run', '--policy', fixture('policy_v2_claims_clean.js'), '--schedules', '300', '--stop-on-first');
    expect(r.code).toBe(2);
    expect(verdictOf(r.out)).toMatch(/^realmrace: FAIL - 1\/1 policies did not meet their expectation \(v2-claims-clean: unexpected bbm-violation\)/);
    expect(r.out).toContain('UNEXPECTED');
  });

  it('exits 2 when an expected finding is missed (a canary that lost its teeth)', async () => {
    // One op per vCPU cannot race; no catch rate is measured at 1 op, so the stated
    // --min-schedules is the claim of enough: 25 complete schedules pass it, the miss is called.
    const r = await realmrace('run', '--policy', 'vmalloc-naive', '--schedules', '25', '--ops', '1', '--min-schedules', '20');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/MISSED: expected SEA was not found/);
  });

  it('loads a user policy module built from the library', async () => {
    const r = await realmrace('run', '--policy', fixture('policy_mainline_copy.js'), '--schedules', '5', '--min-schedules', '5');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/mainline-copy/);
  });

  it('replays one schedule from the printed seed with the same trace', async () => {
    const a = JSON.parse((await realmrace('run', '--policy', 'vmalloc-naive', '--schedules', '30', '--json')).out);
    const b = a.outcomes[0].buckets[0];
    const again = JSON.parse((await realmrace('run', '--policy', 'vmalloc-naive', '--seed', b.firstSeed, '--schedules', '1', '--json')).out);
    expect(again.outcomes[0].buckets[0].signature).toBe(b.signature);
    expect(again.outcomes[0].buckets[0].firstStep).toBe(b.firstStep);
    const bySeed = JSON.parse((await realmrace('replay', '--seed', b.firstSeed, '--policy', 'vmalloc-naive', '--json')).out);
    expect(bySeed.finding.signature).toBe(b.signature);
    expect(bySeed.traceHash).toBe(b.traceHash);
  });

  it('writes one reproducer per signature; replay, replay --threads --check and shrink work on it', async () => {
    const run = await realmrace('run', '--policy', 'no-dsb', '--schedules', '300', '--stop-on-first', '--repro-dir', 'r1');
    const file = /replay: npx realmrace replay (r1\/no-dsb-(SEA|data-exposed)-[0-9a-f]{8}-[0-9a-f]{8}\.json)/.exec(run.out)?.[1];
    expect(file).toBeDefined();
    const rep = await realmrace('replay', file!);
    expect(rep.code).toBe(0);
    expect(rep.out).toMatch(/realmrace: REPRODUCED - same signature, same trace hash/);
    const threads = await realmrace('replay', file!, '--threads', '--check');
    expect(threads.code).toBe(0);
    expect(threads.out).toMatch(/across 5 worker threads/);
    expect(threads.out).toMatch(/check: a second replay produced the identical trace/);
    const shrunk = await realmrace('shrink', file!);
    expect(shrunk.code).toBe(0);
    expect(shrunk.out).toMatch(/vCPUs +4 -> [1-4] /);
    expect(shrunk.out).toMatch(/steps +\d+ -> \d+ +\((9\d|100)% less\)/);
    expect(shrunk.out).toMatch(/shrunk reproducer replays exactly/);
    expect((await realmrace('replay', file!.replace(/\.json$/, '.min.json'))).code).toBe(0);
    const show = await realmrace('show', file!.replace(/\.json$/, '.min.json'), '--width', '150');
    expect(show.code).toBe(0);
    expect(show.out).toMatch(/\| +step \| vCPU0 +\|/);
    expect(show.out).toMatch(/>>> /);
    const html = await realmrace('show', file!, '--html', 'trace.html');
    expect(html.code).toBe(0);
    expect(html.out).toMatch(/^wrote trace\.html: \d+ steps/);
    expect(readFileSync(join(CWD, 'trace.html'), 'utf8')).toMatch(/<svg[^>]*>[\s\S]*<\/svg>/);
  });

  const usage: [string, string[], RegExp][] = [
    ['a malformed integer', ['run', '--vcpus', 'four'], /^realmrace: error: option '--vcpus <n>' argument 'four' is invalid/],
    ['an unknown mode', ['run', '--mode', 'fast'], /expected one of controlled\|free/],
    ['an unknown flag', ['run', '--bogus'], /^realmrace: error: unknown option '--bogus'/],
    ['an unknown policy', ['run', '--policy', 'nope'], /^realmrace: error: unknown policy "nope" \(built-in: v2-no-bbm, mainline/],
    ['a missing policy module', ['run', '--policy', './no/such/policy.js'], /^realmrace: error: policy \.\/no\/such\/policy\.js: cannot load module/],
    ['a policy module with a syntax error', ['run', '--policy', fixture('policy_syntax_error.js')], /^realmrace: error: policy .*policy_syntax_error\.js: cannot load module/],
    ['a policy factory that throws', ['run', '--policy', fixture('policy_factory_throws.js')], /^realmrace: error: policy .*: factory threw: factory exploded/],
    ['a policy that throws while running', ['run', '--policy', fixture('policy_throws.js'), '--schedules', '1'], /^realmrace: error: policy throws-at-run threw at step \d+ \(seed 0x1\): boom in set_memory_decrypted/],
    ['a policy that throws in free mode', ['run', '--mode', 'free', '--policy', fixture('policy_throws.js'), '--schedules', '1'], /^realmrace: error: policy throws-at-run threw at step \d+ on actor \d \(seed 0x1\): boom/],
    ['a bad memory size', ['run', '--lm-pages', '600'], /^realmrace: error: option '--lm-pages <n>' argument '600' is invalid\. expected a multiple of 512, got 600/],
    ['an unknown cost key', ['run', '--costs', 'broadcastSnyc=1'], /^realmrace: error: costs must be one of the keys pteWrite, .*, got "broadcastSnyc"/],
    ['an out-of-range rate', ['run', '--partial-rate', '2'], /^realmrace: error: option '--partial-rate <p>' argument '2' is invalid\. expected 0\.\.1, got 2/],
    ['a reproducer of a newer schema', ['replay', 'v2.json'], /^realmrace: error: reproducer v2\.json is invalid: schema: "realmrace-reproducer\/2", but realmrace \S+ reads only realmrace-reproducer\/1$/m],
    ['a missing reproducer', ['replay', 'no-such.json'], /^realmrace: error: cannot read reproducer no-such\.json: ENOENT/],
    ['a corrupt reproducer', ['replay', fixture('policy_syntax_error.js')], /^realmrace: error: reproducer .* is not valid JSON .*corrupt or truncated/],
    ['replay without a file or seed', ['replay'], /^realmrace: error: replay needs a reproducer file, or --seed and --policy/],
  ];
  for (const [what, args, msg] of usage) {
    it(`rejects ${what} with a one-line error and exit 1`, async () => {
      const r = await realmrace(...args);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    });
  }

  it('the built bin runs main() as a process: a one-line error and exit 1, help and exit 0', () => {
    const bad = realmraceSpawn(CWD, 'run', '--vcpus', '300');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^realmrace: error: option '--vcpus <n>' argument '300' is invalid\. expected 1\.\.256, got 300\n$/);
    const help = realmraceSpawn(CWD, 'run', '--help');
    expect(help.code).toBe(0);
    expect(help.out.replace(/\s+/g, ' ')).toMatch(/--min-schedules <n> a safe policy is clean only with at least this many complete schedules \(default: 20\)/);
  });

  it('a bin run ends with the verdict line and its exit status', () => {
    const r = realmraceSpawn(CWD, 'run', '--policy', 'mainline', '--schedules', '3', '--min-schedules', '3');
    expect(r.code).toBe(0);
    expect(verdictOf(r.out)).toMatch(/^realmrace: PASS - 1\/1 policies met expectations/);
  });

  it('a reader that goes away (realmrace run | head) ends nothing badly: no EPIPE stack trace, same exit status', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, 'run', '--policy', 'mainline', '--schedules', '25'], { cwd: CWD });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    // Close our end after the first line, as `head -1` would.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(err).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });

  it('importing the CLI module runs nothing', async () => {
    const mod = await import('../dist/src/cli/main.js' as string);
    expect(typeof mod.main).toBe('function');
    expect(Object.keys(mod).sort()).toEqual(['main', 'program']);
  });
});
