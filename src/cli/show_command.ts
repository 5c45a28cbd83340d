// `realmrace show <file> [--html out.html] [--last N]`: replay a reproducer with
// every event kept and print the interleaving as per-vCPU columns, or write a
// self-contained HTML page with SVG swimlanes.

import { writeFileSync } from 'node:fs';
import { readReproducer } from '../repro/reproducer.js';
import { replay, replayWarnings } from '../repro/replay.js';
import { traceView } from '../report/trace_view.js';
import { renderTraceText } from '../report/trace_text.js';
import { renderTraceHtml } from '../report/trace_html.js';
import { checkOutputFile } from './output_paths.js';
import { isPolicyPath } from '../kernel/policies/index.js';
import { LOCKUP_SECONDS } from '../run/run_policy.js';
import { replayReproducerStoppable } from '../repro/stoppable_replay.js';

export interface ShowFlags {
  html?: string;
  last?: number;
  width: number;
  lockupSeconds?: number;
}

export async function showCommand(file: string, f: ShowFlags): Promise<number> {
  const repro = readReproducer(file);
  if (f.html) checkOutputFile('--html', f.html);
  for (const w of replayWarnings(repro)) process.stderr.write(`realmrace: warning: ${w}\n`);
  // A user policy's code replays where it can be stopped, as under run (a lockup: the trace up to it is lost with its thread).
  const x = isPolicyPath(repro.policy.spec) ? await replayReproducerStoppable(repro, { log: true }, f.lockupSeconds ?? LOCKUP_SECONDS) : await replay(repro, { log: true });
  const r = x.result;
  const title = `${repro.policy.name}: ${repro.finding.signature} (${file})`;
  const view = traceView(title, repro.config.realm.vcpus, r.log ?? [], r.finding, r.steps, r.traceHash);
  if (f.html) {
    writeFileSync(f.html, renderTraceHtml(view));
    process.stdout.write(`wrote ${f.html}: ${r.steps} steps, ${view.events.length} events, ${repro.config.realm.vcpus} vCPUs + host\n`);
  } else {
    process.stdout.write(renderTraceText(view, { last: f.last, width: f.width }) + '\n');
  }
  if (!x.sameSignature || x.divergedAt >= 0) {
    process.stderr.write(`realmrace: warning: the replay did not reproduce the recorded finding${x.divergedAt >= 0 ? ` (diverged at step ${x.divergedAt})` : ''}; this is the trace of what ran\n`);
    return 2;
  }
  return 0;
}
