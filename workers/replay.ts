// piscina worker entry: one replay of a user policy, in a thread its caller may stop.

export { runReplayJob as default } from '../src/repro/stoppable_replay.js';
