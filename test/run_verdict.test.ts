// `realmrace run` claims a verdict only on evidence: schedules cut by
// --max-steps or by the time budget are not complete, too few complete
// schedules give INCONCLUSIVE (exit 4) with the reason. Runs the built CLI in-process.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flat, realmraceIn, verdictOf } from './cli_helpers.js';

const CWD = mkdtempSync(join(tmpdir(), 'realmrace-verdict-'));
const realmrace = (...args: string[]) => realmraceIn(CWD, ...args);
const lastLine = verdictOf;

describe('realmrace run verdicts rest on complete schedules', () => {
  it('every schedule bounded by --max-steps: INCONCLUSIVE, exit 4, with the reason (was PASS)', async () => {
    const r = await realmrace('run', '--policy', 'mainline', '--schedules', '3', '--max-steps', '100');
    expect(r.err).toBe('');
    expect(r.code).toBe(4);
    expect(r.out).toMatch(/│ mainline +│ clean +│ clean +│ +3 │ +0 │ +3 │/); // runs, complete, bounded
    expect(flat(r.out)).toContain('[mainline] INCONCLUSIVE: 0 of 3 schedules complete: all bounded by --max-steps 100; clean needs 20 complete (--min-schedules)');
    expect(lastLine(r.out)).toMatch(/^realmrace: INCONCLUSIVE - 1\/1 policies without enough evidence for a verdict \(mainline: 0 of 3 schedules complete: all bounded by --max-steps 100; clean needs 20 complete \(--min-schedules\)\)/);
  });

  it('a free run cut by the time budget is not complete: INCONCLUSIVE, exit 4 (was PASS on one cut run)', async () => {
    // 100000 operations per vCPU cannot finish in half a second.
    const r = await realmrace('run', '--mode', 'free', '--policy', 'mainline', '--seconds', '0.5', '--ops', '100000');
    expect(r.code).toBe(4);
    expect(lastLine(r.out)).toMatch(/^realmrace: INCONCLUSIVE - 1\/1 policies without enough evidence for a verdict \(mainline: 0 of 1 runs complete: all cut by the time budget; clean needs 20 complete/);
  }, 60_000);

  it('free mode with no budget runs --min-schedules runs, all complete: PASS', async () => {
    const r = await realmrace('run', '--mode', 'free', '--policy', 'mainline', '--vcpus', '2', '--ops', '40', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.result).toBe('PASS');
    expect(j.outcomes[0]).toMatchObject({ schedules: 20, clean: 20, bounded: 0, timed: 0, verdict: 'met', minSchedules: 20 });
  }, 120_000);

  it('a canary not caught in too few complete schedules is INCONCLUSIVE, not MISSED; --json carries the verdict and reason', async () => {
    const r = await realmrace('run', '--policy', 'vmalloc-naive', '--schedules', '1', '--ops', '1', '--json');
    expect(r.code).toBe(4);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ result: 'INCONCLUSIVE', exitCode: 4 });
    expect(j.outcomes[0]).toMatchObject({ verdict: 'inconclusive', needed: null, reason: 'expected SEA was not found, 1 of 1 schedules complete; a miss cannot be called (no measured catch rate for this configuration, and no --min-schedules given)' });
    expect(j.verdict).toMatch(/^realmrace: INCONCLUSIVE - /);
  });

  it('--min-schedules sets the evidence a clean verdict needs', async () => {
    expect((await realmrace('run', '--policy', 'mainline', '--schedules', '5', '--min-schedules', '5')).code).toBe(0);
    const r = await realmrace('run', '--policy', 'mainline', '--schedules', '5', '--min-schedules', '6');
    expect(r.code).toBe(4);
    expect(lastLine(r.out)).toMatch(/mainline: 5 of 5 schedules complete; clean needs 6 complete/);
    expect((await realmrace('run', '--help')).out).toMatch(/--min-schedules <n>[\s\S]*\(default: 20\)/);
  });

  it('the default budget (1 s, and never fewer schedules than a verdict needs) gives a safe policy a clean verdict', async () => {
    const j = JSON.parse((await realmrace('run', '--policy', 'alias-flip', '--json')).out);
    expect(j.result).toBe('PASS');
    expect(j.outcomes[0].clean).toBeGreaterThanOrEqual(20);
  });
});
