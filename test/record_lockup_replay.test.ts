// A record-mode reproducer of a step that never returned replays as that hang.
// The stuck step took its ticket but never stamped it, so the recorded
// schedule used to end one step short: the replay's seeded scheduler then ran
// another actor at that step, and the lockup came later (NOT REPRODUCED about
// two times in three). The stuck step is now the schedule's last.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realmraceIn } from './cli_helpers.js';
import { readReproducer } from '../dist/src/repro/reproducer.js';

const napping = fileURLToPath(new URL('./fixtures/policy_napping_loop.js', import.meta.url));

describe('a record-mode soft lockup', () => {
  it('is recorded with its stuck step last, and replays as the same hang at the same step', async () => {
    const d = mkdtempSync(join(tmpdir(), 'realmrace-record-lockup-'));
    const run = await realmraceIn(d, 'run', '--mode', 'record', '--policy', napping, '--schedules', '1', '--lockup-seconds', '0.5', '--repro-dir', 'r');
    expect(run.code).toBe(2);
    const files = readdirSync(join(d, 'r')).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    const repro = readReproducer(join(d, 'r', files[0]));
    expect(repro.finding.kind).toBe('hang');
    const s = repro.schedule!;
    // The step that never returned is in the schedule, by the actor that was stuck in it.
    expect(s.actors.length).toBe(repro.finding.step + 1);
    expect(s.actors[repro.finding.step]).toBe(repro.finding.actor);
    const replay = await realmraceIn(d, 'replay', join('r', files[0]), '--lockup-seconds', '0.5');
    expect(replay.out).toMatch(/^realmrace: REPRODUCED - same signature, same step \(a soft lockup: no trace hash to compare\)$/m);
    expect(replay.code).toBe(0);
  }, 60_000);
});
