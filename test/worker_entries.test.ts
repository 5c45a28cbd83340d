// Pools load CommonJS worker entries (workers/*.cts): piscina require()s its
// worker file first, and a thread terminated while require() instantiates an
// ES module graph aborts node (issue 9 item 10; stress/abort_loop.ts,
// stress/kill_in_instantiate.ts). Each entry require()s its CommonJS bundle
// (src/build/bundle_workers.ts) and hands piscina the handler: no ES module is
// loaded while a thread starts.

import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('worker entries', () => {
  it('every pool in src/ and test/ loads a workers/*.cjs entry, never the ES module', () => {
    const uses: string[] = [];
    for (const f of [...sources('src'), ...sources('test')]) {
      for (const m of readFileSync(f, 'utf8').matchAll(/new URL\('[./]*(?:dist\/)?workers\/([\w.]+)'/g)) uses.push(m[1]);
    }
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.filter((u) => !u.endsWith('.cjs'))).toEqual([]);
  });

  it('each CommonJS entry exports its handler function, from its CommonJS bundle', () => {
    const entries = readdirSync(join(ROOT, 'workers')).filter((f) => f.endsWith('.cts'));
    expect(entries.sort()).toEqual(['actor.cts', 'replay.cts', 'schedule.cts', 'shrink.cts', 'turn_actor.cts']);
    for (const e of entries) {
      const cjs = e.replace(/\.cts$/, '.cjs');
      const exported = require(join(ROOT, 'dist', 'workers', cjs));
      expect(typeof exported, e).toBe('function');
      expect(exported, e).toBe(require(join(ROOT, 'dist', 'workers', 'bundle', cjs)));
    }
  });
});
