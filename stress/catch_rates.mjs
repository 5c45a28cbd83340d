// Re-measure src/check/catch_rates.ts: for each built-in canary and vCPU count,
// schedules (seeds scheduleSeed('0x7a7e', i)) whose finding is the expected kind,
// the lower of the pte and block linear maps. Run after `npm run build`:
//   node stress/catch_rates.mjs [schedules=500] [vcpus=1,2,4,8,16]
// Free mode (MEASURED_FREE_CATCHES: real threads, so the rate is this host's):
//   node stress/catch_rates.mjs --free [runs=40] [vcpus=4] [ops=1000]
import { BUILTIN_POLICIES, BUG_VARIANTS } from '../dist/src/kernel/policies/index.js';
import { ControlledRunner } from '../dist/src/run/controlled.js';
import { FreeRunner } from '../dist/src/run/free.js';
import { runConfig } from '../dist/src/run/config.js';
import { scheduleSeed } from '../dist/src/run/seeds.js';
import { availableParallelism } from 'node:os';

const canaries = [...BUILTIN_POLICIES, ...BUG_VARIANTS].filter((q) => q.expect.length);
if (process.argv[2] === '--free') {
  const n = Number(process.argv[3] ?? 40);
  const vcpus = (process.argv[4] ?? '4').split(',').map(Number);
  const ops = Number(process.argv[5] ?? 1000);
  console.log(`  // ${n} free runs each, ops ${ops}, on ${availableParallelism()} cores, ${new Date().toISOString().slice(0, 10)}`);
  for (const p of canaries) {
    const row = {};
    for (const v of vcpus) {
      const hits = [];
      for (const linearMap of ['pte', 'block']) {
        const r = new FreeRunner(runConfig({ realm: { vcpus: v, linearMap }, workload: { ops } }), p.name);
        let h = 0;
        try {
          for (let i = 0; i < n; i++) if (p.expect.includes((await r.runOne(scheduleSeed('0x7a7e', i), { seconds: 120 })).finding?.kind)) h++;
        } finally {
          await r.close();
        }
        hits.push(h);
      }
      row[v] = [Math.min(...hits), n];
    }
    console.log(`  '${p.name}': ${JSON.stringify(row).replace(/"(\d+)":/g, ' $1: ').replace(/,(?= \d)/g, ',')},`);
  }
  process.exit(0);
}
const n = Number(process.argv[2] ?? 500);
const vcpus = (process.argv[3] ?? '1,2,4,8,16').split(',').map(Number);
for (const p of canaries) {
  const row = {};
  for (const v of vcpus) {
    const hits = ['pte', 'block'].map((linearMap) => {
      const r = new ControlledRunner(runConfig({ realm: { vcpus: v, linearMap } }), p);
      let h = 0;
      for (let i = 0; i < n; i++) if (p.expect.includes(r.runOne(scheduleSeed('0x7a7e', i)).finding?.kind)) h++;
      return h;
    });
    row[v] = [Math.min(...hits), n];
  }
  console.log(`  '${p.name}': ${JSON.stringify(row).replace(/"(\d+)":/g, ' $1: ').replace(/,(?= \d)/g, ',')},`);
}
