#!/usr/bin/env node
// realmrace command line.

import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../run/errors.js';
import { addModelOptions, choiceArg, intArg, numArg, seedArg, RunFlags } from './options.js';
import { replayCommand, ReplayFlags } from './replay_command.js';
import { shrinkCommand, ShrinkFlags } from './shrink_command.js';
import { showCommand, ShowFlags } from './show_command.js';
import { sweepCommand, SweepFlags, DEFAULT_SWEEP_POLICIES } from './sweep_command.js';
import { runCommand } from './run_command.js';
import { nightlyCommand, mergeCommand, NightlyFlags } from './nightly_command.js';
import { VERSION } from '../version.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('realmrace')
    .description('Concurrency stress harness for the Arm CCA realm guest memory-sharing protocol')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.replace(/^error: /, 'realmrace: error: ')) });
  let exit = 0;
  addModelOptions(program
    .command('run')
    .description('run policies against the model and print expected vs observed outcomes')
    .option('--policy <names>', 'comma list of built-in policy names or paths to .js policy modules, or "all"', 'all')
    .addOption(new Option('--mode <mode>', 'controlled: seeded scheduler, one thread; free: one worker thread per vCPU; record: worker threads under a global step lock, replayable').argParser(choiceArg(['controlled', 'free', 'record'] as const)).default('controlled'))
    .option('--seed <seed>', 'base seed (hex 0x..., decimal or any string); schedule 0 uses it as is', seedArg, '0x1')
    .option('--schedules <n>', 'stop each policy after n schedules (runs)', intArg(1))
    .option('--steps <n>', 'stop each policy after n steps in total', intArg(1))
    .option('--seconds <s>', 'stop each policy after s seconds of wall-clock (default 1 if no other budget)', numArg(0.01, 1e6))
    .option('--stop-on-first', 'stop each policy at its first finding')
    .option('--repro-dir <dir>', 'where reproducers are written (one per distinct signature)', 'realmrace-repro')
    .option('--json', 'print the outcome as JSON'))
    .action(async (opts: RunFlags) => {
      exit = await runCommand(opts);
    });
  addModelOptions(program
    .command('replay')
    .argument('[file]', 'reproducer JSON written by run or shrink')
    .description('re-run one schedule exactly: from a reproducer file, or from --seed and --policy with the model flags')
    .option('--seed <seed>', 'schedule seed (without a file)', seedArg)
    .option('--policy <name>', 'policy name or module path (without a file)')
    .option('--threads', 'run every actor in its own worker thread, passing the turn (same trace hash)')
    .option('--check', 'replay twice and fail if the two traces differ anywhere (nondeterminism self-check)')
    .option('--json', 'print the result as JSON'))
    .action(async (file: string | undefined, opts: ReplayFlags) => {
      exit = await replayCommand(file, opts);
    });
  program
    .command('shrink')
    .argument('<file>', 'reproducer JSON with a recorded schedule')
    .description('delta-debug a reproducer to fewer vCPUs, operations and context switches with the same signature')
    .option('--out <file>', 'where to write the minimal reproducer (default: <file>.min.json)')
    .option('--max-tests <n>', 'most candidate runs to try', intArg(1), 5000)
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: ShrinkFlags) => {
      exit = await shrinkCommand(file, opts);
    });
  program
    .command('sweep')
    .description('TLB flush cost versus CPU count: each policy at each vCPU count, modelled and measured')
    .option('--vcpus <list>', 'comma list of vCPU counts', '1,2,4,8,16,32,64')
    .option('--policy <names>', 'comma list of policies', DEFAULT_SWEEP_POLICIES)
    .addOption(new Option('--flush <kind>', 'broadcast: arm64 TLBI+DSB; ipi: x86-style IPI shootdown (cost comparison)').argParser(choiceArg(['broadcast', 'ipi'] as const)).default('broadcast'))
    .addOption(new Option('--mode <mode>', 'controlled (deterministic, any vCPU count) or free (one thread per vCPU)').argParser(choiceArg(['controlled', 'free'] as const)).default('controlled'))
    .option('--schedules <n>', 'schedules (runs) per policy x vCPU count', intArg(1), 2)
    .option('--ops <n>', 'operations per vCPU program', intArg(1), 100)
    .option('--seed <seed>', 'base seed', seedArg, '0x1')
    .addOption(new Option('--linear-map <kind>', 'block (BBML2_NOABORT, splits counted) or pte').argParser(choiceArg(['pte', 'block'] as const)).default('block'))
    .option('--tlbi-range', 'FEAT_TLBIRANGE')
    .option('--no-flush-all', 'no flush_tlb_all for ranges of >= 512 pages (R15 threshold off)')
    .option('--costs <file.json>', 'override cost-table entries (src/cost/table.ts names, ns)')
    .option('--out <dir>', 'where sweep.csv, sweep.json and sweep.svg go', 'realmrace-sweep')
    .option('--json', 'print the JSON instead of the table')
    .action(async (opts: SweepFlags) => {
      exit = await sweepCommand(opts);
    });
  program
    .command('nightly')
    .description('run a stress campaign for CI: budgeted, parallel, resumable, shardable; JSON/JUnit/Markdown outputs')
    .option('--config <file>', 'campaign config (JSON)', 'stress/nightly.json')
    .option('--budget <time>', 'time budget, e.g. 30m (default: the config\'s)')
    .option('--out <dir>', 'results directory', 'results')
    .option('--shard <i/N>', 'run the i-th of N deterministic slices')
    .option('--resume', 'continue a killed campaign in --out without repeating finished runs')
    .option('--threads <n>', 'worker threads for controlled seeds (default: cores)', intArg(1, 256))
    .action(async (opts: NightlyFlags) => {
      exit = await nightlyCommand(opts);
    });
  program
    .command('merge')
    .argument('<dirs...>', 'results directories of shards of one campaign')
    .description('combine shard results into one summary, JUnit file and set of reproducers')
    .option('--out <dir>', 'where the merged outputs go', 'results-merged')
    .action(async (dirs: string[], opts: { out: string }) => {
      exit = await mergeCommand(dirs, opts);
    });
  program
    .command('show')
    .argument('<file>', 'reproducer JSON')
    .description('replay a reproducer and show the interleaving: per-vCPU columns, or an HTML page with SVG swimlanes')
    .option('--html <out.html>', 'write a self-contained HTML swimlane page instead of printing columns')
    .option('--last <n>', 'show only the last n steps', intArg(1))
    .option('--width <cols>', 'terminal width for the columns', intArg(60, 1000), process.stdout.columns && process.stdout.columns > 60 ? process.stdout.columns : 160)
    .action(async (file: string, opts: ShowFlags) => {
      exit = await showCommand(file, opts);
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1; // commander already printed the message
    if (e instanceof ConfigError) {
      process.stderr.write(`realmrace: error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    process.stderr.write(`realmrace: internal error: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 3;
  },
);
