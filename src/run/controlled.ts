// Controlled mode in this thread: one thread runs every actor's generator and
// the execution's scheduler picks which actor takes the next step. Same seed +
// config => same trace hash, bit for bit.

import { Realm } from '../model/realm.js';
import { Cpu, KGen } from '../model/cpu.js';
import { Trace } from '../check/trace.js';
import { Death, deathOf, KernelDeath } from '../check/finding.js';
import type { Policy } from '../kernel/policy.js';
import { actorMain } from './actor.js';
import type { RunConfig } from './config.js';
import { PolicyError, policyErrorText } from './errors.js';
import { boot, programsFor, wallClockNs } from './boot.js';
import { ActorReport, DIED, DONE, Execution, ExecutionResult, Executor, resultOf, Stop } from './execution.js';
import { chainFor, RunOptions } from './run_options.js';
import { LockupBeat } from './lockup.js';
import { CpuObservers, observe } from './observers.js';
import type { WallClockObserver } from './wall_clock.js';

export type { RunOptions } from './run_options.js';
export type { RecordedSchedule } from '../sched/recorder.js';
/** The result of a controlled schedule: the one ExecutionResult (name kept for callers). */
export type ScheduleResult = ExecutionResult;

/** Every actor's generator in this thread; a death becomes DIED with the op and step it happened in. */
class InThreadExecutor implements Executor {
  readonly actors: number;
  readonly header: Int32Array;
  /** Only this thread steps the realm (the host agent too). */
  readonly sharedHeader = false;
  death: Death | null = null;

  constructor(private readonly cpus: Cpu[], private readonly gens: KGen[], private readonly trace: Trace, private readonly policy: string, private readonly seed: string, private readonly beats: LockupBeat[] | null, private readonly walls: (WallClockObserver | null)[] | null) {
    this.actors = cpus.length;
    this.header = cpus[0].i32;
  }

  step(a: number, step: number): number {
    this.trace.step = step;
    if (this.beats === null) return this.stepOnce(a, step);
    this.beats[a].enter(step);
    try {
      return this.stepOnce(a, step);
    } finally {
      this.beats[a].leave();
    }
  }

  private stepOnce(a: number, step: number): number {
    try {
      const w = this.walls === null ? null : this.walls[a];
      const r = w === null ? this.cpus[a].step(this.gens[a]) : w.step(this.cpus[a], this.gens[a]);
      return r.done ? DONE : r.value;
    } catch (e) {
      if (!(e instanceof KernelDeath)) throw new PolicyError(policyErrorText(this.policy, step, this.seed, e));
      this.death = deathOf(e, this.cpus[a].op, step);
      return DIED;
    }
  }

  opIndex(a: number): number {
    return this.cpus[a].opIndex;
  }

  check(): number {
    return this.trace.h1 & 0xffff;
  }
}

export class ControlledRunner {
  readonly realm: Realm;

  constructor(readonly cfg: RunConfig, readonly policy: Policy) {
    this.realm = new Realm(cfg.realm);
  }

  /** One schedule from one seed, on a freshly booted realm. */
  runOne(seed: string, opts: RunOptions = {}): ExecutionResult {
    const { cfg, realm, policy } = this;
    const nv = cfg.realm.vcpus;
    const programs = opts.programs ?? programsFor(cfg, seed);
    if (programs.length !== nv) throw new PolicyError(`expected ${nv} programs, got ${programs.length}`);
    const trace = new Trace(nv + 1);
    if (opts.log) trace.log = [];
    const { sched, recorder } = chainFor(cfg, seed, opts);
    const execution = new Execution(seed, sched, cfg.maxSteps);
    const cpus: Cpu[] = [];
    const obs: CpuObservers[] = [];
    for (let v = 0; v <= nv; v++) {
      const c = new Cpu(v, realm, trace, seed, v === nv); // the host agent is the last actor
      c.chooser = sched;
      obs.push(observe(c, opts.measure ? wallClockNs : null));
      cpus.push(c);
    }
    const t0 = performance.now();
    let end: { steps: number; stop: Stop } = { steps: 0, stop: 'finding' };
    let death: Death | null = null;
    try {
      boot(realm, trace, seed, sched);
    } catch (e) {
      if (!(e instanceof KernelDeath)) throw e;
      death = deathOf(e, 'boot', trace.step);
    }
    if (!death) {
      const beats = opts.lockup ? cpus.map((c) => new LockupBeat(opts.lockup!, c.id)) : null;
      beats?.forEach((b, i) => b.attach(cpus[i]));
      const ex = new InThreadExecutor(cpus, cpus.map((c, i) => actorMain(c, policy, cfg.workload.mix, programs[i] ?? null)), trace, policy.name, seed, beats, opts.measure ? obs.map((o) => o.wall) : null);
      end = execution.run(ex);
      death = ex.death;
    }
    const reports: ActorReport[] = cpus.map((_c, i) => ({
      counters: obs[i].counters, ns: obs[i].cost.ns, flipWall: obs[i].wall?.flipWall ?? [],
      lastEvents: death ? trace.lastEvents(i) : [],
      death: death && death.actor === i ? death : null,
    }));
    return resultOf(seed, programs, reports, {
      ...end, traceHash: trace.hash(), wallMs: performance.now() - t0,
      schedule: recorder?.schedule, log: trace.log ?? undefined, measure: opts.measure,
    });
  }
}
