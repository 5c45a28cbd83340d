// The `realmrace run` command line: verdicts, exit codes and one-line errors.
// Runs the built CLI (npm test builds first).

import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
// Reproducers land in ./realmrace-repro: run the CLI in a scratch directory.
const CWD = mkdtempSync(join(tmpdir(), 'realmrace-cli-'));
const fixture = (f: string): string => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));

function realmrace(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, cwd: CWD });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('realmrace run', () => {
  it('prints an outcome table and a PASS verdict, exit 0, when every policy meets its expectation', () => {
    const r = realmrace('run', '--policy', 'mainline,vmalloc-naive', '--schedules', '40');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/│ mainline +│ controlled │ clean +│ clean/);
    expect(r.out).toMatch(/│ vmalloc-naive +│ controlled │ SEA +│ SEA x\d+/);
    expect(r.out).toMatch(/replay: realmrace replay realmrace-repro\/vmalloc-naive-SEA-[0-9a-f]{8}\.json/);
    expect(r.out).toMatch(/replay: realmrace replay --seed 0x[0-9a-f]+ --policy vmalloc-naive --vcpus 4/);
    expect(r.out.trim().split('\n').pop()).toMatch(/^realmrace: PASS - 2\/2 policies met their expectation/);
  });

  it('exits 2 when a finding is unexpected', () => {
    const r = realmrace('run', '--policy', fixture('policy_v2_claims_clean.js'), '--schedules', '300', '--stop-on-first');
    expect(r.code).toBe(2);
    expect(r.out.trim().split('\n').pop()).toMatch(/^realmrace: FAIL - 1\/1 policies did not meet their expectation \(v2-claims-clean: unexpected SEA\)/);
    expect(r.out).toContain('UNEXPECTED');
  });

  it('exits 2 when an expected finding is missed (a canary that lost its teeth)', () => {
    const r = realmrace('run', '--policy', 'vmalloc-naive', '--schedules', '1', '--ops', '1');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/MISSED: expected SEA was not found/);
  });

  it('loads a user policy module built from the library', () => {
    const r = realmrace('run', '--policy', fixture('policy_mainline_copy.js'), '--schedules', '5');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/mainline-copy/);
  });

  it('replays one schedule from the printed seed with the same trace', () => {
    const a = JSON.parse(realmrace('run', '--policy', 'vmalloc-naive', '--schedules', '30', '--json').out);
    const b = a.outcomes[0].buckets[0];
    const again = JSON.parse(realmrace('run', '--policy', 'vmalloc-naive', '--seed', b.firstSeed, '--schedules', '1', '--json').out);
    expect(again.outcomes[0].buckets[0].signature).toBe(b.signature);
    expect(again.outcomes[0].buckets[0].firstStep).toBe(b.firstStep);
    const bySeed = JSON.parse(realmrace('replay', '--seed', b.firstSeed, '--policy', 'vmalloc-naive', '--json').out);
    expect(bySeed.finding.signature).toBe(b.signature);
    expect(bySeed.traceHash).toBe(b.traceHash);
  });

  it('writes one reproducer per signature; replay, replay --threads --check and shrink work on it', () => {
    const run = realmrace('run', '--policy', 'v2-no-bbm', '--schedules', '300', '--stop-on-first', '--repro-dir', 'r1');
    const file = /replay: realmrace replay (r1\/v2-no-bbm-SEA-[0-9a-f]{8}\.json)/.exec(run.out)?.[1];
    expect(file).toBeDefined();
    const rep = realmrace('replay', file!);
    expect(rep.code).toBe(0);
    expect(rep.out).toMatch(/realmrace: REPRODUCED - same signature, same trace hash/);
    const threads = realmrace('replay', file!, '--threads', '--check');
    expect(threads.code).toBe(0);
    expect(threads.out).toMatch(/across 5 worker threads/);
    expect(threads.out).toMatch(/check: a second replay produced the identical trace/);
    const shrunk = realmrace('shrink', file!);
    expect(shrunk.code).toBe(0);
    expect(shrunk.out).toMatch(/vCPUs +4 -> [1-4] /);
    expect(shrunk.out).toMatch(/steps +\d+ -> \d+ +\((9\d|100)% less\)/);
    expect(shrunk.out).toMatch(/shrunk reproducer replays exactly/);
    expect(realmrace('replay', file!.replace(/\.json$/, '.min.json')).code).toBe(0);
    const show = realmrace('show', file!.replace(/\.json$/, '.min.json'), '--width', '150');
    expect(show.code).toBe(0);
    expect(show.out).toMatch(/\| +step \| vCPU0 +\|/);
    expect(show.out).toMatch(/>>> /);
    const html = realmrace('show', file!, '--html', 'trace.html');
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
    ['a bad memory size', ['run', '--lm-pages', '600'], /^realmrace: error: lmPages must be a multiple of 512, got 600/],
    ['a missing reproducer', ['replay', 'no-such.json'], /^realmrace: error: cannot read reproducer no-such\.json: ENOENT/],
    ['a corrupt reproducer', ['replay', fixture('policy_syntax_error.js')], /^realmrace: error: reproducer .* is not valid JSON .*corrupt or truncated/],
    ['replay without a file or seed', ['replay'], /^realmrace: error: replay needs a reproducer file, or --seed and --policy/],
  ];
  for (const [what, args, msg] of usage) {
    it(`rejects ${what} with a one-line error and exit 1`, () => {
      const r = realmrace(...args);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    });
  }
});
