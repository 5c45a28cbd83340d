// Stop at a step: raise H.STOP just before step `at`, so every program ends at
// its next operation boundary. Replaying a record-mode run that its timer or
// its step bound stopped raises the stop at the same ticket.

import { Actors, ExecutionControl, SchedulerWrapper, Scheduler } from './scheduler.js';

export class StopAt extends SchedulerWrapper {
  private ctl: ExecutionControl | null = null;

  constructor(inner: Scheduler, private readonly at: number) {
    super(inner);
  }

  override attach(ctl: ExecutionControl): void {
    this.ctl = ctl;
    this.inner.attach?.(ctl);
  }

  override pick(actors: Actors, step: number): number {
    if (step === this.at) this.ctl?.requestStop();
    return this.inner.pick(actors, step);
  }
}
