// piscina worker entry for stoppable shrink jobs (./shrink.ts), CommonJS for the reason given in workers/schedule.cts.
// It loads ./shrink.ts bundled with all it imports into one file (./bundle/shrink.js, see src/build/bundle_workers.ts).

import type handler from './shrink.js';

export = (import('./bundle/shrink.js' as string) as Promise<{ default: typeof handler }>).then((m) => m.default);
