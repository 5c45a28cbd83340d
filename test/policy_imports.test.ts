// A user policy may import its primitives from the package (dist/src/ here,
// 'realmrace' for an installed copy) instead of taking the API its factory
// receives. Worker threads run a bundle of the kernel (dist/workers/bundle/,
// src/build/bundle_workers.ts), so in a worker such a policy's primitives are a
// second copy of the kernel beside the worker's own, and what crosses between
// the two must still be recognised: the Done a primitive returns
// (src/model/actor_stack.ts: `instanceof Done`), the KernelDeath a finding
// throws (`instanceof KernelDeath` in the runners). Each worker entry runs the
// fixtures and must give what the main thread gives. Workers load JavaScript,
// so the runners come from dist/ too.

import { describe, it, expect, afterAll } from 'vitest';
import { Piscina } from 'piscina';
// @ts-ignore -- compiled modules (workers need JavaScript)
import { ControlledRunner } from '../dist/src/run/controlled.js';
// @ts-ignore
import { runConfig } from '../dist/src/run/config.js';
// @ts-ignore
import { loadPolicy } from '../dist/src/kernel/policy_loader.js';
// @ts-ignore
import { scheduleSeed } from '../dist/src/run/seeds.js';
// @ts-ignore
import { runPolicyControlled, runPolicyFree } from '../dist/src/run/run_policy.js';
// @ts-ignore -- the compiled pool (workers need JavaScript)
import { ActorPool } from '../dist/src/run/free.js';
// @ts-ignore
import { ReproducerSink } from '../dist/src/repro/sink.js';
// @ts-ignore
import { replayReproducerStoppable } from '../dist/src/repro/stoppable_replay.js';
// @ts-ignore
import { shrinkStoppable } from '../dist/src/shrink/stoppable_shrink.js';
import type { Policy } from '../src/kernel/policy.js';
import type { Reproducer } from '../src/repro/reproducer.js';
import type { ExecutionResult } from '../src/run/execution.js';
import type { PolicyOutcome } from '../src/run/outcome.js';
import { join } from 'node:path';

const fixture = (f: string): string => join(import.meta.dirname, 'fixtures', f);
/** vmalloc-naive with imported primitives: Done objects of the policy's copy; its SEA is raised by the workload. */
const VMALLOC = fixture('policy_imports_package.js');
/** v2-no-bbm with imported primitives: its bbm-violation is raised inside the policy's copy. */
const BBM = fixture('policy_imports_package_bbm.js');
const cfg = runConfig({ workload: { ops: 100 } });
// The free and record runs below share one set of actor threads (4 vCPUs and the host agent), as `realmrace run` does across policies.
const actors = new ActorPool(cfg.realm.vcpus + 1);
afterAll(() => actors.close());
const SCHEDULE = new URL('../dist/workers/schedule.cjs', import.meta.url).href;

/** The first failure of a user policy under controlled schedules, in this thread, as a reproducer. */
function firstFailure(spec: string, policy: Policy): Reproducer {
  const repros = new ReproducerSink();
  const o: PolicyOutcome = runPolicyControlled(policy, cfg, '0x9', { schedules: 200, stopOnFirst: true }, spec, repros.sink);
  expect(o.buckets.map((b) => b.kind)).toEqual(policy.expect);
  return repros.get(policy.name, o.buckets[0].signature)!;
}

describe('a user policy that imports its primitives from the package, in worker threads', () => {
  it('two copies of the kernel in one thread share Done and KernelDeath (src/ and dist/ are two copies here)', async () => {
    const [a, b] = [await import('../src/model/actor_stack.js'), await import('../dist/src/model/actor_stack.js' as string)];
    const [c, d] = [await import('../src/check/finding.js'), await import('../dist/src/check/finding.js' as string)];
    expect(a).not.toBe(b); // else this proves nothing
    expect(b.noStep(1)).toBeInstanceOf(a.Done);
    expect(new a.ActorStack(b.stepDone(7)).next()).toEqual({ value: 0, done: false });
    expect(new d.KernelDeath('panic', 'f', 'c', 'd', 0)).toBeInstanceOf(c.KernelDeath);
  });

  it('the fixtures are the built-in designs: same trace hashes in this thread', async () => {
    for (const [spec, builtin] of [[VMALLOC, 'vmalloc-naive'], [BBM, 'v2-no-bbm']]) {
      const mine = new ControlledRunner(cfg, await loadPolicy(spec));
      const theirs = new ControlledRunner(cfg, await loadPolicy(builtin));
      for (const i of [0, 1, 2]) expect(mine.runOne(scheduleSeed('0x77', i)).traceHash).toBe(theirs.runOne(scheduleSeed('0x77', i)).traceHash);
    }
  });

  it('controlled schedules in the schedule worker (campaigns): same trace hash and finding as in this thread', async () => {
    const pool = new Piscina({ filename: SCHEDULE, minThreads: 1, maxThreads: 1 });
    try {
      for (const spec of [VMALLOC, BBM]) {
        const policy: Policy = await loadPolicy(spec);
        const here = new ControlledRunner(cfg, policy);
        const kinds: string[] = [];
        for (const i of [0, 1, 2, 3]) {
          const seed = scheduleSeed('0x77', i);
          const mine: ExecutionResult = here.runOne(seed);
          const there = await pool.run({ cfg, policy: spec, seed });
          expect(there.error, spec).toBeUndefined();
          expect(there.traceHash, spec).toBe(mine.traceHash);
          expect(there.finding?.signature ?? null, spec).toBe(mine.finding?.signature ?? null);
          if (there.finding) kinds.push(there.finding.kind);
        }
        expect(kinds.length, `${spec}: a finding among the seeds, or the check proves nothing`).toBeGreaterThan(0);
        expect(policy.expect).toEqual(expect.arrayContaining(kinds));
      }
    } finally {
      await pool.destroy();
    }
  });

  it('free mode (actor workers) meets the expectation: the bbm-violation raised inside the imported primitives is a finding', async () => {
    const o: PolicyOutcome = await runPolicyFree(await loadPolicy(BBM), BBM, cfg, '0xf4ee', { seconds: 60, stopOnFirst: true }, false, undefined, actors);
    expect(o.verdict).toBe('met');
    expect(o.buckets.map((b) => b.kind)).toEqual(['bbm-violation']);
  });

  it('free mode runs the imported vmalloc-naive to the end or to its SEA, never a policy error', async () => {
    const o: PolicyOutcome = await runPolicyFree(await loadPolicy(VMALLOC), VMALLOC, cfg, '0xf4ee', { schedules: 2 }, false, undefined, actors);
    expect(o.schedules).toBe(2);
    expect(o.buckets.map((b) => b.kind).filter((k) => k !== 'SEA')).toEqual([]);
  });

  it('a record-mode failure replays exactly in the replay worker, across turn-passing actor workers', async () => {
    const policy: Policy = await loadPolicy(BBM);
    const repros = new ReproducerSink();
    const o: PolicyOutcome = await runPolicyFree(policy, BBM, cfg, '0x9', { seconds: 60, stopOnFirst: true }, true, repros.sink, actors);
    expect(o.buckets.map((b) => b.kind)).toEqual(['bbm-violation']);
    const repro: Reproducer = repros.get(policy.name, o.buckets[0].signature)!;
    expect(repro.foundIn).toBe('record');
    const x = await replayReproducerStoppable(repro, {}, 30);
    expect(x.sameSignature).toBe(true);
    expect(x.sameTraceHash).toBe(true);
  });

  it('a controlled failure replays in the replay worker and shrinks in the shrink worker', async () => {
    const repro = firstFailure(VMALLOC, await loadPolicy(VMALLOC));
    const x = await replayReproducerStoppable(repro, {}, 30);
    expect(x.sameSignature).toBe(true);
    expect(x.sameTraceHash).toBe(true);
    const res = await shrinkStoppable(repro, 60, 30);
    expect(res.reproducer.finding.signature).toBe(repro.finding.signature);
    expect(res.after.steps).toBeLessThan(res.before.steps);
  });
});
