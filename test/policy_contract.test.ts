// Policy contract errors are policy errors (issue 9 item 9): a user policy op
// that returns a non-number, or is not a generator, stops the run with one line
// naming the policy and the op, in every mode; never a made-up kernel finding.
// A campaign naming an unknown policy, or a policy that breaks the contract,
// is refused before it starts.

import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realmraceIn } from './cli_helpers.js';

const CWD = mkdtempSync(join(tmpdir(), 'realmrace-contract-'));
const fixture = (f: string): string => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));
const realmrace = (...args: string[]) => realmraceIn(CWD, ...args);

function oneLine(r: { code: number | null; out: string; err: string }, msg: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.err).toMatch(msg);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(r.out).not.toMatch(/translation-fault|UNEXPECTED|PASS|FAIL/); // no finding, no verdict
}

const CASES: [string, string, RegExp][] = [
  ['returns a string', 'policy_returns_string.js', /policy contract: returns-string: ops\.set_memory_decrypted\(\) returned the string "ok"; it must return 0 or -errno$/m],
  ['is not a generator', 'policy_not_generator.js', /policy contract: not-a-generator: ops\.set_memory_encrypted\(\) returned 0, not a generator: write it as \*set_memory_encrypted/],
];

describe('policy contract', () => {
  for (const [what, file, msg] of CASES) {
    for (const mode of ['controlled', 'free', 'record']) {
      it(`an op that ${what}: one-line policy error naming the op, exit 1 (${mode} mode)`, async () => {
        const r = await realmrace('run', '--mode', mode, '--policy', fixture(file), '--schedules', '3');
        oneLine(r, msg);
        expect(r.err).toMatch(/^realmrace: error: policy \S+ threw at step \d+/);
      });
    }
  }

  it('a built-in policy (trusted, not wrapped) still runs clean', async () => {
    const r = await realmrace('run', '--policy', 'mainline', '--schedules', '3', '--json');
    expect(JSON.parse(r.out).outcomes[0].buckets).toEqual([]);
  });

  it('a nightly config naming an unknown policy is refused before the campaign starts', async () => {
    const cfg = join(CWD, 'unknown.json');
    writeFileSync(cfg, JSON.stringify({ name: 'x', seed: '0x1', budget: '1m', entries: [{ policy: 'mainline', vcpus: [2], seeds: 2 }, { policy: 'nope', vcpus: [2], seeds: 2 }] }));
    const r = await realmrace('nightly', '--config', cfg, '--out', 'n1');
    oneLine(r, /^realmrace: error: campaign config .*unknown\.json: entries\.1\.policy: unknown policy "nope"/);
    expect(existsSync(join(CWD, 'n1', 'results.jsonl'))).toBe(false); // no run was made
  });

  it('a nightly config whose policy breaks the contract is refused before the campaign starts', async () => {
    const cfg = join(CWD, 'contract.json');
    writeFileSync(cfg, JSON.stringify({ name: 'x', seed: '0x1', budget: '1m', entries: [{ policy: 'mainline', vcpus: [2], seeds: 2 }, { policy: fixture('policy_returns_string.js'), vcpus: [2], seeds: 2 }] }));
    const r = await realmrace('nightly', '--config', cfg, '--out', 'n2');
    oneLine(r, /^realmrace: error: campaign config .*contract\.json: entries\.1\.policy .*policy_returns_string\.js: .*policy contract: returns-string: ops\.set_memory_decrypted\(\) returned the string "ok"/);
    expect(existsSync(join(CWD, 'n2', 'results.jsonl'))).toBe(false);
  });
});
