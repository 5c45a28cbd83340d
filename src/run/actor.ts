// What every worker-thread actor is given, and the one place that says which
// generator an actor runs: a vCPU its program, the host agent host_main().

import type { RealmConfig } from '../model/config.js';
import { Realm } from '../model/realm.js';
import { Cpu, KGen } from '../model/cpu.js';
import type { KGen as KernelGen } from '../model/actor_stack.js';
import { Trace } from '../check/trace.js';
import type { Policy } from '../kernel/policy.js';
import { vcpu_main, WorkloadConfig, ProgramSpec } from '../workload/program.js';
import { host_main } from '../host/host_agent.js';
import { CpuObservers, observe } from './observers.js';
import { wallClockNs } from './boot.js';

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
  program && !cpu.isHost ? vcpu_main(cpu, watchedPolicy(policy), mix, program) : host_main(cpu);

/** The policy's functions: a hang report names the one a vCPU was in. */
export const POLICY_FNS = ['set_memory_decrypted', 'set_memory_encrypted', 'alloc_decrypted', 'free_decrypted', 'vmalloc_decrypted', 'vfree_decrypted'] as const;

function* inPolicy<T>(cpu: Cpu, fn: string, g: KernelGen<T>): KernelGen<T> {
  const outer = cpu.policyFn;
  cpu.setPolicyFn(fn);
  try {
    return yield g; // a call on the actor stack (not yield*, which would resume this frame on every step of g)
  } finally {
    cpu.setPolicyFn(outer);
  }
}

const watched = new WeakMap<Policy, Policy>();

/** The policy with each of its ops marking the CPU as inside it (no extra steps: the trace is unchanged). */
function watchedPolicy(policy: Policy): Policy {
  let w = watched.get(policy);
  if (w) return w;
  const ops: Record<string, unknown> = { ...policy.ops };
  for (const fn of POLICY_FNS) {
    const f = (policy.ops as unknown as Record<string, ((ctx: unknown, x: number, y: number) => KernelGen<unknown>) | undefined>)[fn];
    // At run time the context a policy is given is the Cpu itself (kernel/context.ts is a view of it).
    // Every op takes at most two numbers after ctx (no rest array per call).
    if (f) ops[fn] = (ctx: Cpu, x: number, y: number) => inPolicy(ctx, fn, f.call(policy.ops, ctx, x, y));
  }
  watched.set(policy, (w = { ...policy, ops: ops as unknown as Policy['ops'] }));
  return w;
}

/** One actor in a worker thread, on the shared realm: its own trace (hash state carried by the runner), CPU and generator. */
export function workerActor(task: ActorTask, policy: Policy, measure = false): { realm: Realm; trace: Trace; cpu: Cpu; obs: CpuObservers; g: KGen } {
  const realm = new Realm(task.realm, task.sab);
  const trace = new Trace(task.realm.vcpus + 1);
  const cpu = new Cpu(task.actor, realm, trace, task.seed, task.actor === task.realm.vcpus);
  const obs = observe(cpu, measure ? wallClockNs : null);
  return { realm, trace, cpu, obs, g: actorMain(cpu, policy, task.mix, task.program) };
}
