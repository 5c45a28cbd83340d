// Bad output paths are checked before any work (issue 9 item 4): a file where a
// directory is wanted (or the reverse), a directory that cannot be written, a
// parent that is a file: one stderr line naming the flag and the path, exit 1,
// and nothing run. A missing directory that can be created is fine.

import { describe, it, expect } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realmraceIn } from './cli_helpers.js';
import { checkOutputDir, checkOutputFile } from '../src/cli/output_paths.js';

const CWD = mkdtempSync(join(tmpdir(), 'realmrace-outpaths-'));
const fixture = (f: string): string => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));
const realmrace = (...args: string[]) => realmraceIn(CWD, ...args);
writeFileSync(join(CWD, 'afile'), 'not a directory\n');
mkdirSync(join(CWD, 'adir'));
writeFileSync(join(CWD, 'repro.json'), readFileSync(fixture('reproducer_0.1.json')));
writeFileSync(join(CWD, 'campaign.json'), JSON.stringify({ name: 'x', seed: '0x1', budget: '1m', entries: [{ policy: 'mainline', vcpus: [2], seeds: 2 }] }));
// Not writable even for root: nothing can be created under /proc.
const UNWRITABLE = '/proc/realmrace-no-such/out';

const CASES: [string, string[], RegExp][] = [
  ['run --repro-dir at a file', ['run', '--policy', 'vmalloc-naive', '--schedules', '5', '--repro-dir', 'afile'], /^realmrace: error: --repro-dir afile: is a file, not a directory$/],
  ['run --repro-dir below a file', ['run', '--policy', 'vmalloc-naive', '--schedules', '5', '--repro-dir', 'afile/sub'], /^realmrace: error: --repro-dir afile\/sub: \S+afile is a file, not a directory$/],
  ['run --repro-dir unwritable', ['run', '--policy', 'vmalloc-naive', '--schedules', '5', '--repro-dir', UNWRITABLE], /^realmrace: error: --repro-dir \/proc\/realmrace-no-such\/out: parent directory \/proc is not writable/],
  ['sweep --out at a file', ['sweep', '--vcpus', '1', '--policy', 'mainline', '--schedules', '1', '--ops', '5', '--out', 'afile'], /^realmrace: error: --out afile: is a file, not a directory$/],
  ['sweep --out unwritable', ['sweep', '--vcpus', '1', '--policy', 'mainline', '--schedules', '1', '--ops', '5', '--out', UNWRITABLE], /^realmrace: error: --out \/proc\/\S+: parent directory \/proc is not writable/],
  ['nightly --out at a file', ['nightly', '--config', 'campaign.json', '--out', 'afile'], /^realmrace: error: --out afile: is a file, not a directory$/],
  ['nightly --out unwritable', ['nightly', '--config', 'campaign.json', '--out', UNWRITABLE], /^realmrace: error: --out \/proc\/\S+: parent directory \/proc is not writable/],
  ['merge --out at a file', ['merge', 'adir', '--out', 'afile'], /^realmrace: error: --out afile: is a file, not a directory$/],
  ['show --html at a directory', ['show', 'repro.json', '--html', 'adir'], /^realmrace: error: --html adir: is a directory, not a file$/],
  ['show --html below a file', ['show', 'repro.json', '--html', 'afile/t.html'], /^realmrace: error: --html afile\/t\.html: \S+afile is a file, not a directory$/],
  ['show --html unwritable', ['show', 'repro.json', '--html', `${UNWRITABLE}.html`], /^realmrace: error: --html \/proc\/\S+: parent directory \/proc is not writable/],
  ['shrink --out at a directory', ['shrink', 'repro.json', '--out', 'adir'], /^realmrace: error: --out adir: is a directory, not a file$/],
  ['shrink --out unwritable', ['shrink', 'repro.json', '--out', `${UNWRITABLE}.json`], /^realmrace: error: --out \/proc\/\S+: parent directory \/proc is not writable/],
];

describe('output paths are checked before any work', () => {
  for (const [what, args, msg] of CASES) {
    it(`${what}: one stderr line naming the flag and path, exit 1, no work done`, async () => {
      const r = await realmrace(...args);
      expect(r.code).toBe(1);
      expect(r.err.trim()).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).not.toMatch(/internal error|\n\s+at /);
      expect(r.out).not.toMatch(/│|PASS|FAIL|SUCCESS|FAILURE|wrote|shrunk/); // nothing ran
    });
  }

  it('a missing --out that can be created is created up front', async () => {
    const r = await realmrace('sweep', '--vcpus', '1', '--policy', 'mainline', '--schedules', '1', '--ops', '5', '--out', 'new/deep/sweep', '--json');
    expect(r.code).toBe(0);
    expect(existsSync(join(CWD, 'new/deep/sweep/sweep.csv'))).toBe(true);
  });

  it('a campaign whose policy does not load, or a merge of a non-campaign directory, leaves no --out behind', async () => {
    writeFileSync(join(CWD, 'broken.json'), JSON.stringify({ name: 'x', seed: '0x1', budget: '1m', entries: [{ policy: fixture('policy_v01_shape.js'), vcpus: [2], seeds: 2 }] }));
    const n = await realmrace('nightly', '--config', 'broken.json', '--out', 'never/nightly');
    expect(n.code).toBe(1);
    expect(n.err).toMatch(/^realmrace: error: campaign config broken.json: entries.0.policy: /m);
    const m = await realmrace('merge', 'adir', '--out', 'never/merged');
    expect(m.code).toBe(1);
    expect(m.err).toMatch(/^realmrace: error: adir is not a campaign results directory/m);
    expect(existsSync(join(CWD, 'never'))).toBe(false);
  });

  it('a read-only directory is refused (as root the probe write still works, so only checked when not root)', () => {
    const d = join(CWD, 'ro');
    mkdirSync(d);
    chmodSync(d, 0o555);
    const root = process.getuid?.() === 0;
    if (root) expect(() => checkOutputDir('--out', d, true)).not.toThrow();
    else expect(() => checkOutputDir('--out', d, true)).toThrow(/^--out \S+ro: directory is not writable \(EACCES\)$/);
    chmodSync(d, 0o755);
  });

  it('checkOutputFile creates a missing parent and accepts an existing file; checkOutputDir leaves a reproducer dir uncreated', () => {
    checkOutputFile('--html', join(CWD, 'p/q/t.html'));
    expect(statSync(join(CWD, 'p/q')).isDirectory()).toBe(true);
    checkOutputFile('--html', join(CWD, 'afile'));
    checkOutputDir('--repro-dir', join(CWD, 'later/repro'), false);
    expect(existsSync(join(CWD, 'later'))).toBe(false);
  });
});
