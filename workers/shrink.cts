// piscina worker entry for stoppable shrink jobs (./shrink.ts), CommonJS for the reason given in workers/schedule.cts.

export = import('./shrink.js').then((m) => m.default);
