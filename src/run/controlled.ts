// Controlled mode: one thread runs every actor's generator, and a seeded
// scheduler (or a recorded schedule) picks which actor takes the next step.
// Same seed + config => same trace hash, bit for bit.

import { Realm } from '../model/realm.js';
import { Cpu } from '../model/cpu.js';
import { Trace } from '../check/trace.js';
import { Counts, countsOf } from '../check/counters.js';
import { Finding, KernelDeath } from '../check/finding.js';
import type { Policy } from '../kernel/policy.js';
import { arm64_rsi_setup_memory } from '../kernel/rsi.js';
import { ProgramSpec, defaultProgram } from '../workload/program.js';
import { actorMain } from './actor.js';
import { makeScheduler } from '../sched/index.js';
import type { RunConfig } from './config.js';
import { PolicyError } from './errors.js';
import { drive, DONE, newDriveState, Script, StepExecutor } from './drive.js';

export interface RecordedSchedule {
  /** Actor picked at each step (vCPUs 0..n-1, the host agent is n). */
  actors: number[];
  /** Program operation that actor was in at that step (-1 outside any). */
  ops: number[];
  /** 16 bits of the trace hash after each step. */
  checks: number[];
}

export interface ScheduleResult {
  seed: string;
  steps: number;
  traceHash: string;
  finding: Finding | null;
  /** Every actor ran to the end (false: a finding or the step bound stopped it). */
  completed: boolean;
  counts: Counts;
  programs: ProgramSpec[];
  schedule?: RecordedSchedule;
  /** Replay only: first step where the run could not follow its recorded schedule (-1: none). */
  divergedAt: number;
  divergence: string;
  /** Every event, when asked for (trace views): [step, actor, ev, a, b] flattened. */
  log?: number[];
  /** Modelled nanoseconds charged to each vCPU. */
  vcpuNs: number[];
  /** Measured wall-clock ns of each set_memory_* call (measure runs only). */
  flipWall?: number[];
}

export interface RunOptions {
  /** Per-vCPU programs; default: derived from the seed, cfg.workload.ops operations each. */
  programs?: ProgramSpec[];
  /** Follow this schedule (replay, shrinking) instead of picking freely. */
  script?: Script;
  /** Keep the schedule (actors, operations, trace checks) of every step. */
  record?: boolean;
  /** Keep every event (for trace views). */
  log?: boolean;
  /** Time each step with a wall clock (cost sweeps): fills flipWall and the wall_* counters. */
  measure?: boolean;
}

/** The wall clock measurement runs attach to CPUs, in ns. Never used by the model itself. */
export const wallClockNs = (): number => performance.now() * 1e6;

/** Boot the realm: arm64_rsi_setup_memory() on the boot CPU, with its own random stream, outside the schedule. */
export function boot(realm: Realm, trace: Trace, seed: string): void {
  realm.reset();
  trace.step = -1; // boot events come before step 0 of the schedule
  const g = arm64_rsi_setup_memory(new Cpu(0, realm, trace, `${seed}/boot`));
  while (!g.next().done);
}

export const programsFor = (cfg: RunConfig, seed: string): ProgramSpec[] =>
  Array.from({ length: cfg.realm.vcpus }, (_, v) => defaultProgram(seed, v, cfg.workload.ops));

export class ControlledRunner {
  readonly realm: Realm;

  constructor(readonly cfg: RunConfig, readonly policy: Policy) {
    this.realm = new Realm(cfg.realm);
  }

  /** One schedule from one seed, on a freshly booted realm. */
  runOne(seed: string, opts: RunOptions = {}): ScheduleResult {
    const { cfg, realm, policy } = this;
    const nv = cfg.realm.vcpus;
    const n = nv + 1; // the host agent is the last actor
    const programs = opts.programs ?? programsFor(cfg, seed);
    if (programs.length !== nv) throw new PolicyError(`expected ${nv} programs, got ${programs.length}`);
    const trace = new Trace(n);
    if (opts.log) trace.log = [];
    const cpus: Cpu[] = [];
    for (let v = 0; v < nv; v++) cpus.push(new Cpu(v, realm, trace, seed));
    cpus.push(new Cpu(nv, realm, trace, seed, true));
    if (opts.measure) for (const c of cpus) c.clock = wallClockNs;
    let finding: Finding | null = null;
    const res = newDriveState(opts.record === true);
    let step = 0;
    try {
      boot(realm, trace, seed);
      const gens = cpus.map((c, i) => actorMain(c, policy, cfg.workload.mix, programs[i] ?? null));
      const exec: StepExecutor = {
        step(a: number, s: number): number {
          trace.step = step = s;
          const r = cpus[a].stepTimed(gens[a]);
          return r.done ? DONE : r.value;
        },
        opIndex: (a) => cpus[a].opIndex,
        check: () => trace.h1 & 0xffff,
      };
      const sched = makeScheduler(cfg.scheduler, seed, n, cfg.workload.ops * nv * 8);
      drive(n, realm.i32, sched, exec, cfg.maxSteps, res, opts.script);
    } catch (e) {
      if (!(e instanceof KernelDeath)) {
        throw new PolicyError(`policy ${policy.name} threw at step ${step} (seed ${seed}): ${(e as Error)?.message ?? String(e)}`);
      }
      finding = e.finding;
      // The fatal step ran but never returned: complete its record.
      if (res.rec && res.rec.ops.length < res.rec.actors.length) {
        res.rec.ops.push(cpus[res.rec.actors[res.rec.actors.length - 1]].opIndex);
        res.rec.checks.push(trace.h1 & 0xffff);
      }
    }
    const counts = countsOf(cpus.map((c) => c.counters));
    counts.steps = res.steps;
    return {
      seed, steps: res.steps, traceHash: trace.hash(), finding, completed: res.completed && !finding, counts, programs,
      schedule: res.rec ?? undefined,
      divergedAt: res.divergedAt, divergence: res.divergence, log: trace.log ?? undefined,
      vcpuNs: cpus.slice(0, nv).map((c) => c.ns),
      flipWall: opts.measure ? cpus.flatMap((c) => c.flipWall) : undefined,
    };
  }
}
