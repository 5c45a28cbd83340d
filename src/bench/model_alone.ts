// What a controlled step costs without the harness: the model and kernel
// alone. Each schedule is first run normally and recorded; then its recorded
// picks are replayed by a bare loop that calls the actors' generators in that
// order, with no scheduler, executor, watchdog or observers. The trace hash
// must come out the same (the same work was done), or the figure is refused.
// It bounds what any change to the execution core can gain: the rest of a
// step is the model and the kernel paths themselves.

import { ControlledRunner } from '../run/controlled.js';
import type { RunConfig } from '../run/config.js';
import { boot, programsFor } from '../run/boot.js';
import { actorMain } from '../run/actor.js';
import { Cpu } from '../model/cpu.js';
import { Trace } from '../check/trace.js';
import { KernelDeath } from '../check/finding.js';
import type { Policy } from '../kernel/policy.js';
import { scheduleSeed } from '../run/seeds.js';

interface Recorded { seed: string; picks: number[]; traceHash: string }

/** Record `n` schedules of the policy from `seed` (their picks and trace hashes). */
export function recordSchedules(cfg: RunConfig, policy: Policy, seed: string, n: number): Recorded[] {
  const r = new ControlledRunner(cfg, policy);
  return Array.from({ length: n }, (_, i) => {
    const s = scheduleSeed(seed, i);
    const x = r.runOne(s, { record: true });
    return { seed: s, picks: x.schedule!.actors, traceHash: x.traceHash };
  });
}

/** Replay one recorded schedule with the bare loop; returns its steps. Throws if the trace hash differs. */
export function replayBare(cfg: RunConfig, policy: Policy, runner: ControlledRunner, rec: Recorded): number {
  const nv = cfg.realm.vcpus;
  const trace = new Trace(nv + 1);
  const cpus: Cpu[] = [];
  for (let v = 0; v <= nv; v++) cpus.push(new Cpu(v, runner.realm, trace, rec.seed, v === nv));
  boot(runner.realm, trace, rec.seed); // seeded choices: what the seeded strategy answers
  const programs = programsFor(cfg, rec.seed);
  const gens = cpus.map((c, i) => actorMain(c, policy, cfg.workload.mix, programs[i] ?? null));
  const picks = rec.picks;
  try {
    for (let k = 0; k < picks.length; k++) {
      trace.step = k;
      gens[picks[k]].next();
    }
  } catch (e) {
    if (!(e instanceof KernelDeath)) throw e; // a finding ends the schedule at its last recorded step
  }
  if (trace.hash() !== rec.traceHash) throw new Error(`model-alone replay of ${policy.name} seed ${rec.seed} gave trace ${trace.hash()}, not ${rec.traceHash}: not the same work`);
  return picks.length;
}

/**
 * The model and kernel alone over the given policies, equal time each (as the
 * controlled figure), against the whole harness on the same recorded schedules:
 * steps per second of each by this thread's CPU time, timed alternately in
 * quarters of each policy's time (so that a change of the shared machine's
 * speed hits both alike). The harness's share of a step is 1 - fullCpuRate / cpuRate.
 */
export function modelAloneRate(cfg: RunConfig, policies: readonly Policy[], seed: string, seconds: number, cpuMs: () => number): { cpuRate: number; fullCpuRate: number } {
  let steps = 0, cms = 0, fullSteps = 0, fullCms = 0;
  const quarterMs = (seconds * 1000) / policies.length / 4;
  for (const p of policies) {
    const recs = recordSchedules(cfg, p, seed, 20);
    const runner = new ControlledRunner(cfg, p);
    let i = 0, j = 0;
    for (let quarter = 0; quarter < 4; quarter++) {
      const t0 = performance.now(), c0 = cpuMs();
      if (quarter % 2 === 0) {
        while (performance.now() - t0 < quarterMs) steps += replayBare(cfg, p, runner, recs[i++ % recs.length]);
        cms += cpuMs() - c0;
      } else {
        while (performance.now() - t0 < quarterMs) fullSteps += runner.runOne(recs[j++ % recs.length].seed).steps;
        fullCms += cpuMs() - c0;
      }
    }
  }
  return { cpuRate: (steps / cms) * 1000, fullCpuRate: (fullSteps / fullCms) * 1000 };
}
