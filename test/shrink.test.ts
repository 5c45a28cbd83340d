// Shrinking: a failing 4-vCPU x 200-op reproducer comes down to a handful of
// steps on at most 3 vCPUs, keeps its signature, and replays exactly.

import { describe, it, expect } from 'vitest';
import { Shrinker } from '../src/shrink/shrink.js';
import { replay } from '../src/repro/replay.js';
import { builtinPolicy } from '../src/kernel/policies/index.js';
import { firstFailure } from './repro_helpers.js';

describe('shrink', () => {
  // Failures whose shrink reaches the target (<= 3 vCPUs, <= 20 steps per vCPU). Not every
  // failure does: see the next test for what the first six failures of each policy reach.
  const cases: [string, string, number][] = [['v2-no-bbm', '0x5', 20], ['v2-no-bbm', '0x6', 20], ['vmalloc-naive', '0x3', 20], ['vmalloc-naive', '0x4', 20]];
  for (const [policy, seed, maxSteps] of cases) {
    it(`${policy} (seed ${seed}): 4 vCPUs x 200 ops shrinks to <= 3 vCPUs and <= ${maxSteps} steps per vCPU, same signature, exact replay`, async () => {
      const repro = firstFailure(policy, seed);
      expect(repro.config.realm.vcpus).toBe(4);
      expect(repro.programs.every((p) => p.ops === 200)).toBe(true);
      const res = new Shrinker(repro, builtinPolicy(policy)!).shrink();
      expect(res.after.vcpus).toBeLessThanOrEqual(3);
      expect(res.after.maxStepsPerVcpu).toBeLessThanOrEqual(maxSteps);
      expect(res.after.steps).toBeLessThanOrEqual(Math.max(30, res.before.steps / 10));
      expect(res.after.switches).toBeLessThan(res.before.switches);
      expect(res.reproducer.finding.signature).toBe(repro.finding.signature);
      expect(res.reproducer.foundIn).toBe('shrink');
      const x = await replay(res.reproducer);
      expect(x.divergedAt).toBe(-1);
      expect(x.sameSignature).toBe(true);
      expect(x.sameTraceHash).toBe(true);
      console.log(`${policy} ${seed}: ${JSON.stringify(res.before)} -> ${JSON.stringify(res.after)} in ${res.tests} runs`);
    }, 60_000);
  }

  it('every one of the first failures from six seeds shrinks to <= 10% of its steps (or <= 30) and keeps its signature', () => {
    const reached: string[] = [];
    for (const policy of ['v2-no-bbm', 'vmalloc-naive']) {
      for (let s = 1; s <= 6; s++) {
        const repro = firstFailure(policy, `0x${s}`);
        const res = new Shrinker(repro, builtinPolicy(policy)!).shrink();
        expect(res.reproducer.finding.signature).toBe(repro.finding.signature);
        expect(res.after.steps).toBeLessThanOrEqual(Math.max(30, res.before.steps / 10));
        expect(res.after.vcpus).toBeLessThanOrEqual(4);
        reached.push(`${policy} 0x${s}: ${res.after.vcpus} vCPUs, <= ${res.after.maxStepsPerVcpu} steps/vCPU`);
      }
    }
    console.log(reached.join('\n'));
  }, 120_000);

  it('refuses a reproducer without a recorded schedule', () => {
    const repro = firstFailure('v2-no-bbm');
    expect(() => new Shrinker({ ...repro, schedule: undefined }, builtinPolicy('v2-no-bbm')!)).toThrow(/needs a reproducer with a recorded schedule/);
  });
});
