export { makeScheduler } from './make.js';
export * from './scheduler.js';
export { ActorSet } from './runnable.js';
export { Replay } from './replay.js';
export { LenientReplay } from './lenient_replay.js';
export { Recorder, type RecordedSchedule } from './recorder.js';
export { StopAt } from './stop_at.js';
export { DeterminismCheck } from './determinism_check.js';
export { Dfs } from './dfs.js';
