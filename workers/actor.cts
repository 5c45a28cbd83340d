// piscina worker entry for free-mode actors (./actor.ts), CommonJS on purpose:
// see schedule.cts (a worker terminated while require() instantiates an ES
// module graph aborts node; import() does not).
// It loads ./actor.ts bundled with all it imports into one file (./bundle/actor.js, see src/build/bundle_workers.ts).

import type handler from './actor.js';

export = (import('./bundle/actor.js' as string) as Promise<{ default: typeof handler }>).then((m) => m.default);
