// Shrinking a failing reproducer by delta debugging, keeping its signature:
// drop whole vCPUs, drop operations from each vCPU's program (every operation
// has its own random stream, so the others are unchanged), and take out context
// switches. Candidates replay the recorded schedule leniently (entries of removed
// actors and operations are skipped); the result is re-recorded so it replays
// strictly.

import type { Policy } from '../kernel/policy.js';
import { ControlledRunner } from '../run/controlled.js';
import type { ExecutionResult } from '../run/execution.js';
import { seededScheduler } from '../run/run_options.js';
import type { RunConfig } from '../run/config.js';
import { LenientReplay } from '../sched/lenient_replay.js';
import type { ProgramSpec } from '../workload/program.js';
import type { Reproducer } from '../repro/reproducer.js';
import { reproducerOf } from '../repro/make.js';

/** One scheduled step: which actor (original numbering; the host is `vcpus`) in which operation. */
interface Entry { a: number; op: number }

interface Candidate {
  /** A host that always completes RIPAS changes at once (no partial progress, no REJECT): fewer RSI steps. */
  simpleHost: boolean;
  /** Original ids of the vCPUs kept, ascending. */
  vcpus: number[];
  /** Operations kept, per original vCPU id. */
  keep: Map<number, number[]>;
  /** Operations cut down to one page, per original vCPU id. */
  single: Map<number, number[]>;
  entries: Entry[];
}

export interface ShrinkStats { vcpus: number; ops: number; steps: number; switches: number; maxStepsPerVcpu: number }

export interface ShrinkResult {
  reproducer: Reproducer;
  before: ShrinkStats;
  after: ShrinkStats;
  tests: number;
}

const switchesOf = (actors: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 1; i < actors.length; i++) if (actors[i] !== actors[i - 1]) s++;
  return s;
};

function statsOf(r: Reproducer): ShrinkStats {
  const s = r.schedule!;
  const nv = r.config.realm.vcpus;
  const perVcpu = new Array(nv).fill(0);
  const ops = new Set<string>();
  for (let i = 0; i < s.actors.length; i++) {
    if (s.actors[i] < nv) {
      perVcpu[s.actors[i]]++;
      if (s.ops[i] >= 0) ops.add(`${s.actors[i]}:${s.ops[i]}`);
    }
  }
  return { vcpus: nv, ops: ops.size, steps: s.actors.length, switches: switchesOf(s.actors), maxStepsPerVcpu: Math.max(...perVcpu) };
}

/**
 * Remove chunks of a list (halves, quarters, ... single items) while `tryFewer`
 * accepts the shorter list; `accept` is told each accepted candidate.
 */
function reduceList<T, C>(list: T[], tryFewer: (fewer: T[]) => C | null, accept: (c: C) => void): T[] {
  let cur = list;
  for (let size = Math.max(1, cur.length >> 1); size >= 1; size >>= 1) {
    for (let at = 0; at < cur.length; ) {
      const fewer = [...cur.slice(0, at), ...cur.slice(at + size)];
      const c = tryFewer(fewer);
      if (c !== null) { accept(c); cur = fewer; } else at += size;
    }
  }
  return cur;
}

export class Shrinker {
  private tests = 0;
  private readonly hostId: number;

  /** lockup: publish every step there (a worker thread its caller may stop, run/stoppable.ts). */
  constructor(private readonly repro: Reproducer, private readonly policy: Policy, private readonly maxTests = 5_000, private readonly lockup?: SharedArrayBuffer) {
    if (!repro.schedule) throw new Error('shrink needs a reproducer with a recorded schedule (controlled or record mode)');
    this.hostId = repro.config.realm.vcpus;
  }

  private configFor(c: Candidate): RunConfig {
    const realm = this.repro.config.realm;
    const host = c.simpleHost ? { ...realm.host, partialRate: 0, rejectRate: 0 } : realm.host;
    return { ...this.repro.config, realm: { ...realm, vcpus: c.vcpus.length, host } };
  }

  private programsFor(c: Candidate): ProgramSpec[] {
    return c.vcpus.map((v) => ({ ...this.repro.programs[v], keep: c.keep.get(v), ...(c.single.get(v)?.length ? { single: c.single.get(v) } : {}) }));
  }

  /** The script a candidate replays: entries of kept actors and operations, renumbered. */
  private scriptOf(c: Candidate): { actors: number[]; from: number[] } {
    const newId = new Map<number, number>(c.vcpus.map((v, i) => [v, i]));
    newId.set(this.hostId, c.vcpus.length);
    const actors: number[] = [];
    const from: number[] = [];
    c.entries.forEach((e, i) => {
      const id = newId.get(e.a);
      if (id === undefined) return;
      if (e.a !== this.hostId && e.op >= 0 && !c.keep.get(e.a)!.includes(e.op)) return;
      actors.push(id);
      from.push(i);
    });
    return { actors, from };
  }

  /** Run a candidate, replaying its script leniently. */
  private run(c: Candidate, record: boolean): ExecutionResult {
    this.tests++;
    const { actors } = this.scriptOf(c);
    const cfg = this.configFor(c);
    const scheduler = new LenientReplay(seededScheduler(cfg, this.repro.seed), actors);
    return new ControlledRunner(cfg, this.policy).runOne(this.repro.seed, { programs: this.programsFor(c), scheduler, record, lockup: this.lockup });
  }

  private fails(c: Candidate): boolean {
    return this.failing(c) !== null;
  }

  private failing(c: Candidate): ExecutionResult | null {
    if (this.tests >= this.maxTests) return null;
    const res = this.run(c, false);
    return res.finding?.signature === this.repro.finding.signature ? res : null;
  }

  /**
   * Make the script say exactly what ran, up to and including the failing step:
   * entries that were skipped or never reached go, and steps the seeded
   * scheduler chose after the script ran out are written in.
   */
  private normalize(c: Candidate): Candidate {
    if (this.tests >= this.maxTests) return c;
    const res = this.run(c, true);
    if (res.finding?.signature !== this.repro.finding.signature) return c;
    const rec = res.schedule!;
    const entries: Entry[] = [];
    for (let i = 0; i <= res.finding.step && i < rec.actors.length; i++) {
      const a = rec.actors[i];
      entries.push({ a: a === c.vcpus.length ? this.hostId : c.vcpus[a], op: rec.ops[i] });
    }
    const cand = { ...c, entries };
    return this.fails(cand) ? cand : c;
  }

  /** Entries that still belong to the candidate (the others are dropped for good once accepted). */
  private prune(c: Candidate): Candidate {
    const kept = new Set(c.vcpus);
    return {
      ...c,
      entries: c.entries.filter((e) => e.a === this.hostId || (kept.has(e.a) && (e.op < 0 || c.keep.get(e.a)!.includes(e.op)))),
    };
  }

  shrink(): ShrinkResult {
    const r = this.repro;
    const s = r.schedule!;
    const before = statsOf(r);
    const end = Math.min(s.actors.length, r.finding.step + 1);
    let cur: Candidate = { simpleHost: false, vcpus: [], keep: new Map(), single: new Map(), entries: [] };
    for (let v = 0; v < this.hostId; v++) {
      cur.vcpus.push(v);
      // Operations after the last one that ran before the failure can go at once. (Earlier
      // ones stay for now even without a step of their own: kfree of a shared slab page takes none.)
      let last = -1;
      for (let i = 0; i < end; i++) if (s.actors[i] === v && s.ops[i] > last) last = s.ops[i];
      cur.keep.set(v, Array.from({ length: last + 1 }, (_, i) => i));
    }
    for (let i = 0; i < end; i++) cur.entries.push({ a: s.actors[i], op: s.ops[i] });
    if (!this.fails(cur)) throw new Error('the reproducer does not fail any more when replayed leniently; nothing to shrink');
    cur = this.normalize(cur);
    let progress = true;
    while (progress && this.tests < this.maxTests) {
      progress = false;
      // 0. A simpler host, if the failure does not need partial RIPAS progress or a REJECT.
      if (!cur.simpleHost && (r.config.realm.host.partialRate > 0 || r.config.realm.host.rejectRate > 0) && this.fails({ ...cur, simpleHost: true })) {
        cur = { ...cur, simpleHost: true };
        progress = true;
      }
      // 1. Whole vCPUs.
      for (const v of [...cur.vcpus]) {
        if (cur.vcpus.length === 1) break;
        const cand = this.prune({ ...cur, vcpus: cur.vcpus.filter((x) => x !== v) });
        if (this.fails(cand)) { cur = cand; progress = true; }
      }
      // 2. Operations of each vCPU, chunk by chunk.
      for (const v of cur.vcpus) {
        reduceList(cur.keep.get(v)!, (fewer) => {
          const cand = this.prune({ ...cur, keep: new Map(cur.keep).set(v, fewer) });
          return this.fails(cand) ? cand : null;
        }, (cand) => { cur = cand; progress = true; });
      }
      // 2b. Shared buffers cut down to a single page.
      for (const v of cur.vcpus) {
        for (const op of cur.keep.get(v)!) {
          if (cur.single.get(v)?.includes(op)) continue;
          const cand = { ...cur, single: new Map(cur.single).set(v, [...(cur.single.get(v) ?? []), op].sort((x, y) => x - y)) };
          if (this.fails(cand)) { cur = cand; progress = true; }
        }
      }
      // 3. The host agent's scheduled steps (most are idle re-checks once operations are gone).
      {
        const host = cur.entries.map((e, i) => (e.a === this.hostId ? i : -1)).filter((i) => i >= 0);
        const none = { ...cur, entries: cur.entries.filter((e) => e.a !== this.hostId) };
        if (host.length > 0 && this.fails(none)) { cur = none; progress = true; } else reduceList(host, (fewer) => {
          const keepSet = new Set(fewer);
          const drop = new Set(host.filter((i) => !keepSet.has(i)));
          const cand = { ...cur, entries: cur.entries.filter((_, i) => !drop.has(i)) };
          return this.fails(cand) ? cand : null;
        }, (cand) => { cur = cand; progress = true; });
      }
      // 4. Bring the failure forward: move the failing actor's last run before the run that
      //    precedes it, or before as much of that run's tail as it can (halves, quarters, ...).
      for (let guard = cur.entries.length; guard > 0; guard--) {
        cur = this.normalize(cur);
        const res = this.failing(cur);
        // Only when the script ends exactly at the failing step is its last run the failing actor's.
        if (!res || this.scriptOf(cur).from[res.finding!.step] !== cur.entries.length - 1) break;
        const e = cur.entries;
        let i = e.length - 1;
        const f = e[i].a;
        while (i > 0 && e[i - 1].a === f) i--;
        let j = i - 1;
        if (j < 0) break;
        const other = e[j].a;
        while (j > 0 && e[j - 1].a === other) j--;
        let moved: Candidate | null = null;
        for (let m = i - j; m >= 1 && moved === null; m = m === 1 ? 0 : Math.ceil(m / 2)) {
          const at = i - m; // the failing run goes before the last m steps of the preceding run
          const cand = { ...cur, entries: [...e.slice(0, at), ...e.slice(i), ...e.slice(at, i)] };
          if (this.fails(cand)) moved = cand;
        }
        if (moved === null) break;
        cur = moved;
        progress = true;
      }
      // 5. Context switches: pull an actor's next run of steps up to join its previous run.
      for (let changed = true; changed && this.tests < this.maxTests; ) {
        changed = false;
        const e = cur.entries;
        for (let i = 1; i < e.length; i++) {
          if (e[i].a === e[i - 1].a) continue;
          const a = e[i - 1].a;
          let j = i;
          while (j < e.length && e[j].a !== a) j++;
          if (j >= e.length) continue;
          let k = j;
          while (k < e.length && e[k].a === a) k++;
          const moved = [...e.slice(0, i), ...e.slice(j, k), ...e.slice(i, j), ...e.slice(k)];
          if (switchesOf(moved.map((x) => x.a)) >= switchesOf(e.map((x) => x.a))) continue; // must remove a switch
          const cand = { ...cur, entries: moved };
          if (this.fails(cand)) {
            // Keep the number of switches falling, so this pass ends.
            const nc = this.normalize(cand);
            cur = switchesOf(nc.entries.map((x) => x.a)) < switchesOf(e.map((x) => x.a)) ? nc : cand;
            changed = true;
            progress = true;
            break;
          }
        }
      }
    }
    // Record the shrunk run so that it replays strictly.
    const final = this.run(cur, true);
    if (final.finding?.signature !== r.finding.signature) throw new Error('internal: the shrunk candidate stopped failing');
    const out = reproducerOf(this.configFor(cur), this.policy, r.policy.spec, final, 'shrink');
    return { reproducer: out, before, after: statsOf(out), tests: this.tests };
  }
}
