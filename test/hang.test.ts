// Issue 9 item 3 (no hang, ever) and item 6 (interrupts keep the work): hostile
// policies end as hang findings in every mode and the run goes on; Ctrl-C
// during `run` prints what finished, writes its reproducers, exits 130.

import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, flat, realmraceIn, verdictOf } from './cli_helpers.js';

const fixture = (f: string): string => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));
const tmp = (): string => mkdtempSync(join(tmpdir(), 'realmrace-hang-'));
const MODES = ['controlled', 'free', 'record'] as const;

describe('a policy that yields forever without progress is a hang (soft-lockup watchdog in steps)', () => {
  for (const mode of MODES) {
    it(`${mode} mode`, async () => {
      const d = tmp();
      const r = await realmraceIn(d, 'run', '--mode', mode, '--policy', `${fixture('policy_endless_yield.js')},mainline`, '--schedules', '2', '--op-watchdog-steps', '3000', '--repro-dir', d);
      const all = flat(r.out + r.err); // long lines wrap at 100 columns
      expect(r.code).toBe(2);
      expect(all).toMatch(/hang in \w+ > set_memory_decrypted: soft lockup: the operation never finishes/);
      expect(all).toMatch(/still running after 3000 steps of vCPU \d, in policy function set_memory_decrypted/);
      expect(all).toMatch(/│ mainline +│/); // the run went on with the next policy
    }, 120_000);
  }
});

describe('a policy that loops without yielding is a hang (its thread is stopped)', () => {
  for (const mode of MODES) {
    it(`${mode} mode`, async () => {
      const d = tmp();
      const r = await realmraceIn(d, 'run', '--mode', mode, '--policy', `${fixture('policy_busy_loop.js')},mainline`, '--schedules', '2', '--lockup-seconds', '1', '--repro-dir', d);
      const all = flat(r.out + r.err); // long lines wrap at 100 columns
      expect(r.code).toBe(2);
      expect(all).toMatch(/hang x2/); // both schedules, each in a fresh thread
      expect(all).toMatch(/soft lockup: a step never returned/);
      expect(all).toMatch(/stuck in one step for 1 s: workload op \w+ \(#\d+\), policy function set_memory_decrypted, seed 0x[0-9a-f]+, step \d+/);
      expect(all).toMatch(/│ mainline +│/);
    }, 120_000);
  }
});

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
