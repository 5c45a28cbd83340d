// piscina worker entry: one actor of a turn-passing (cross-thread controlled) run.

import { loadPolicy } from '../src/kernel/policy_loader.js';
import { runTurnActor, TurnActorTask, TurnActorResult } from '../src/run/turn_actor.js';
import type { Policy } from '../src/kernel/policy.js';

const policies = new Map<string, Promise<Policy>>();

export default async function turnActor(task: TurnActorTask): Promise<TurnActorResult> {
  let p = policies.get(task.policy);
  if (!p) policies.set(task.policy, (p = loadPolicy(task.policy)));
  return runTurnActor(task, await p);
}
