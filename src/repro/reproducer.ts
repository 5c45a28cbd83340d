// Reproducer files: everything needed to re-run one failing schedule exactly
// (config, policy and its hash, per-vCPU programs, scheduler seed, the explicit
// schedule, the finding's signature and the trace hash). Validated on load.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../run/errors.js';
import { VERSION } from '../version.js';
import { runConfig, type RunConfig } from '../config/spec.js';
import { firstIssue, runConfigSchema } from '../config/schema.js';
import type { ProgramSpec } from '../workload/program.js';
import type { RecordedSchedule } from '../sched/recorder.js';
import { FINDING_KINDS } from '../check/finding.js';
import { decodeI32, decodeU16, decodeU8, encodeI32, encodeU16, encodeU8 } from './codec.js';

export const REPRO_SCHEMA = 'realmrace-reproducer/1';

// The config is the RunConfig part of the run spec: schema and defaults from src/config/fields.ts.
// A field a file leaves out takes the spec's default, so reproducers of older versions still load.
const configSchema = runConfigSchema();
const programSchema = z.object({
  seed: z.string().min(1), ops: z.number().int().min(0),
  keep: z.array(z.number().int().min(0)).optional(), single: z.array(z.number().int().min(0)).optional(),
}).strict();

export const reproducerSchema = z.object({
  schema: z.literal(REPRO_SCHEMA),
  tool: z.object({ name: z.literal('realmrace'), version: z.string() }).strict(),
  /** How the failure was found: controlled schedules replay exactly; record-mode tickets too; free mode only by seed. */
  foundIn: z.enum(['controlled', 'record', 'free', 'shrink']),
  exact: z.boolean(),
  config: configSchema,
  policy: z.object({ spec: z.string().min(1), name: z.string().min(1), hash: z.string().min(1) }).strict(),
  seed: z.string().min(1),
  programs: z.array(programSchema).min(1),
  schedule: z.object({
    steps: z.number().int().min(0),
    actors: z.string(),
    ops: z.string(),
    checks: z.string(),
    /** Answers to the model's choices in order (Int32, base64); absent: the seeded answers. */
    choices: z.string().optional(),
    stopAtStep: z.number().int().min(0).optional(),
  }).strict().optional(),
  finding: z.object({
    kind: z.enum(FINDING_KINDS as [string, ...string[]]),
    signature: z.string().min(1),
    step: z.number().int().min(0),
    actor: z.number().int().min(0),
    detail: z.string(),
  }).strict(),
  traceHash: z.string().regex(/^[0-9a-f]*$/),
}).strict();

export type ReproducerFile = Omit<z.infer<typeof reproducerSchema>, 'config'> & { config: RunConfig };

/** A reproducer with its schedule decoded. */
export interface Reproducer extends Omit<ReproducerFile, 'schedule'> {
  schedule?: RecordedSchedule & { stopAtStep?: number };
}

export function encodeReproducer(r: Reproducer): ReproducerFile {
  const { schedule, ...rest } = r;
  return {
    ...rest,
    schedule: schedule && {
      steps: schedule.actors.length,
      actors: encodeU8(schedule.actors), ops: encodeI32(schedule.ops), checks: encodeU16(schedule.checks),
      ...(schedule.choices !== undefined ? { choices: encodeI32(schedule.choices) } : {}),
      ...(schedule.stopAtStep !== undefined ? { stopAtStep: schedule.stopAtStep } : {}),
    },
  };
}

export function writeReproducer(path: string, r: Reproducer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(encodeReproducer(r), null, 2) + '\n');
}

/** Parse and validate; any problem is a ConfigError naming the file and the field. */
export function parseReproducer(text: string, path: string): Reproducer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`reproducer ${path} is not valid JSON (${(e as Error).message}); the file is corrupt or truncated`);
  }
  const schema = (json as { schema?: unknown } | null)?.schema;
  if (typeof json !== 'object' || json === null || schema === undefined) throw new ConfigError(`reproducer ${path} is not a realmrace reproducer (no "schema" field; expected ${REPRO_SCHEMA})`);
  if (schema !== REPRO_SCHEMA) throw new ConfigError(`reproducer ${path} is invalid: schema: ${JSON.stringify(schema)}, but realmrace ${VERSION} reads only ${REPRO_SCHEMA}`);
  const parsed = reproducerSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`reproducer ${path} is invalid: ${firstIssue(parsed.error)}`);
  let config: RunConfig;
  try {
    config = runConfig(parsed.data.config as Parameters<typeof runConfig>[0]);
  } catch (e) {
    throw new ConfigError(`reproducer ${path} is invalid: config: ${(e as Error).message}`);
  }
  if (parsed.data.programs.length !== config.realm.vcpus) throw new ConfigError(`reproducer ${path} is invalid: programs: ${parsed.data.programs.length} programs for ${config.realm.vcpus} vCPUs`);
  const f = { ...parsed.data, config };
  const { schedule, ...rest } = f;
  if (!schedule) return rest as Reproducer;
  try {
    const actors = decodeU8(schedule.actors, 'schedule.actors');
    const ops = decodeI32(schedule.ops, 'schedule.ops');
    const checks = decodeU16(schedule.checks, 'schedule.checks');
    const choices = schedule.choices !== undefined ? decodeI32(schedule.choices, 'schedule.choices') : undefined;
    if (actors.length !== schedule.steps || ops.length !== schedule.steps || checks.length !== schedule.steps) {
      throw new Error(`schedule.steps is ${schedule.steps} but it holds ${actors.length} actors, ${ops.length} ops, ${checks.length} checks`);
    }
    const n = f.config.realm.vcpus + 1;
    const bad = actors.findIndex((a) => a >= n);
    if (bad >= 0) throw new Error(`schedule.actors[${bad}] = ${actors[bad]} but there are only ${n} actors`);
    const neg = choices?.findIndex((v) => v < 0) ?? -1;
    if (neg >= 0) throw new Error(`schedule.choices[${neg}] = ${choices![neg]} is negative`);
    return { ...(rest as Reproducer), schedule: { actors, ops, checks, ...(choices ? { choices } : {}), stopAtStep: schedule.stopAtStep } };
  } catch (e) {
    throw new ConfigError(`reproducer ${path} is invalid: ${(e as Error).message}`);
  }
}

export function readReproducer(path: string): Reproducer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read reproducer ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseReproducer(text, path);
}

export type { RunConfig, ProgramSpec };
