// What kernel paths and policies see of the CPU they run on: this CPU
// (smp_processor_id), the model tables (ctx.realm), its random choices, the
// trace, die(), and the watchdog's progress marks. A narrow view of the
// model's Cpu. A kernel path is a generator (KGen) that calls sub-paths by
// yielding them; step points (STEP, BLOCKED) are yielded by the primitives.

import type { Cpu } from '../model/cpu.js';
import type { PE } from '../model/pe.js';

export type { KGen, KPath } from '../model/actor_stack.js';

export type KernelCtx = PE & Pick<Cpu,
  | 'ev' | 'die' | 'randInt' | 'noProgress' | 'progress' | 'wake'
  | 'op' | 'beginAccess' | 'endAccess' | 'trace'>;
