// piscina worker entry for stoppable replay jobs (./replay.ts), CommonJS for the reason given in workers/schedule.cts.

export = import('./replay.js').then((m) => m.default);
