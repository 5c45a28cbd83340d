// What every executor does before the schedule starts: boot the realm, lay out
// the programs, and (measure runs) the wall clock attached to CPUs.

import type { Realm } from '../model/realm.js';
import { Cpu, Chooser, SEEDED_CHOICES } from '../model/cpu.js';
import type { Trace } from '../check/trace.js';
import { arm64_rsi_setup_memory } from '../kernel/rsi.js';
import { ProgramSpec, defaultProgram } from '../workload/program.js';
import type { RunConfig } from './config.js';

/** The wall clock measurement runs attach to CPUs, in ns. Never used by the model itself. */
export const wallClockNs = (): number => performance.now() * 1e6;

/**
 * Boot the realm: arm64_rsi_setup_memory() on the boot CPU, with its own random
 * stream, before step 0. Its model choices (the host's answers) go to `chooser`,
 * the execution's scheduler, like every other choice.
 */
export function boot(realm: Realm, trace: Trace, seed: string, chooser: Chooser = SEEDED_CHOICES): void {
  realm.reset();
  trace.step = -1; // boot events come before step 0 of the schedule
  const cpu = new Cpu(0, realm, trace, `${seed}/boot`);
  cpu.chooser = chooser;
  const g = arm64_rsi_setup_memory(cpu);
  while (!g.next().done);
}

export const programsFor = (cfg: RunConfig, seed: string): ProgramSpec[] =>
  Array.from({ length: cfg.realm.vcpus }, (_, v) => defaultProgram(seed, v, cfg.workload.ops));

/** PCT's estimate of a schedule's length, from the workload. */
export const estimatedSteps = (cfg: RunConfig): number => cfg.workload.ops * cfg.realm.vcpus * 8;
