// Turning command-line flags into a RunConfig, with one-line errors.

import { Command, InvalidArgumentError, Option } from 'commander';
import { runConfig, RunConfig } from '../run/config.js';
import { SCHEDULERS, SchedulerName } from '../sched/scheduler.js';
import { parseSeed } from '../run/seeds.js';

export const intArg = (min: number, max = Number.MAX_SAFE_INTEGER) => (v: string): number => {
  if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`expected an integer, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw new InvalidArgumentError(`expected ${min}..${max}, got ${n}`);
  return n;
};

export const numArg = (min: number, max: number) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${v}"`);
  if (n < min || n > max) throw new InvalidArgumentError(`expected ${min}..${max}, got ${n}`);
  return n;
};

export const choiceArg = <T extends string>(choices: readonly T[]) => (v: string): T => {
  if (!choices.includes(v as T)) throw new InvalidArgumentError(`expected one of ${choices.join('|')}, got "${v}"`);
  return v as T;
};

export const seedArg = (v: string): string => {
  try {
    return parseSeed(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};

/** The flags that define a model configuration: shared by run and replay --seed. */
export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--vcpus <n>', 'vCPUs', intArg(1, 256), 4)
    .option('--ops <n>', 'operations per vCPU program', intArg(1), 200)
    .addOption(new Option('--scheduler <name>', 'controlled-mode scheduler').argParser(choiceArg(SCHEDULERS)).default('random'))
    .option('--depth <d>', 'PCT bug depth', intArg(1, 64), 3)
    .option('--quantum <q>', 'round-robin quantum in steps', intArg(1), 1)
    .addOption(new Option('--linear-map <kind>', 'pte: rodata_full PTE-mapped linear map; block: BBML2_NOABORT 2 MiB blocks split on demand').argParser(choiceArg(['pte', 'block'] as const)).default('pte'))
    .option('--tlbi-range', 'FEAT_TLBIRANGE: range TLBIs, no 512-page flush-all cut-off')
    .option('--lm-pages <n>', 'linear-map pages (multiple of 512)', intArg(512, 1 << 20))
    .option('--vm-pages <n>', 'vmalloc area pages', intArg(16, 1 << 20))
    .option('--tlb-entries <n>', 'TLB entries per vCPU (power of two)', intArg(1, 1 << 16))
    .option('--partial-rate <p>', 'probability the host stops an IPA_STATE_SET early', numArg(0, 1))
    .option('--reject-rate <p>', 'probability the host REJECTs an unfinished RAM request', numArg(0, 1))
    .option('--host-stall', 'host never progresses IPA_STATE_SET (livelock, R5)')
    .option('--max-steps <n>', 'step bound per schedule (controlled) / per actor (free)', intArg(1), 1_000_000);
}

export interface ModelFlags {
  vcpus: number;
  ops: number;
  scheduler: SchedulerName;
  depth: number;
  quantum: number;
  linearMap: 'pte' | 'block';
  tlbiRange?: boolean;
  lmPages?: number;
  vmPages?: number;
  tlbEntries?: number;
  partialRate?: number;
  rejectRate?: number;
  hostStall?: boolean;
  maxSteps: number;
}

export interface RunFlags extends ModelFlags {
  policy: string;
  mode: 'controlled' | 'free' | 'record';
  seed: string;
  schedules?: number;
  steps?: number;
  seconds?: number;
  stopOnFirst?: boolean;
  reproDir: string;
  json?: boolean;
}

export function configFromFlags(f: ModelFlags): RunConfig {
  return runConfig({
    realm: {
      vcpus: f.vcpus,
      linearMap: f.linearMap,
      tlbiRange: !!f.tlbiRange,
      ...(f.lmPages !== undefined ? { lmPages: f.lmPages } : {}),
      ...(f.vmPages !== undefined ? { vmPages: f.vmPages } : {}),
      ...(f.tlbEntries !== undefined ? { tlbEntries: f.tlbEntries } : {}),
      host: {
        ...(f.partialRate !== undefined ? { partialRate: f.partialRate } : {}),
        ...(f.rejectRate !== undefined ? { rejectRate: f.rejectRate } : {}),
        ...(f.hostStall ? { stall: true } : {}),
      },
    },
    workload: { ops: f.ops },
    scheduler: { name: f.scheduler, depth: f.depth, quantum: f.quantum },
    maxSteps: f.maxSteps,
  });
}

export { SCHEDULERS };
