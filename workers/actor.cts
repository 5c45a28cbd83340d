// piscina worker entry for free-mode actors (./actor.ts), CommonJS for the reason given in workers/schedule.cts.
// It require()s ./actor.ts bundled with all it imports into one CommonJS file (./bundle/actor.cjs, see src/build/bundle_workers.ts).

import type handler from './actor.js';

export = require('./bundle/actor.cjs' as string) as typeof handler;
