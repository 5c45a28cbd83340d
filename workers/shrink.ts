// piscina worker entry: one shrink of a user policy's reproducer, in a thread its caller may stop.

export { runShrinkJob as default } from '../src/shrink/stoppable_shrink.js';
