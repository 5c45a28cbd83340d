import type { Scheduler, SchedulerSpec } from './scheduler.js';
import { RandomWalk } from './random_walk.js';
import { Pct } from './pct.js';
import { RoundRobin } from './round_robin.js';

/** The seeded strategy of a spec, for one seed (`estimatedSteps` sizes PCT's change points). */
export function makeScheduler(spec: SchedulerSpec, seed: string, actors: number, estimatedSteps: number): Scheduler {
  switch (spec.name) {
    case 'random': return new RandomWalk(seed);
    case 'pct': return new Pct(seed, actors, spec.depth, estimatedSteps);
    case 'rr': return new RoundRobin(spec.quantum);
  }
}

export * from './scheduler.js';
export { ActorSet } from './runnable.js';
export { Replay } from './replay.js';
export { LenientReplay } from './lenient_replay.js';
export { Recorder, type RecordedSchedule } from './recorder.js';
export { StopAt } from './stop_at.js';
export { DeterminismCheck } from './determinism_check.js';
export { Dfs } from './dfs.js';
