// Turning command-line flags into a RunConfig, with one-line errors.

import { InvalidArgumentError } from 'commander';
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

export interface RunFlags {
  policy: string;
  vcpus: number;
  mode: 'controlled' | 'free';
  seed: string;
  schedules?: number;
  steps?: number;
  seconds?: number;
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
  stopOnFirst?: boolean;
  json?: boolean;
}

export function configFromFlags(f: RunFlags): RunConfig {
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
