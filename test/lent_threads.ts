// Setup file (vitest.config.ts): after each test file, end the worker threads
// that realmraceIn lent to the file's commands (test/cli_helpers.ts), so that
// no file leaves threads behind for the next one in the same fork.

import { afterAll } from 'vitest';
import { closeLentThreads } from './cli_helpers.js';

afterAll(closeLentThreads);
