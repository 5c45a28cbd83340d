// Re-measure src/check/catch_rates.ts: for each built-in canary and vCPU count,
// schedules (seeds scheduleSeed('0x7a7e', i)) whose finding is the expected kind,
// the lower of the pte and block linear maps. Run after `npm run build`:
//   node stress/catch_rates.mjs [schedules=500] [vcpus=1,2,4,8,16]
import { BUILTIN_POLICIES, BUG_VARIANTS } from '../dist/src/kernel/policies/index.js';
import { ControlledRunner } from '../dist/src/run/controlled.js';
import { runConfig } from '../dist/src/run/config.js';
import { scheduleSeed } from '../dist/src/run/seeds.js';

const n = Number(process.argv[2] ?? 500);
const vcpus = (process.argv[3] ?? '1,2,4,8,16').split(',').map(Number);
for (const p of [...BUILTIN_POLICIES, ...BUG_VARIANTS].filter((q) => q.expect.length)) {
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
