#!/usr/bin/env node
// The `realmrace` executable: run main() on the process's arguments.

import { main } from './main.js';

// A reader that goes away (`realmrace run | head`) is not an error of ours: drop the
// rest of the output, but finish the work (reproducers, result files) and keep the exit status.
for (const out of [process.stdout, process.stderr]) {
  out.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
