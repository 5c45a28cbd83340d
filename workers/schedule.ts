// piscina worker entry: run whole controlled schedules in this thread (one task
// per schedule), for campaigns and for the cross-thread determinism check.

export type { ScheduleTask } from '../src/run/schedule_task.js';
export { runScheduleTask as default } from '../src/run/schedule_task.js';
