// The scheduling loop of controlled mode, shared by the in-thread runner and the
// turn-passing runner: pick an actor (seeded scheduler, or a script being
// replayed), let it take one step, keep the bookkeeping (done, blocked, wake),
// record what was picked.

import { H } from '../model/realm.js';
import { BLOCKED } from '../model/cpu.js';
import type { Scheduler } from '../sched/scheduler.js';

/** What an executor reports for one step. */
export const DONE = 2;
export const DIED = 3;

export interface StepExecutor {
  /** Actor a takes one step: STEP, BLOCKED, DONE, or DIED (a finding ended the run). May throw KernelDeath. */
  step(a: number, step: number): number;
  /** Workload operation index actor a was in during its last step (-1 outside any). */
  opIndex(a: number): number;
  /** 16 bits of the trace hash after the last step: replay compares them to find the first divergent step. */
  check(): number;
}

/**
 * An explicit schedule to follow. strict (replay): the recorded actor must be
 * able to run and the trace must match step by step; at the first divergence the
 * rest runs under the seeded scheduler. Lenient (shrinking): entries whose actor
 * has finished or is blocked are skipped, and when the script runs out the
 * seeded scheduler takes over.
 */
export interface Script {
  actors: ArrayLike<number>;
  strict: boolean;
  checks?: ArrayLike<number>;
  /** Raise H.STOP just before this step (when a record-mode run was stopped by its timer). */
  stopAtStep?: number;
}

/** The loop's state, filled in as it goes: still valid when a KernelDeath unwinds through drive(). */
export interface DriveState {
  steps: number;
  completed: boolean;
  died: boolean;
  /** When set, every step's actor, operation and trace check are appended (reproducers, trace views). */
  rec: { actors: number[]; ops: number[]; checks: number[] } | null;
  /** First step where a strict replay could not follow its script, or -1. */
  divergedAt: number;
  divergence: string;
}

export const newDriveState = (record: boolean): DriveState => ({
  steps: 0, completed: false, died: false, rec: record ? { actors: [], ops: [], checks: [] } : null, divergedAt: -1, divergence: '',
});

export function drive(n: number, i32: Int32Array, sched: Scheduler, exec: StepExecutor, maxSteps: number, out: DriveState, script?: Script): void {
  const done = new Uint8Array(n);
  const blocked = new Uint8Array(n);
  const runnable = new Int32Array(n);
  const rec = out.rec;
  let alive = n;
  let nBlocked = 0;
  let k = 0;
  let dirty = true;
  let wakeSeen = Atomics.load(i32, H.WAKE);
  let steps = 0;
  let following = script !== undefined;
  let cursor = 0;
  const diverge = (at: number, why: string): void => {
    if (out.divergedAt < 0) { out.divergedAt = at; out.divergence = why; }
    following = false;
  };
  const checking = script?.strict === true && script.checks !== undefined;
  while (alive > 0 && steps < maxSteps) {
    if (script?.stopAtStep === steps) Atomics.store(i32, H.STOP, 1);
    if (nBlocked > 0 && Atomics.load(i32, H.WAKE) !== wakeSeen) {
      // Whatever they wait for changed: blocked actors re-check.
      wakeSeen = Atomics.load(i32, H.WAKE);
      blocked.fill(0);
      nBlocked = 0;
      dirty = true;
    }
    let a = -1;
    if (following) {
      const s = script!;
      if (s.strict) {
        if (cursor >= s.actors.length) diverge(steps, 'the recorded schedule ended before the run did');
        else if (s.actors[cursor] >= n || done[s.actors[cursor]]) diverge(steps, `recorded actor ${s.actors[cursor]} cannot run: it has already finished`);
        else a = s.actors[cursor++];
      } else {
        // Skip entries of actors that finished, or that wait for something that has not happened yet.
        while (cursor < s.actors.length && (s.actors[cursor] >= n || done[s.actors[cursor]] || blocked[s.actors[cursor]])) cursor++;
        if (cursor < s.actors.length) a = s.actors[cursor++];
        else following = false;
      }
    }
    if (a < 0) {
      if (dirty) {
        k = 0;
        for (let b = 0; b < n; b++) if (!done[b] && !blocked[b]) runnable[k++] = b;
        if (k === 0) {
          // Everyone alive is blocked: let them all re-check (the watchdog ends a real deadlock).
          for (let b = 0; b < n; b++) if (!done[b]) { runnable[k++] = b; blocked[b] = 0; }
          nBlocked = 0;
        }
        dirty = false;
      }
      a = k === 1 ? runnable[0] : sched.pick(runnable, k, steps);
    }
    if (rec) rec.actors.push(a);
    out.steps = steps + 1;
    const r = exec.step(a, steps);
    if (rec) {
      rec.ops.push(exec.opIndex(a));
      rec.checks.push(exec.check());
    }
    if (following && checking && steps < script!.checks!.length && script!.checks![steps] !== exec.check()) {
      diverge(steps, 'the trace differs from the recorded one (the code or the model changed)');
    }
    steps++;
    if (r === DIED) { out.died = true; break; }
    if (r === DONE) {
      done[a] = 1;
      alive--;
      if (blocked[a]) { blocked[a] = 0; nBlocked--; }
      dirty = true;
    } else if (r === BLOCKED) {
      if (!blocked[a]) {
        if (nBlocked === 0) wakeSeen = Atomics.load(i32, H.WAKE);
        blocked[a] = 1;
        nBlocked++;
      }
      dirty = true;
    }
  }
  out.completed = alive === 0;
}
