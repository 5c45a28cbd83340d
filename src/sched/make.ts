// The seeded strategy a spec names. Apart from index.ts (which also exports
// every wrapper and the explorer) so that an execution loads only these three.

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

