// piscina worker entry for turn-passing actors (./turn_actor.ts), CommonJS on
// purpose: see schedule.cts (a worker terminated while require() instantiates
// an ES module graph aborts node; import() does not).

export = import('./turn_actor.js').then((m) => m.default);
