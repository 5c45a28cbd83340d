// The run spec as one table of plain data: every field of realm, workload,
// scheduler, budget and mode with its flag, type, default, range and doc.
// Everything else is generated from this table: the commander options of every
// command (flags.ts), the paste-ready command line (to_flags.ts), the runtime
// defaults and checks (spec.ts) and the zod schemas of reproducers and campaign
// entries (schema.ts). Plain data with no runtime imports, so `--help` and
// worker threads load it for free. A default is written here and nowhere else.

import type { OpName } from './types.js';

export type Kind = 'int' | 'number' | 'bool' | 'choice' | 'seed' | 'string' | 'map';

export type Section = 'target' | 'mode' | 'realm' | 'workload' | 'scheduler' | 'run' | 'budget';

export interface FieldDef {
  /** Where the value lives in a RunSpec: 'realm.vcpus', 'realm.host.partialRate', 'maxSteps'. */
  readonly path: string;
  readonly section: Section;
  /** The flag without dashes ('lm-pages'); its camelCase is the commander attribute and the campaign-entry key. */
  readonly flag: string;
  /** The flag's value placeholder ('<n>'); absent for booleans. */
  readonly arg?: string;
  /** A boolean whose default is true is switched off with --no-<flag>. */
  readonly negate?: true;
  readonly kind: Kind;
  /** Absent: the field is optional (no value unless given). */
  readonly default?: unknown;
  readonly min?: number;
  readonly max?: number;
  readonly multipleOf?: number;
  readonly powerOfTwo?: true;
  readonly choices?: readonly string[];
  /** kind 'map': the keys, when this table knows them (the cost keys live with the cost table). */
  readonly keys?: readonly string[];
  /** toFlags prints it even at its default (the vCPU count is what a reader looks for first). */
  readonly always?: true;
  readonly doc: string;
}

/** Relative weights of each workload operation (src/workload/program.ts). */
const DEFAULT_MIX: Record<OpName, number> = { d_hash: 45, kmalloc: 15, kfree: 10, dma_buffer: 18, netvsc_buffer: 12 };

/** When a run is given no budget at all, it runs this many seconds per policy. */
export const IMPLICIT_SECONDS = 1;

/** Complete schedules a clean verdict needs when --min-schedules (or an entry's minSchedules) is not given (src/check/verdict.ts). */
export const DEFAULT_MIN_SCHEDULES = 20;

export const FIELDS = [
  // What is run. Printed first by toFlags: `replay --seed S --policy P ...`.
  { path: 'seed', section: 'target', flag: 'seed', arg: '<seed>', kind: 'seed', default: '0x1', doc: 'base seed (hex 0x..., decimal or any string); schedule 0 uses it as is' },
  { path: 'policy', section: 'target', flag: 'policy', arg: '<names>', kind: 'string', default: 'all', doc: 'comma list of built-in policy names or paths to .js policy modules, or "all"' },
  { path: 'mode', section: 'mode', flag: 'mode', arg: '<mode>', kind: 'choice', choices: ['controlled', 'free', 'record'], default: 'controlled', doc: 'controlled: seeded scheduler, one thread; free: one worker thread per vCPU; record: worker threads under a global step lock, replayable' },

  // The modelled realm (src/model/config.ts RealmConfig).
  { path: 'realm.vcpus', section: 'realm', flag: 'vcpus', arg: '<n>', kind: 'int', default: 4, min: 1, max: 256, always: true, doc: 'vCPUs' },
  { path: 'realm.lmPages', section: 'realm', flag: 'lm-pages', arg: '<n>', kind: 'int', default: 1024, min: 512, max: 1 << 20, multipleOf: 512, doc: 'linear-map (and realm RAM) pages of 4 KiB, a multiple of 512' },
  { path: 'realm.vmPages', section: 'realm', flag: 'vm-pages', arg: '<n>', kind: 'int', default: 512, min: 16, max: 1 << 20, doc: 'vmalloc area pages' },
  { path: 'realm.tlbEntries', section: 'realm', flag: 'tlb-entries', arg: '<n>', kind: 'int', default: 64, min: 1, max: 1 << 16, powerOfTwo: true, doc: 'entries in each vCPU\'s direct-mapped TLB (power of two)' },
  { path: 'realm.ipaBits', section: 'realm', flag: 'ipa-bits', arg: '<n>', kind: 'int', default: 40, min: 33, max: 52, doc: 'IPA width chosen by the VMM; bit ipa_bits-1 is the NS-shared bit (R1)' },
  { path: 'realm.linearMap', section: 'realm', flag: 'linear-map', arg: '<kind>', kind: 'choice', choices: ['pte', 'block'], default: 'pte', doc: 'pte: rodata_full PTE-mapped linear map; block: BBML2_NOABORT 2 MiB blocks split on demand (R22)' },
  { path: 'realm.tlbiRange', section: 'realm', flag: 'tlbi-range', kind: 'bool', default: false, doc: 'FEAT_TLBIRANGE: range TLBIs, no 512-page flush-all cut-off (R15)' },
  { path: 'realm.flushAllThreshold', section: 'realm', flag: 'flush-all', negate: true, kind: 'bool', default: true, doc: 'no flush_tlb_all for ranges of >= 512 pages (R15 threshold off): per-page TLBIs whatever the size' },
  { path: 'realm.flush', section: 'realm', flag: 'flush', arg: '<kind>', kind: 'choice', choices: ['broadcast', 'ipi'], default: 'broadcast', doc: 'how invalidations are priced: broadcast: arm64 TLBI+DSB; ipi: x86-style IPI shootdown (cost comparison)' },
  { path: 'realm.costs', section: 'realm', flag: 'costs', arg: '<file.json|key=ns,...>', kind: 'map', doc: 'modelled ns per action over the defaults of src/cost/table.ts: a JSON file { "broadcastSync": 2000 } or key=ns pairs' },
  { path: 'realm.watchdogSteps', section: 'realm', flag: 'watchdog-steps', arg: '<n>', kind: 'int', default: 20000, min: 1, max: Number.MAX_SAFE_INTEGER, doc: 'steps a vCPU may spend blocked without progress before the watchdog reports a hang' },
  { path: 'realm.opWatchdogSteps', section: 'realm', flag: 'op-watchdog-steps', arg: '<n>', kind: 'int', default: 50000, min: 1, max: Number.MAX_SAFE_INTEGER, doc: 'steps of one vCPU one workload operation may take before the soft-lockup watchdog reports a hang' },
  { path: 'realm.host.partialRate', section: 'realm', flag: 'partial-rate', arg: '<p>', kind: 'number', default: 0.25, min: 0, max: 1, doc: 'probability the host stops an IPA_STATE_SET early (partial progress, R4)' },
  { path: 'realm.host.rejectRate', section: 'realm', flag: 'reject-rate', arg: '<p>', kind: 'number', default: 0.05, min: 0, max: 1, doc: 'probability the host REJECTs an unfinished RAM request (R4)' },
  { path: 'realm.host.stall', section: 'realm', flag: 'host-stall', kind: 'bool', default: false, doc: 'host never progresses IPA_STATE_SET after boot (livelock, R5)' },

  // Each vCPU's program.
  { path: 'workload.ops', section: 'workload', flag: 'ops', arg: '<n>', kind: 'int', default: 200, min: 1, max: Number.MAX_SAFE_INTEGER, doc: 'operations per vCPU program' },
  { path: 'workload.mix', section: 'workload', flag: 'mix', arg: '<op=w,...>', kind: 'map', default: DEFAULT_MIX, keys: Object.keys(DEFAULT_MIX), doc: `relative weights of the operations (default ${Object.entries(DEFAULT_MIX).map(([k, v]) => `${k}=${v}`).join(',')})` },

  // Controlled-mode scheduler (src/sched/).
  { path: 'scheduler.name', section: 'scheduler', flag: 'scheduler', arg: '<name>', kind: 'choice', choices: ['random', 'pct', 'rr'], default: 'random', doc: 'controlled-mode scheduler' },
  { path: 'scheduler.depth', section: 'scheduler', flag: 'depth', arg: '<d>', kind: 'int', default: 3, min: 1, max: 64, doc: 'PCT bug depth (d-1 priority change points)' },
  { path: 'scheduler.quantum', section: 'scheduler', flag: 'quantum', arg: '<q>', kind: 'int', default: 1, min: 1, max: Number.MAX_SAFE_INTEGER, doc: 'round-robin quantum in steps' },

  // One schedule's bound.
  { path: 'maxSteps', section: 'run', flag: 'max-steps', arg: '<n>', kind: 'int', default: 1_000_000, min: 1, max: Number.MAX_SAFE_INTEGER, doc: 'step bound per schedule (controlled) / per actor (free)' },

  // How long each policy runs (src/run/run_policy.ts Budget).
  { path: 'budget.schedules', section: 'budget', flag: 'schedules', arg: '<n>', kind: 'int', min: 1, max: Number.MAX_SAFE_INTEGER, doc: 'stop each policy after n schedules (runs)' },
  { path: 'budget.steps', section: 'budget', flag: 'steps', arg: '<n>', kind: 'int', min: 1, max: Number.MAX_SAFE_INTEGER, doc: 'stop each policy after n steps in total' },
  { path: 'budget.seconds', section: 'budget', flag: 'seconds', arg: '<s>', kind: 'number', min: 0.01, max: 1e6, doc: `stop each policy after s seconds of wall-clock (controlled mode: ${IMPLICIT_SECONDS}, never fewer schedules than the verdict needs, if no other budget is given; free and record: --min-schedules runs)` },
  { path: 'budget.stopOnFirst', section: 'budget', flag: 'stop-on-first', kind: 'bool', default: false, doc: 'stop each policy at its first finding' },
  // No default here on purpose: given, it is also the user's claim of when an uncaught canary is missed (src/check/verdict.ts).
  { path: 'budget.minSchedules', section: 'budget', flag: 'min-schedules', arg: '<n>', kind: 'int', min: 1, max: Number.MAX_SAFE_INTEGER, doc: `a safe policy is clean only with at least this many complete schedules (default: ${DEFAULT_MIN_SCHEDULES}); fewer: INCONCLUSIVE, exit 4. An expected finding not seen is MISSED only after enough complete schedules that a catch was 99.9% sure: at a built-in canary's measured catch rate (and at least n), or, with no measured rate, after the n given here (none given: INCONCLUSIVE). With no budget, free and record mode run n runs` },
  { path: 'budget.lockupSeconds', section: 'budget', flag: 'lockup-seconds', arg: '<s>', kind: 'number', default: 10, min: 0.1, max: 1e6, doc: 'a user policy (module path) runs in a worker thread that is stopped, and reported as a hang (soft lockup), once it sits in one step this long' },
] as const satisfies readonly FieldDef[];

export type Field = (typeof FIELDS)[number];
export type FieldPath = Field['path'];

/** Commands (and the campaign entry) and the fields each takes. */
export type Command = 'run' | 'replay' | 'sweep' | 'entry';

export interface Profile {
  /** Sections, or single paths, whose fields the command takes. */
  readonly take: readonly (Section | FieldPath)[];
  readonly except?: readonly FieldPath[];
  /** Defaults that differ from the table's for this command: declared once, here, and shown in --help (with `why`, unless empty). */
  readonly defaults?: Partial<Record<FieldPath, { readonly value: unknown; readonly why: string }>>;
  /** A narrower set of choices than the field's. */
  readonly choices?: Partial<Record<FieldPath, readonly string[]>>;
  /** Field docs that read differently in this command. */
  readonly docs?: Partial<Record<FieldPath, string>>;
}

/** The built-in policies `sweep` compares by default. */
export const SWEEP_POLICIES = 'mainline,mainline-per-page,alias-flip,paced,gfp-decrypted';

export const PROFILES: Record<Command, Profile> = {
  run: { take: ['target', 'mode', 'realm', 'workload', 'scheduler', 'run', 'budget'] },
  // `replay --seed S --policy P`: one schedule, so no mode or budget; seed and policy have no default.
  replay: {
    take: ['target', 'realm', 'workload', 'scheduler', 'run'],
    defaults: {
      seed: { value: undefined, why: '' },
      policy: { value: undefined, why: '' },
    },
    docs: { seed: 'schedule seed (without a file)', policy: 'policy name or module path (without a file)' },
  },
  // The sweep's own defaults: smaller programs (it runs 7 vCPU counts per policy), BBML2 block mappings
  // (so splits are counted), 2 schedules per point. vCPUs are a list (--vcpus), and memory scales with them.
  sweep: {
    take: ['target', 'mode', 'realm', 'workload', 'scheduler', 'run', 'budget.schedules'],
    except: ['realm.vcpus'],
    defaults: {
      policy: { value: SWEEP_POLICIES, why: 'the sweep compares these' },
      'workload.ops': { value: 100, why: 'sweep default: seven vCPU counts per policy' },
      'realm.linearMap': { value: 'block', why: 'sweep default: BBML2 block mappings, so splits are counted' },
      'budget.schedules': { value: 2, why: 'sweep default: two per policy x vCPU count' },
      'realm.lmPages': { value: undefined, why: 'sweep default: 512 x (1 + ceil(vCPUs / 4)), memory grows with the vCPU count' },
      'realm.vmPages': { value: undefined, why: 'sweep default: max(512, 64 x vCPUs)' },
    },
    choices: { mode: ['controlled', 'free'] },
    docs: { policy: 'comma list of policies', mode: 'controlled (deterministic, any vCPU count) or free (one thread per vCPU)', 'budget.schedules': 'schedules (runs) per policy x vCPU count' },
  },
  // Campaign entries (stress/*.json): the model fields by their flag names ("linearMap": "block");
  // policy, vCPU list and seeds are the entry's own.
  entry: {
    take: ['mode', 'realm', 'workload', 'scheduler', 'run', 'budget.minSchedules'],
    except: ['realm.vcpus'],
    choices: { mode: ['controlled', 'free'] },
  },
};

/** camelCase of a flag: the commander attribute ('lm-pages' -> lmPages). */
export type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;
export const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The value type of a field. */
export type ValueOf<F> = F extends { kind: 'int' | 'number' } ? number
  : F extends { kind: 'bool' } ? boolean
  : F extends { kind: 'choice'; choices: readonly (infer C)[] } ? C
  : F extends { kind: 'map' } ? Record<string, number>
  : string;

/** Every field by its flag attribute: what commander parses, and a campaign entry's keys. */
export type FlagValues = { [F in Field as Camel<F['flag']>]: ValueOf<F> };

export const fieldByPath = (p: string): Field | undefined => FIELDS.find((f) => f.path === p);
export const attrOf = (f: FieldDef): string => camel(f.flag);

/** The fields a command takes, in table order. */
export function fieldsOf(cmd: Command): Field[] {
  const p = PROFILES[cmd];
  const takes = (f: Field): boolean => (p.take as readonly string[]).some((t) => t === f.section || t === f.path);
  return FIELDS.filter((f) => takes(f) && !(p.except as readonly string[] | undefined)?.includes(f.path));
}

/** The default a command uses for a field (its profile's, else the table's); undefined: none. */
export function defaultOf(cmd: Command, f: FieldDef): unknown {
  const o = PROFILES[cmd].defaults?.[f.path as FieldPath];
  return o ? o.value : f.default;
}

export const choicesOf = (cmd: Command, f: FieldDef): readonly string[] | undefined => PROFILES[cmd].choices?.[f.path as FieldPath] ?? f.choices;

/**
 * What is wrong with a value of this field, or null. `want` reads after
 * "must be" (files, code) or "expected" (flags); one place for every range.
 */
export function checkValue(f: FieldDef, v: unknown, choices = f.choices): { want: string; got: string } | null {
  const got = typeof v === 'string' ? `"${v}"` : String(v);
  switch (f.kind) {
    case 'int':
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return { want: f.kind === 'int' ? 'an integer' : 'a number', got };
      if (f.kind === 'int' && !Number.isInteger(v)) return { want: 'an integer', got };
      const max = f.max === undefined || f.max === Number.MAX_SAFE_INTEGER ? undefined : f.max;
      if ((f.min !== undefined && v < f.min) || (max !== undefined && v > max)) return { want: max === undefined ? `>= ${f.min}` : `${f.min}..${max}`, got };
      if (f.multipleOf && v % f.multipleOf !== 0) return { want: `a multiple of ${f.multipleOf}`, got };
      if (f.powerOfTwo && (v & (v - 1)) !== 0) return { want: 'a power of two', got };
      return null;
    }
    case 'bool':
      return typeof v === 'boolean' ? null : { want: 'true or false', got };
    case 'choice':
      return typeof v === 'string' && choices!.includes(v) ? null : { want: `one of ${choices!.join('|')}`, got };
    case 'seed':
    case 'string':
      return typeof v === 'string' && v.trim() !== '' ? null : { want: 'a non-empty string', got };
    case 'map': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return { want: 'an object of non-negative numbers', got };
      for (const [k, x] of Object.entries(v)) {
        if (f.keys && !f.keys.includes(k)) return { want: `one of the keys ${f.keys.join(', ')}`, got: `"${k}"` };
        if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) return { want: `a non-negative number for ${k}`, got: String(x) };
      }
      return null;
    }
  }
}
