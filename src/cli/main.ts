// realmrace command line. `main(argv, io?)` parses and runs one command and
// returns its exit status; it does nothing on import (src/cli/bin.ts runs it).
// Only commander and the spec's field table are loaded up front, so `--help`
// stays fast; each command's module is imported when that command runs.

import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import { ConfigError } from '../run/errors.js';
import { addSpecOptions, intArg } from '../config/flags.js';
import { VERSION } from '../version.js';
import type { RunFlags } from './options.js';
import type { ReplayFlags } from './replay_command.js';
import type { ShrinkFlags } from './shrink_command.js';
import type { ShowFlags } from './show_command.js';
import type { SweepFlags } from './sweep_command.js';
import type { NightlyFlags } from './nightly_command.js';
import type { LitmusFlags } from './litmus_command.js';
import type { SchedulePools } from '../campaign/schedule_pools.js';
import type { ActorPools } from '../run/free.js';

// commander is CommonJS: require() it (see config/flags.ts).
const { Command, CommanderError, InvalidArgumentError, Option } = createRequire(import.meta.url)('commander') as typeof Commander;
type Command = Commander.Command;

/** Where the output goes. Given, main sends process.stdout/stderr writes there for the call (in-process tests). */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Both go to a terminal this wide (a fake one in tests); absent: neither is a terminal. */
  columns?: number;
}

/**
 * What a process that runs many commands lends them (in-process tests): worker
 * threads kept warm across commands. Absent (the bin): each command starts its own.
 */
export interface Host {
  /** Schedule threads, one pool per thread count: campaigns' controlled runs (nightly), and user policies' controlled schedules in `run` (one thread); the host closes them. */
  schedulePools?: SchedulePools;
  /** Threads for free- and record-mode actors (run --mode free|record), one pool per thread count; the host closes them. */
  actorPools?: ActorPools;
}

/** What --wide does, in every command that prints tables or long lines. */
const WIDE = 'every column, no line wrapped (default: fit the terminal, else 100 columns)';

/** --lockup-seconds for the commands that replay a reproducer: a user policy replays in a thread stopped when stuck. */
function lockupOption(): Commander.Option {
  return new Option('--lockup-seconds <s>', 'a user policy (module path) replays in a worker thread that is stopped, and reported as a hang (soft lockup), once it sits in one step this long (default: 10)')
    .argParser((raw: string) => {
      const v = raw.trim() === '' ? NaN : Number(raw);
      if (!(v >= 0.1 && v <= 1e6)) throw new InvalidArgumentError(`expected 0.1..1000000, got ${raw}`);
      return v;
    });
}

/**
 * The command tree. The field table's options (some 30 a command) are built
 * only on the commands `withSpec` names (main: the commands its line names):
 * the top-level help lists each command's name, arguments and description, so
 * `realmrace --help` and the other commands do without them.
 */
export function program(io: Io, done: (code: number) => void, withSpec: (cmd: 'run' | 'replay' | 'sweep') => boolean = () => true, host: Host = {}): Command {
  const spec = (c: Command, cmd: 'run' | 'replay' | 'sweep'): Command => (withSpec(cmd) ? addSpecOptions(c, cmd) : c);
  const p = new Command('realmrace')
    .description('Concurrency stress harness for the Arm CCA realm guest memory-sharing protocol')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: (s) => io.err(s.replace(/^error: /, 'realmrace: error: ')) });
  spec(p
    .command('run')
    .description('run policies against the model and print expected vs observed outcomes'), 'run')
    .option('--repro-dir <dir>', 'where reproducers are written (one per distinct signature)', 'realmrace-repro')
    .option('--json', 'print the outcome as one JSON document, with every column (nothing else on stdout)')
    .option('--wide', WIDE)
    .action(async (opts: RunFlags) => {
      done(await (await import('./run_command.js')).runCommand(opts, host));
    });
  spec(p
    .command('replay')
    .argument('[file]', 'reproducer JSON written by run or shrink')
    .description('re-run one schedule exactly: from a reproducer file, or from --seed and --policy with the model flags'), 'replay')
    .option('--threads', 'run every actor in its own worker thread, passing the turn (same trace hash)')
    .option('--check', 'replay twice and fail if the two traces differ anywhere (nondeterminism self-check)')
    .option('--json', 'print the result as JSON')
    .addOption(lockupOption())
    .action(async (file: string | undefined, opts: ReplayFlags) => {
      done(await (await import('./replay_command.js')).replayCommand(file, opts));
    });
  p
    .command('shrink')
    .argument('<file>', 'reproducer JSON with a recorded schedule')
    .description('delta-debug a reproducer to fewer vCPUs, operations and context switches with the same signature')
    .option('--out <file>', 'where to write the minimal reproducer (default: <file>.min.json)')
    .option('--max-tests <n>', 'most candidate runs to try', intArg(1), 5000)
    .option('--json', 'print the result as JSON')
    .addOption(lockupOption())
    .action(async (file: string, opts: ShrinkFlags) => {
      done(await (await import('./shrink_command.js')).shrinkCommand(file, opts));
    });
  spec(p
    .command('sweep')
    .description('TLB flush cost versus CPU count: each policy at each vCPU count, modelled and measured')
    .option('--vcpus <list>', 'comma list of vCPU counts', '1,2,4,8,16,32,64'), 'sweep')
    .option('--out <dir>', 'where sweep.csv, sweep.json and sweep.svg go', 'realmrace-sweep')
    .option('--json', 'print the JSON instead of the table, with every column (nothing else on stdout)')
    .option('--wide', WIDE)
    .action(async (opts: SweepFlags) => {
      done(await (await import('./sweep_command.js')).sweepCommand(opts));
    });
  p
    .command('nightly')
    .description('run a stress campaign for CI: budgeted, parallel, resumable, shardable; JSON/JUnit/Markdown outputs')
    .option('--config <file>', 'campaign config (JSON)', 'stress/nightly.json')
    .option('--budget <time>', 'time budget, e.g. 30m (default: the config\'s)')
    .option('--out <dir>', 'results directory', 'results')
    .option('--shard <i/N>', 'run the i-th of N deterministic slices')
    .option('--resume', 'continue a killed campaign in --out without repeating finished runs')
    .option('--threads <n>', 'worker threads for controlled seeds (default: cores)', intArg(1, 256))
    .option('--wide', WIDE)
    .option('--json', 'print the summary (as summary.json: every column) on stdout, nothing else; progress and the human lines go to stderr')
    .action(async (opts: NightlyFlags) => {
      done(await (await import('./nightly_command.js')).nightlyCommand(opts, host.schedulePools));
    });
  p
    .command('merge')
    .argument('<dirs...>', 'results directories of shards of one campaign')
    .description('combine shard results into one summary, JUnit file and set of reproducers')
    .option('--out <dir>', 'where the merged outputs go', 'results-merged')
    .option('--wide', WIDE)
    .option('--json', 'print the merged summary (as summary.json) on stdout, nothing else; the human lines go to stderr')
    .action(async (dirs: string[], opts: { out: string; wide?: boolean; json?: boolean }) => {
      done(await (await import('./nightly_command.js')).mergeCommand(dirs, opts));
    });
  p
    .command('show')
    .argument('<file>', 'reproducer JSON')
    .description('replay a reproducer and show the interleaving: per-vCPU columns, or an HTML page with SVG swimlanes')
    .option('--html <out.html>', 'write a self-contained HTML swimlane page instead of printing columns')
    .option('--last <n>', 'show only the last n steps', intArg(1))
    .option('--token <token>', 'with a .litmus.toml file: the replay token of an outcome, as `realmrace litmus` prints it')
    .addOption(new Option('--width <cols>', 'terminal width for the columns (default: the terminal\'s, else 160)').argParser(intArg(60, 1000)))
    .addOption(lockupOption())
    .action(async (file: string, opts: ShowFlags & { token?: string }) => {
      const width = opts.width ?? (process.stdout.columns && process.stdout.columns > 60 ? process.stdout.columns : 160);
      if (file.endsWith('.litmus.toml') || opts.token !== undefined) {
        // A litmus witness: the same replay as `realmrace litmus FILE --show TOKEN`.
        if (opts.token === undefined) throw new ConfigError(`show ${file}: a litmus test needs --token <token> (each outcome's token is printed by realmrace litmus ${file})`);
        if (file.endsWith('.json')) throw new ConfigError(`show ${file}: --token is for litmus tests (.litmus.toml); a reproducer needs no token`);
        done((await import('./litmus_command.js')).litmusCommand([file], { show: opts.token, width: opts.width }));
        return;
      }
      done(await (await import('./show_command.js')).showCommand(file, { ...opts, width }));
    });
  p
    .command('litmus')
    .argument('<files...>', 'Arm VMSA litmus tests (.litmus.toml, the litmus-tests-armv8a-system-vmsa format)')
    .description('check VMSA litmus tests exhaustively against the Armv8-A ETS (strong) TLB maintenance model; herd-style output; exit 5: unsupported feature')
    .option('--show <token>', 'replay the witness of one outcome (its token from the output) step by step, one column per PE')
    .option('--width <cols>', 'terminal width for --show', intArg(60, 1000), 120)
    .action(async (files: string[], opts: LitmusFlags) => {
      done((await import('./litmus_command.js')).litmusCommand(files, opts));
    });
  return p;
}

const processIo: Io = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };

/** Run one command line (without the node and script words); resolves to the exit status. */
export async function main(argv: string[], io?: Io, host: Host = {}): Promise<number> {
  const restore = io ? redirect(io) : () => {};
  const to = io ?? processIo;
  let exit = 0;
  try {
    await program(to, (code) => { exit = code; }, (cmd) => argv.includes(cmd), host).parseAsync(argv, { from: 'user' });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1; // commander already printed the message
    if (e instanceof ConfigError) {
      to.err(`realmrace: error: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`); // one line, whatever a parser's message held
      return 1;
    }
    to.err(`realmrace: internal error: ${(e as Error).stack ?? e}\n`);
    return 3;
  } finally {
    restore();
  }
}

/** Send process.stdout/stderr writes to io until the returned function is called; the streams are a terminal only if io says so. */
function redirect(io: Io): () => void {
  const streams = [process.stdout, process.stderr];
  const saved = streams.map((s) => ({ write: s.write, isTTY: s.isTTY, columns: s.columns }));
  const to = (f: (s: string) => void) => ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    f(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = to(io.out);
  process.stderr.write = to(io.err);
  for (const s of streams) {
    s.isTTY = io.columns !== undefined;
    s.columns = io.columns as number;
  }
  return () => {
    streams.forEach((s, i) => {
      s.write = saved[i].write;
      s.isTTY = saved[i].isTTY;
      s.columns = saved[i].columns;
    });
  };
}
