// piscina worker entry for turn-passing actors (./turn_actor.ts), CommonJS for the reason given in workers/schedule.cts.
// It require()s ./turn_actor.ts bundled with all it imports into one CommonJS file (./bundle/turn_actor.cjs, see src/build/bundle_workers.ts).

import type handler from './turn_actor.js';

export = require('./bundle/turn_actor.cjs' as string) as typeof handler;
