// Exhaustive enumeration of a litmus test's executions: every interleaving of
// the PEs' steps and every model choice inside a step (see machine.ts). A step
// asks its questions through `choose`; the explorer runs the step once per
// answer vector (an odometer over the arities it saw) and memoises states, so
// each distinct state is expanded once. Execution counts are path counts
// through that graph (as herd counts executions), kept exactly as bigints.

import { holds, parseAssertion, type Assertion, type Loc } from './assert.js';
import { LitmusParseError } from './errors.js';
import { cloneState, enabledActions, hex, Incoherent, isFinal, loadProgram, stateKey, step, type Chooser, type Event, type Program, type State } from './machine.js';
import type { LitmusTest } from './toml_test.js';

interface Entry {
  count: bigint;
  /** the answers of the first step of a witness, and the state it leads to */
  choices: number[];
  next: string | null;
}
type Summary = Map<string, Entry>;

export interface OutcomeResult {
  outcome: string;
  satisfies: boolean;
  count: bigint;
  /** replay token: the answers of every step of one witness */
  token: string;
}

export interface ExploreResult {
  name: string;
  outcomes: OutcomeResult[];
  positive: bigint;
  negative: bigint;
  executions: bigint;
  states: number;
  /** executions cut because they revisited a state on their own path (a loop) */
  loops: number;
}

/** Replays a fixed answer list, extending it with 0 and recording each question's arity. */
class Odometer implements Chooser {
  readonly arities: number[] = [];
  private at = 0;
  constructor(private readonly answers: number[]) {}
  choose(_kind: string, n: number): number {
    const k = this.at < this.answers.length ? this.answers[this.at]! : 0;
    if (this.at >= this.answers.length) this.answers.push(0);
    this.arities.push(n);
    this.at++;
    return k;
  }
}

/** The next answer vector after `v` given the arities of its run, or null when done. */
function advance(v: number[], arities: number[]): number[] | null {
  for (let j = arities.length - 1; j >= 0; j--) {
    if (v[j]! + 1 < arities[j]!) return [...v.slice(0, j), v[j]! + 1];
  }
  return null;
}

export function outcomeOf(p: Program, a: Assertion, s: State): { outcome: string; satisfies: boolean } {
  const read = (l: Loc): bigint | undefined => (l.kind === 'reg' ? s.threads[l.thread]!.regs[l.reg] : (s.mem.get(l.pa) ?? 0n));
  const show = (v: bigint | undefined) => (v === undefined ? '?' : v < 0x10000n ? v.toString() : hex(v));
  const outcome = a.locs.map((l) => `${l.text}=${show(read(l))};`).join(' ');
  void p;
  return { outcome, satisfies: holds(a.cond, read) };
}

export interface Loaded {
  program: Program;
  assertion: Assertion;
}

export function load(test: LitmusTest): Loaded {
  const program = loadProgram(test);
  const assertion = parseAssertion(test.assertion, program.setup, test.threads.length);
  return { program, assertion };
}

const MAX_DEPTH = 5000;

export function explore(test: LitmusTest): ExploreResult {
  const { program: p, assertion: a } = load(test);
  const memo = new Map<string, Summary>();
  const onPath = new Set<string>();
  const sat = new Map<string, boolean>();
  let loops = 0;
  const visit = (s: State, key: string, depth: number): Summary => {
    const hit = memo.get(key);
    if (hit) return hit;
    if (depth > MAX_DEPTH) throw new LitmusParseError(`execution longer than ${MAX_DEPTH} steps`);
    const sum: Summary = new Map();
    if (isFinal(s)) {
      const o = outcomeOf(p, a, s);
      sat.set(o.outcome, o.satisfies);
      sum.set(o.outcome, { count: 1n, choices: [], next: null });
      memo.set(key, sum);
      return sum;
    }
    onPath.add(key);
    const acts = enabledActions(p, s);
    let v: number[] | null = [];
    while (v !== null) {
      const s2 = cloneState(s);
      const od = new Odometer(v);
      let ok = true;
      try {
        step(p, s2, od, null, acts);
      } catch (e) {
        if (!(e instanceof Incoherent)) throw e;
        ok = false; // not an execution: an early load read the wrong write
      }
      const used = v.slice(0, od.arities.length);
      if (!ok) {
        v = advance(used, od.arities);
        continue;
      }
      const k2 = stateKey(s2);
      if (onPath.has(k2)) loops++;
      else {
        for (const [o, e] of visit(s2, k2, depth + 1)) {
          const cur = sum.get(o);
          if (cur) cur.count += e.count;
          else sum.set(o, { count: e.count, choices: used, next: k2 });
        }
      }
      v = advance(used, od.arities);
    }
    onPath.delete(key);
    memo.set(key, sum);
    return sum;
  };
  const rootKey = stateKey(p.initial);
  const root = visit(cloneState(p.initial), rootKey, 0);
  const outcomes: OutcomeResult[] = [];
  for (const [o, e] of root) {
    const answers: number[] = [];
    let cur: Entry | undefined = e;
    while (cur) {
      answers.push(...cur.choices);
      cur = cur.next === null ? undefined : memo.get(cur.next)?.get(o);
    }
    outcomes.push({ outcome: o, satisfies: sat.get(o)!, count: e.count, token: encodeToken(answers) });
  }
  outcomes.sort((x, y) => (x.outcome < y.outcome ? -1 : x.outcome > y.outcome ? 1 : 0));
  let positive = 0n, negative = 0n;
  for (const o of outcomes) {
    if (o.satisfies) positive += o.count;
    else negative += o.count;
  }
  return { name: test.name, outcomes, positive, negative, executions: positive + negative, states: memo.size, loops };
}

// ---------------------------------------------------------------- replay tokens

/** `r1-` then the answers in base 36, '.'-separated (every step's answers in order). */
export function encodeToken(answers: number[]): string {
  return 'r1-' + answers.map((n) => n.toString(36)).join('.');
}

export function decodeToken(token: string): number[] {
  const m = /^r1-([0-9a-z.]*)$/.exec(token.trim());
  if (!m) throw new LitmusParseError(`bad replay token "${token}"`);
  return m[1] === '' ? [] : m[1]!.split('.').map((x) => parseInt(x, 36));
}

/** A chooser that answers from a token and fails if the run asks for more or for an impossible answer. */
class Replayer implements Chooser {
  private at = 0;
  constructor(private readonly answers: number[]) {}
  choose(kind: string, n: number): number {
    const k = this.answers[this.at++];
    if (k === undefined || k >= n) throw new LitmusParseError(`replay token does not fit this test (${kind} question ${this.at})`);
    return k;
  }
  get used(): number {
    return this.at;
  }
}

export interface Replay {
  steps: Event[][];
  final: State;
  outcome: string;
  satisfies: boolean;
  program: Program;
}

export function replay(test: LitmusTest, token: string): Replay {
  const { program: p, assertion: a } = load(test);
  const answers = decodeToken(token);
  const r = new Replayer(answers);
  const s = cloneState(p.initial);
  const steps: Event[][] = [];
  for (let guard = 0; !isFinal(s); guard++) {
    if (guard > MAX_DEPTH) throw new LitmusParseError('replay does not terminate');
    const ev: Event[] = [];
    try {
      step(p, s, r, ev);
    } catch (e) {
      if (e instanceof Incoherent) throw new LitmusParseError('replay token leads to an incoherent execution');
      throw e;
    }
    steps.push(ev);
  }
  if (r.used !== answers.length) throw new LitmusParseError('replay token is longer than the execution');
  const o = outcomeOf(p, a, s);
  return { steps, final: s, outcome: o.outcome, satisfies: o.satisfies, program: p };
}
