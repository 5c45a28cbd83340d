// piscina worker entry for stoppable shrink jobs (./shrink.ts), CommonJS for the reason given in workers/schedule.cts.
// It require()s ./shrink.ts bundled with all it imports into one CommonJS file (./bundle/shrink.cjs, see src/build/bundle_workers.ts).

import type handler from './shrink.js';

export = require('./bundle/shrink.cjs' as string) as typeof handler;
