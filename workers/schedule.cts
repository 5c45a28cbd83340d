// piscina worker entry for controlled schedules (./schedule.ts), CommonJS on purpose.
// piscina 5 loads its worker file with require() first. On Node >= 20.19 that
// require() of an ES module instantiates the whole graph synchronously, and a
// worker terminated in that window (pool.destroy() while a thread is still
// starting, a task timeout's replacement thread, process exit) aborts the whole
// process: "FATAL ERROR: v8::Module::IsGraphAsync ... must be used on an
// instantiated module" (node's ModuleWrap::InstantiateSync does not stop on
// termination). require() of this file loads no ES module: it exports a Promise
// of the handler (piscina awaits it before the thread takes tasks), loaded with
// import(), whose instantiation stops cleanly when the thread is terminated.
//
// What import() loads is ./schedule.ts and everything it imports bundled into one
// file at build time (./bundle/schedule.js, by src/build/bundle_workers.ts): node's
// ES module loader then reads and compiles one module per thread, not 40 to 60.
// The bundle has no TypeScript source, hence `as string` (TypeScript does not
// resolve it) and the handler's type taken from ./schedule.ts.

import type handler from './schedule.js';

export = (import('./bundle/schedule.js' as string) as Promise<{ default: typeof handler }>).then((m) => m.default);
