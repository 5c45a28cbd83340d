// piscina worker entry for controlled schedules (./schedule.ts), CommonJS on purpose.
// piscina 5 loads its worker file with require() first. On Node >= 20.19 a
// require() of an ES module instantiates the whole graph synchronously, and a
// worker terminated in that window (pool.destroy() while a thread is still
// starting, a task timeout's replacement thread, process exit) aborts the whole
// process: "FATAL ERROR: v8::Module::IsGraphAsync ... must be used on an
// instantiated module" (node's ModuleWrap::InstantiateSync does not stop on
// termination). So no ES module is loaded at start-up: this file require()s
// ./schedule.ts and everything it imports, bundled at build time into one
// CommonJS file (./bundle/schedule.cjs, by src/build/bundle_workers.ts). The
// thread then reads and compiles one file, not 40 to 60 modules, and never starts
// node's ES module loader (stress/kill_in_instantiate.ts shows all three).
// The bundle has no TypeScript source, hence `as string` (TypeScript does not
// resolve it) and the handler's type taken from ./schedule.ts.

import type handler from './schedule.js';

export = require('./bundle/schedule.cjs' as string) as typeof handler;
