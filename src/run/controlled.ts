// Controlled mode: one thread runs every actor's generator, and a seeded
// scheduler picks which actor takes the next step. Same seed + config => same
// trace hash, bit for bit.

import { Realm, H } from '../model/realm.js';
import { Cpu, BLOCKED } from '../model/cpu.js';
import { Trace } from '../check/trace.js';
import { Counts, countsOf } from '../check/counters.js';
import { Finding, KernelDeath } from '../check/finding.js';
import type { Policy } from '../kernel/policy.js';
import { arm64_rsi_setup_memory } from '../kernel/rsi.js';
import { vcpu_main } from '../workload/program.js';
import { host_main } from '../host/host_agent.js';
import { makeScheduler } from '../sched/index.js';
import type { RunConfig } from './config.js';
import { PolicyError } from './errors.js';

export interface ScheduleResult {
  seed: string;
  steps: number;
  traceHash: string;
  finding: Finding | null;
  /** Every actor ran to the end (false: a finding or the step bound stopped it). */
  completed: boolean;
  counts: Counts;
  /** The actor picked at each step, when recorded. */
  schedule?: number[];
}

export interface RunOptions {
  recordSchedule?: boolean;
  /** Keep every event (for trace views); slower. */
  log?: boolean;
}

/** Boot the realm: arm64_rsi_setup_memory() on the boot CPU, run to completion outside the schedule. */
export function boot(realm: Realm, cpu0: Cpu): void {
  realm.reset();
  const g = arm64_rsi_setup_memory(cpu0);
  while (!g.next().done);
}

export class ControlledRunner {
  readonly realm: Realm;
  private readonly runnable: Int32Array;

  constructor(readonly cfg: RunConfig, readonly policy: Policy) {
    this.realm = new Realm(cfg.realm);
    this.runnable = new Int32Array(cfg.realm.vcpus + 1);
  }

  /** One schedule from one seed, on a freshly booted realm. */
  runOne(seed: string, opts: RunOptions = {}): ScheduleResult {
    const { cfg, realm, policy } = this;
    const nv = cfg.realm.vcpus;
    const n = nv + 1; // the host agent is the last actor
    const trace = new Trace(n);
    if (opts.log) trace.log = [];
    const cpus: Cpu[] = [];
    for (let v = 0; v < nv; v++) cpus.push(new Cpu(v, realm, trace, seed));
    const host = new Cpu(nv, realm, trace, seed, true);
    cpus.push(host);
    const schedule: number[] | undefined = opts.recordSchedule ? [] : undefined;
    let finding: Finding | null = null;
    let steps = 0;
    let completed = false;
    try {
      boot(realm, cpus[0]);
      const gens = cpus.map((c, i) => (i < nv ? vcpu_main(c, policy, cfg.workload) : host_main(c)));
      const sched = makeScheduler(cfg.scheduler, seed, n, cfg.workload.ops * nv * 8);
      const done = new Uint8Array(n);
      // An actor that yielded BLOCKED is not picked again until some other actor made progress.
      const blocked = new Uint8Array(n);
      const runnable = this.runnable;
      const i32 = realm.i32;
      let alive = n;
      let nBlocked = 0;
      let k = 0;
      let dirty = true;
      let wakeSeen = Atomics.load(i32, H.WAKE);
      while (alive > 0 && steps < cfg.maxSteps) {
        if (nBlocked > 0 && Atomics.load(i32, H.WAKE) !== wakeSeen) {
          // Whatever they wait for changed: blocked actors re-check.
          wakeSeen = Atomics.load(i32, H.WAKE);
          blocked.fill(0);
          nBlocked = 0;
          dirty = true;
        }
        if (dirty) {
          k = 0;
          for (let a = 0; a < n; a++) if (!done[a] && !blocked[a]) runnable[k++] = a;
          if (k === 0) {
            // Everyone alive is blocked: let them all re-check (the watchdog ends a real deadlock).
            for (let a = 0; a < n; a++) if (!done[a]) { runnable[k++] = a; blocked[a] = 0; }
            nBlocked = 0;
          }
          dirty = false;
        }
        const a = k === 1 ? runnable[0] : sched.pick(runnable, k, steps);
        trace.step = steps;
        if (schedule) schedule.push(a);
        const r = gens[a].next();
        steps++;
        if (r.done) {
          done[a] = 1;
          alive--;
          dirty = true;
        } else if (r.value === BLOCKED) {
          if (nBlocked === 0) wakeSeen = Atomics.load(i32, H.WAKE);
          blocked[a] = 1;
          nBlocked++;
          dirty = true;
        }
      }
      completed = alive === 0;
    } catch (e) {
      if (!(e instanceof KernelDeath)) {
        throw new PolicyError(`policy ${policy.name} threw at step ${steps} (seed ${seed}): ${(e as Error)?.message ?? String(e)}`);
      }
      finding = e.finding;
    }
    const counts = countsOf(cpus.map((c) => c.counters));
    counts.steps = steps;
    return { seed, steps, traceHash: trace.hash(), finding, completed, counts, schedule };
  }
}
