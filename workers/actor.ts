// piscina worker entry: one free-mode actor (vCPU or host agent) per task.

import { loadPolicy } from '../src/kernel/policy_loader.js';
import { runFreeActor, FreeActorTask, FreeActorResult } from '../src/run/free_actor.js';
import type { Policy } from '../src/kernel/policy.js';

const policies = new Map<string, Promise<Policy>>();

export default async function actor(task: FreeActorTask): Promise<FreeActorResult> {
  let p = policies.get(task.policy);
  if (!p) policies.set(task.policy, (p = loadPolicy(task.policy)));
  return runFreeActor(task, await p);
}
