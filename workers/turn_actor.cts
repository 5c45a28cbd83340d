// piscina worker entry for turn-passing actors (./turn_actor.ts), CommonJS on
// purpose: see schedule.cts (a worker terminated while require() instantiates
// an ES module graph aborts node; import() does not).
// It loads ./turn_actor.ts bundled with all it imports into one file (./bundle/turn_actor.js, see src/build/bundle_workers.ts).

import type handler from './turn_actor.js';

export = (import('./bundle/turn_actor.js' as string) as Promise<{ default: typeof handler }>).then((m) => m.default);
