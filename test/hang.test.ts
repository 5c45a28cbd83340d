// Issue 9 item 6 (interrupts keep the work): Ctrl-C during `run` prints what
// finished, writes its reproducers, exits 130. Item 3 (no hang, ever: hostile
// policies end as hang findings in every mode and the run goes on with the next
// policy) is pinned by the policy rows of test/hostile_cases.ts.

import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, verdictOf } from './cli_helpers.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'realmrace-hang-'));

/** The CLI as a process; SIGINT once its first line is out. */
function interrupted(cwd: string, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd });
    let out = '', err = '', sent = false;
    p.stdout.on('data', (b) => {
      out += b;
      if (!sent && out.includes('\n')) { sent = true; p.kill('SIGINT'); }
    });
    p.stderr.on('data', (b) => void (err += b));
    const guard = setTimeout(() => p.kill('SIGKILL'), 110_000);
    p.on('close', (code) => { clearTimeout(guard); res({ code, out, err }); });
  });
}

describe('Ctrl-C during run keeps the work', () => {
  for (const mode of ['controlled', 'free'] as const) {
    it(`${mode} mode: the table of what finished, its reproducers, an interrupted verdict, exit 130`, async () => {
      const d = tmp();
      const r = await interrupted(d, 'run', '--mode', mode, '--policy', 'v2-no-bbm,mainline', '--seconds', '60', '--repro-dir', join(d, 'repro'));
      expect(r.code).toBe(130);
      expect(r.err).toMatch(/SIGINT: stopping after the current schedule/);
      expect(r.out).toMatch(/│ v2-no-bbm +│/);
      expect(verdictOf(r.out)).toMatch(/^realmrace: INTERRUPTED by SIGINT - .*not run: mainline$/);
      if (/v2-no-bbm.*SEA x/.test(r.out)) expect(readdirSync(join(d, 'repro')).some((f) => f.startsWith('v2-no-bbm-SEA'))).toBe(true);
    }, 120_000);
  }
});
