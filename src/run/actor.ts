// What every worker-thread actor is given, and the one place that says which
// generator an actor runs: a vCPU its program, the host agent host_main().

import type { RealmConfig } from '../model/config.js';
import type { Cpu, KGen } from '../model/cpu.js';
import type { Policy } from '../kernel/policy.js';
import { vcpu_main, WorkloadConfig, ProgramSpec } from '../workload/program.js';
import { host_main } from '../host/host_agent.js';

export interface ActorTask {
  sab: SharedArrayBuffer;
  realm: RealmConfig;
  mix: WorkloadConfig['mix'];
  /** The vCPU's program (null for the host agent). */
  program: ProgramSpec | null;
  /** Built-in policy name or module path, loaded by the worker. */
  policy: string;
  seed: string;
  actor: number;
}

export const actorMain = (cpu: Cpu, policy: Policy, mix: WorkloadConfig['mix'], program: ProgramSpec | null): KGen =>
  program && !cpu.isHost ? vcpu_main(cpu, policy, mix, program) : host_main(cpu);
