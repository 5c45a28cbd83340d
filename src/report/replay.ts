// The paste-ready command line that re-runs one schedule.

import type { RunConfig } from '../run/config.js';
import { defaultRealm, defaultHost } from '../model/config.js';
import { defaultWorkload } from '../workload/program.js';
import { defaultScheduler } from '../sched/scheduler.js';

/**
 * The flags that rebuild this config and seed: `realmrace replay <these>`
 * re-runs the schedule under the seeded scheduler (free-mode seeds re-run in
 * controlled mode: the same programs, not the same interleaving).
 */
export function replayCommand(policySpec: string, cfg: RunConfig, seed: string): string {
  const r = cfg.realm;
  const parts = ['realmrace replay', `--seed ${seed}`, `--policy ${policySpec}`, `--vcpus ${r.vcpus}`];
  if (cfg.workload.ops !== defaultWorkload.ops) parts.push(`--ops ${cfg.workload.ops}`);
  if (cfg.scheduler.name !== defaultScheduler.name) parts.push(`--scheduler ${cfg.scheduler.name}`);
  if (cfg.scheduler.name === 'pct') parts.push(`--depth ${cfg.scheduler.depth}`);
  if (cfg.scheduler.name === 'rr' && cfg.scheduler.quantum !== 1) parts.push(`--quantum ${cfg.scheduler.quantum}`);
  if (r.linearMap !== defaultRealm.linearMap) parts.push(`--linear-map ${r.linearMap}`);
  if (r.tlbiRange) parts.push('--tlbi-range');
  if (r.lmPages !== defaultRealm.lmPages) parts.push(`--lm-pages ${r.lmPages}`);
  if (r.vmPages !== defaultRealm.vmPages) parts.push(`--vm-pages ${r.vmPages}`);
  if (r.tlbEntries !== defaultRealm.tlbEntries) parts.push(`--tlb-entries ${r.tlbEntries}`);
  if (r.host.partialRate !== defaultHost.partialRate) parts.push(`--partial-rate ${r.host.partialRate}`);
  if (r.host.rejectRate !== defaultHost.rejectRate) parts.push(`--reject-rate ${r.host.rejectRate}`);
  if (r.host.stall) parts.push('--host-stall');
  if (cfg.maxSteps !== 1_000_000) parts.push(`--max-steps ${cfg.maxSteps}`);
  return parts.join(' ');
}
