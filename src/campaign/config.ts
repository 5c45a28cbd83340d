// Campaign configs (stress/*.json): policies x vCPU counts x modes x seeds under
// a time budget. Validated with zod; a bad file names the field. Expanded into
// cases (one per policy x mode x vCPU count) and an ordered list of work units
// whose seeds derive from the campaign seed, so the explored set never depends
// on the core count or the shard count.

import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../run/errors.js';
import { parseSeed } from '../run/seeds.js';
import { fieldByPath, fieldsOf, attrOf, type FlagValues } from '../config/fields.js';
import { entryFieldsShape, fieldSchema, firstIssue } from '../config/schema.js';
import { overridesFromFlags } from '../config/flags.js';
import { runSpec, configOf, type RunConfig, type SpecOverrides } from '../config/spec.js';

// An entry's model fields (ops, maxSteps, linearMap, tlbiRange, scheduler, minSchedules, ...) are the run
// spec's fields under their flag names, generated from src/config/fields.ts; left out, they take its defaults.
const entrySchema = z.strictObject({
  policy: z.string().min(1),
  vcpus: z.array(fieldSchema(fieldByPath('realm.vcpus')!)).min(1),
  /** Controlled: seeds (schedules) to run at most. Free: runs. */
  seeds: z.number().int().min(1),
  /** A known-unsafe policy that must be caught every night. Defaults to "the policy expects findings". */
  canary: z.boolean().optional(),
  ...entryFieldsShape(),
});

export const campaignSchema = z.object({
  name: z.string().min(1),
  seed: z.string().min(1),
  budget: z.string().regex(/^\d+(\.\d+)?(s|m|h)$/, 'a duration like 90s, 30m or 2h'),
  /** Longest one run may take before it is reported as a hung worker (harness failure). */
  taskTimeout: z.string().regex(/^\d+(\.\d+)?(s|m|h)$/, 'a duration like 90s, 30m or 2h').default('120s'),
  /** After SIGINT/SIGTERM, how long runs in flight may take to end before they are cancelled (default 2s). */
  interruptGrace: z.string().regex(/^\d+(\.\d+)?(s|m|h)$/, 'a duration like 90s, 30m or 2h').optional(),
  entries: z.array(entrySchema).min(1),
}).strict();

/** The model fields an entry may set, by flag name. */
export type EntryModel = Partial<Omit<FlagValues, 'vcpus' | 'seed' | 'policy' | 'mode' | 'schedules' | 'steps' | 'seconds' | 'stopOnFirst'>> & { mode?: 'controlled' | 'free' };

export interface CampaignEntry extends EntryModel {
  policy: string;
  vcpus: number[];
  seeds: number;
  canary?: boolean;
}

export type CampaignConfig = Omit<z.infer<typeof campaignSchema>, 'entries'> & { entries: CampaignEntry[] };

export function parseDuration(s: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(s.trim());
  if (!m) throw new ConfigError(`${what}: expected a duration like 90s, 30m or 2h, got "${s}"`);
  return Number(m[1]) * (m[2] === 's' ? 1 : m[2] === 'm' ? 60 : 3600) * 1000;
}

export interface LoadedCampaign { config: CampaignConfig; hash: string; path: string }

export function loadCampaign(path: string): LoadedCampaign {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`campaign config ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`campaign config ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const r = campaignSchema.safeParse(json);
  if (!r.success) throw new ConfigError(`campaign config ${path}: ${firstIssue(r.error)}`);
  const config = r.data as CampaignConfig;
  config.entries.forEach((e, i) => {
    try {
      entrySpec(e, e.vcpus[0]);
    } catch (err) {
      throw new ConfigError(`campaign config ${path}: entries.${i}: ${(err as Error).message}`);
    }
  });
  try {
    parseSeed(r.data.seed);
  } catch (e) {
    throw new ConfigError(`campaign config ${path}: seed: ${(e as Error).message}`);
  }
  return { config, hash: createHash('sha256').update(text).digest('hex').slice(0, 16), path };
}

/** The run spec of one entry at one vCPU count: the spec's defaults with the entry's model fields laid over. */
function entrySpec(e: CampaignEntry, vcpus: number): ReturnType<typeof runSpec> {
  const over = overridesFromFlags('entry', e as unknown as Record<string, unknown>) as SpecOverrides;
  return runSpec({ ...over, realm: { ...over.realm, vcpus } });
}

/** One policy x mode x vCPU count: a JUnit testcase, a row of the summary. */
export interface CampaignCase {
  id: string;
  entry: number;
  policy: string;
  mode: 'controlled' | 'free';
  vcpus: number;
  ops: number;
  maxSteps: number;
  linearMap: 'pte' | 'block';
  seeds: number;
  /**
   * Complete runs a clean verdict needs (default DEFAULT_MIN_SCHEDULES); given, also the
   * runs after which a canary with no measured catch rate is called missed (src/check/verdict.ts).
   */
  minSchedules?: number;
  canary?: boolean;
  /** The entry's model fields as given (flag names); caseRunConfig() lays them over the defaults. */
  model: EntryModel;
}

/** What one run of a case runs: the config the workers and reproducers get. */
export const caseRunConfig = (k: CampaignCase): RunConfig => configOf(entrySpec({ ...k.model, policy: k.policy, vcpus: [k.vcpus], seeds: k.seeds }, k.vcpus));

const modelOf = (e: CampaignEntry): EntryModel =>
  Object.fromEntries(fieldsOf('entry').map(attrOf).filter((a) => (e as unknown as Record<string, unknown>)[a] !== undefined).map((a) => [a, (e as unknown as Record<string, unknown>)[a]]));

/** One run: a case and the index of its seed. */
export interface WorkUnit { caseId: string; index: number; seed: string; global: number }

export function expandCases(c: CampaignConfig): CampaignCase[] {
  const out: CampaignCase[] = [];
  c.entries.forEach((e, i) => {
    for (const v of e.vcpus) {
      const s = entrySpec(e, v);
      const mode = s.mode as 'controlled' | 'free';
      out.push({ id: `${i}:${e.policy}:${mode}:${v}v`, entry: i, policy: e.policy, mode, vcpus: v, ops: s.workload.ops, maxSteps: s.maxSteps, linearMap: s.realm.linearMap, seeds: e.seeds, minSchedules: s.budget.minSchedules, canary: e.canary, model: modelOf(e) });
    }
  });
  return out;
}

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The seed of run `index` of a case: from the campaign seed, the case and the index only. */
export const unitSeed = (campaignSeed: string, caseId: string, index: number): string =>
  '0x' + fnv(`${campaignSeed}|${caseId}|${index}`).toString(16).padStart(8, '0') + fnv(`${index}|${caseId}|${campaignSeed}`).toString(16).padStart(8, '0');

/**
 * All runs, interleaved across cases (seed 0 of every case, then seed 1, ...) so
 * that a budget cut leaves every case explored about equally. `global` is the
 * unit's position: shard i/N takes the units with global % N == i - 1.
 */
export function workUnits(c: CampaignConfig, cases: CampaignCase[]): WorkUnit[] {
  const out: WorkUnit[] = [];
  const most = Math.max(...cases.map((k) => k.seeds));
  for (let i = 0; i < most; i++) {
    for (const k of cases) if (i < k.seeds) out.push({ caseId: k.id, index: i, seed: unitSeed(parseSeed(c.seed), k.id, i), global: out.length });
  }
  return out;
}
