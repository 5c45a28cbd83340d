// The paste-ready command line that re-runs one schedule.

import type { RunConfig } from '../run/config.js';
import { defaultRealm, defaultHost } from '../model/config.js';
import { defaultWorkload } from '../workload/program.js';
import { defaultScheduler } from '../sched/scheduler.js';

export function replayCommand(policySpec: string, cfg: RunConfig, seed: string, mode: 'controlled' | 'free'): string {
  const r = cfg.realm;
  const parts = ['realmrace run', `--policy ${policySpec}`, `--vcpus ${r.vcpus}`, `--mode ${mode}`, `--seed ${seed}`, '--schedules 1'];
  if (cfg.workload.ops !== defaultWorkload.ops) parts.push(`--ops ${cfg.workload.ops}`);
  if (mode === 'controlled') {
    if (cfg.scheduler.name !== defaultScheduler.name) parts.push(`--scheduler ${cfg.scheduler.name}`);
    if (cfg.scheduler.name === 'pct') parts.push(`--depth ${cfg.scheduler.depth}`);
    if (cfg.scheduler.name === 'rr' && cfg.scheduler.quantum !== 1) parts.push(`--quantum ${cfg.scheduler.quantum}`);
  }
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
