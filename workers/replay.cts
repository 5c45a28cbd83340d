// piscina worker entry for stoppable replay jobs (./replay.ts), CommonJS for the reason given in workers/schedule.cts.
// It require()s ./replay.ts bundled with all it imports into one CommonJS file (./bundle/replay.cjs, see src/build/bundle_workers.ts).

import type handler from './replay.js';

export = require('./bundle/replay.cjs' as string) as typeof handler;
