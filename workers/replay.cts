// piscina worker entry for stoppable replay jobs (./replay.ts), CommonJS for the reason given in workers/schedule.cts.
// It loads ./replay.ts bundled with all it imports into one file (./bundle/replay.js, see src/build/bundle_workers.ts).

import type handler from './replay.js';

export = (import('./bundle/replay.js' as string) as Promise<{ default: typeof handler }>).then((m) => m.default);
