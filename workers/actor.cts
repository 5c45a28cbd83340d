// piscina worker entry for free-mode actors (./actor.ts), CommonJS on purpose:
// see schedule.cts (a worker terminated while require() instantiates an ES
// module graph aborts node; import() does not).

export = import('./actor.js').then((m) => m.default);
