#!/usr/bin/env node
// realmrace command line.

import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../run/errors.js';
import { SCHEDULERS } from '../sched/scheduler.js';
import { choiceArg, intArg, numArg, seedArg, RunFlags } from './options.js';
import { runCommand } from './run_command.js';
import { VERSION } from '../version.js';


export async function main(argv: string[]): Promise<number> {
  const program = new Command('realmrace')
    .description('Concurrency stress harness for the Arm CCA realm guest memory-sharing protocol')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.replace(/^error: /, 'realmrace: error: ')) });
  let exit = 0;
  program
    .command('run')
    .description('run policies against the model and print expected vs observed outcomes')
    .option('--policy <names>', 'comma list of built-in policy names or paths to .js policy modules, or "all"', 'all')
    .option('--vcpus <n>', 'vCPUs', intArg(1, 256), 4)
    .addOption(new Option('--mode <mode>', 'controlled: seeded scheduler, one thread; free: one worker thread per vCPU').argParser(choiceArg(['controlled', 'free'] as const)).default('controlled'))
    .option('--seed <seed>', 'base seed (hex 0x..., decimal or any string); schedule 0 uses it as is', seedArg, '0x1')
    .option('--schedules <n>', 'stop each policy after n schedules (runs)', intArg(1))
    .option('--steps <n>', 'stop each policy after n steps in total', intArg(1))
    .option('--seconds <s>', 'stop each policy after s seconds of wall-clock (default 1 if no other budget)', numArg(0.01, 1e6))
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
    .option('--max-steps <n>', 'step bound per schedule (controlled) / per actor (free)', intArg(1), 1_000_000)
    .option('--stop-on-first', 'stop each policy at its first finding')
    .option('--json', 'print the outcome as JSON')
    .action(async (opts: RunFlags) => {
      exit = await runCommand(opts);
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
