// RunSpec: everything that determines a run (what is run, mode, realm,
// workload, scheduler, step bound, budget), with its defaults and checks taken
// from the field table (fields.ts). No zod here: worker threads build configs
// through this module. Errors are one line naming the field.

import type { RealmConfig, WorkloadConfig, SchedulerSpec } from './types.js';
import { COST_KEYS, defaultCostTable } from './cost_table.js';
import { ConfigError } from '../errors.js';
import { parseSeed } from './seed.js';
import { FIELDS, checkValue, type Field, type FieldDef, type FieldPath, type ValueOf } from './fields.js';

/** Everything that determines one schedule, apart from its seed and the policy (what reproducers store). */
export interface RunConfig {
  realm: RealmConfig;
  workload: WorkloadConfig;
  scheduler: SchedulerSpec;
  /** Per-schedule step bound (controlled) / per-actor step bound (free). */
  maxSteps: number;
}

export type Mode = 'controlled' | 'free' | 'record';

/** How long each policy runs; with none of schedules/steps/seconds, IMPLICIT_SECONDS. */
export interface BudgetSpec {
  schedules?: number;
  steps?: number;
  seconds?: number;
  stopOnFirst: boolean;
  /** A safe policy is clean only with at least this many complete schedules (absent: DEFAULT_MIN_SCHEDULES; given, also the miss threshold of a canary with no measured catch rate). */
  minSchedules?: number;
  /** Seconds a user policy's thread may sit in one step before it is stopped and reported as a hang. */
  lockupSeconds: number;
}

export interface RunSpec extends RunConfig {
  /** Base seed, normalised (parseSeed). */
  seed: string;
  /** Comma list of policy names or module paths, or "all". */
  policy: string;
  mode: Mode;
  budget: BudgetSpec;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type SpecOverrides = DeepPartial<RunSpec>;
export type ConfigOverrides = DeepPartial<RunConfig>;

// The table must describe RunSpec exactly: every leaf has one field, every field one leaf, same value type.
type MapPath = 'realm.costs' | 'workload.mix';
type Paths<T, P extends string = ''> = {
  [K in keyof T & string]-?: `${P}${K}` extends MapPath ? `${P}${K}` : NonNullable<T[K]> extends object ? Paths<NonNullable<T[K]>, `${P}${K}.`> : `${P}${K}`;
}[keyof T & string];
type At<T, P extends string> = P extends `${infer H}.${infer R}` ? (H extends keyof T ? At<NonNullable<T[H]>, R> : never) : P extends keyof T ? NonNullable<T[P]> : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Mismatched = {
  [F in Field as F['path']]: F extends { kind: 'map' } ? (At<RunSpec, F['path']> extends Record<string, number> ? never : F['path']) : Same<ValueOf<F>, At<RunSpec, F['path']>> extends true ? never : F['path'];
}[FieldPath];
/** If this fails to compile: fields.ts and RunSpec disagree (a missing field, an extra one, or another type). */
export const TABLE_MATCHES_SPEC: [Exclude<Paths<RunSpec>, FieldPath>, Exclude<FieldPath, Paths<RunSpec>>, Mismatched] extends [never, never, never] ? true : never = true;

export function getPath(o: unknown, path: string): unknown {
  let x = o as Record<string, unknown> | undefined;
  for (const k of path.split('.')) {
    if (x === undefined || x === null || typeof x !== 'object') return undefined;
    x = x[k] as Record<string, unknown> | undefined;
  }
  return x;
}

export function setPath(o: Record<string, unknown>, path: string, v: unknown): void {
  const ks = path.split('.');
  let x = o;
  for (const k of ks.slice(0, -1)) x = (x[k] ??= {}) as Record<string, unknown>;
  x[ks[ks.length - 1]] = v;
}

/** The name a one-line error uses: the path without "realm." (lmPages, host.partialRate, scheduler.name). */
export const fieldName = (f: FieldDef): string => f.path.replace(/^realm\./, '');

/** A map field's default (the cost table's defaults live with the cost table). */
export const mapDefault = (f: FieldDef): Record<string, number> =>
  f.path === 'realm.costs' ? defaultCostTable() : { ...(f.default as Record<string, number>) };

/** The keys a map field accepts. */
export const mapKeys = (f: FieldDef): readonly string[] => (f.path === 'realm.costs' ? COST_KEYS : f.keys!);

/** The table's defaults as a RunSpec (a fresh object each time). */
export function specDefaults(): RunSpec {
  const s: Record<string, unknown> = {};
  for (const f of FIELDS) {
    if (f.kind === 'map') setPath(s, f.path, mapDefault(f));
    else if ('default' in f) setPath(s, f.path, f.default);
    else setPath(s, f.path, undefined);
  }
  // Optional budget fields stay absent rather than present-and-undefined.
  const b = s.budget as Record<string, unknown>;
  for (const k of Object.keys(b)) if (b[k] === undefined) delete b[k];
  return s as unknown as RunSpec;
}

/** One field's check as a ConfigError (maps: known keys, non-negative numbers). */
export function checkField(f: FieldDef, v: unknown, where = fieldName(f)): void {
  const bad = f.kind === 'map' ? checkValue({ ...f, keys: mapKeys(f) }, v) : checkValue(f, v);
  if (bad) throw new ConfigError(`${where} must be ${bad.want}, got ${bad.got}`);
}

/**
 * The defaults with `over` laid on top, checked field by field. Map fields
 * (costs, mix) override key by key. The seed is normalised.
 */
export function runSpec(over: SpecOverrides = {}): RunSpec {
  const s = specDefaults() as unknown as Record<string, unknown>;
  for (const f of FIELDS) {
    const v = getPath(over, f.path);
    if (v === undefined) continue;
    if (f.kind === 'map') {
      checkField(f, v);
      setPath(s, f.path, { ...(getPath(s, f.path) as Record<string, number>), ...(v as Record<string, number>) });
    } else setPath(s, f.path, v);
  }
  for (const f of FIELDS) {
    const v = getPath(s, f.path);
    if (v === undefined && !('default' in f)) continue;
    checkField(f, v);
  }
  // Every operation weighed 0 is no workload: say so here, not as a policy's error at its first step.
  const mix = getPath(s, 'workload.mix') as Record<string, number>;
  if (!Object.values(mix).some((w) => w > 0)) throw new ConfigError(`mix must give at least one operation a positive weight, got ${Object.entries(mix).map(([k, w]) => `${k}=${w}`).join(',')}`);
  try {
    s.seed = parseSeed(s.seed as string);
  } catch (e) {
    throw new ConfigError(`seed: ${(e as Error).message}`);
  }
  return s as unknown as RunSpec;
}

/** The RunConfig part of a spec. */
export const configOf = (s: RunSpec): RunConfig => ({ realm: s.realm, workload: s.workload, scheduler: s.scheduler, maxSteps: s.maxSteps });

/** Defaults + overrides for the parts a schedule needs (what reproducers and campaigns store). */
export const runConfig = (over: ConfigOverrides = {}): RunConfig => configOf(runSpec(over));

/** Defaults + overrides for the realm alone. */
export const realmConfig = (over: DeepPartial<RealmConfig> = {}): RealmConfig => runSpec({ realm: over }).realm;
