// Reproducer files are named per finding instance and never overwritten (issue
// 9 item 5): two runs that hit one signature under other configs or seeds keep
// both files; the same run again reuses its file; a name taken by other content
// is never replaced. The CLI runs in a temp cwd: the default ./realmrace-repro
// lands there, not in the repository.

import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realmraceIn } from './cli_helpers.js';
import { saveReproducer } from '../src/repro/files.js';
import { readReproducer } from '../src/repro/reproducer.js';

const CWD = mkdtempSync(join(tmpdir(), 'realmrace-names-'));
const realmrace = (...args: string[]) => realmraceIn(CWD, ...args);
const fileOf = (out: string): string => /replay: npx realmrace replay (\S+\.json)/.exec(out)![1];
const run = (...extra: string[]) => realmrace('run', '--policy', 'vmalloc-naive', '--schedules', '40', '--stop-on-first', ...extra);

describe('reproducer file names', () => {
  it('two runs with other seeds: both printed files exist, with distinct names, the first unchanged', async () => {
    const a = fileOf((await run('--seed', '0x1')).out);
    const first = readFileSync(join(CWD, a), 'utf8');
    const b = fileOf((await run('--seed', '0x2')).out);
    expect(a).toMatch(/^realmrace-repro\/vmalloc-naive-SEA-[0-9a-f]{8}-[0-9a-f]{8}\.json$/);
    expect(b).not.toBe(a);
    expect(readFileSync(join(CWD, a), 'utf8')).toBe(first);
    expect(readReproducer(join(CWD, b)).seed).not.toBe(readReproducer(join(CWD, a)).seed);
  });

  it('the same run again reuses its file (same content)', async () => {
    const a = fileOf((await run('--seed', '0x3', '--repro-dir', 'same')).out);
    const b = fileOf((await run('--seed', '0x3', '--repro-dir', 'same')).out);
    expect(b).toBe(a);
    expect(readdirSync(join(CWD, 'same'))).toHaveLength(1);
  });

  it('a name taken by other content is never replaced: the next free name is used', async () => {
    const a = fileOf((await run('--seed', '0x4', '--repro-dir', 'taken')).out);
    const r = readReproducer(join(CWD, a));
    writeFileSync(join(CWD, a), '{"edited": "by hand"}\n');
    const p = saveReproducer(join(CWD, 'taken'), 'vmalloc-naive', r);
    expect(p).toBe(join(CWD, a.replace(/\.json$/, '-2.json')));
    expect(readFileSync(join(CWD, a), 'utf8')).toBe('{"edited": "by hand"}\n');
    expect(saveReproducer(join(CWD, 'taken'), 'vmalloc-naive', r)).toBe(p); // and -2 is reused, not -3
  });

  it('the default --repro-dir is relative to the cwd', async () => {
    const a = fileOf((await run('--seed', '0x5')).out);
    expect(existsSync(join(CWD, a))).toBe(true);
    expect(a.startsWith('realmrace-repro/')).toBe(true);
  });
});
