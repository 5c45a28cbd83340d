// What the model's hardware and firmware code (MMU, RMM) uses of a
// processing element: its identity, the realm tables, its random choices and
// its event stream (ev, note). A narrow view of Cpu; the choice methods
// (chance/choose) are included as soon as Cpu has them.

import type { Cpu } from './cpu.js';

export type PE = Pick<Cpu,
  | 'id' | 'isHost' | 'realm' | 'concurrent' | 'rng' | 'tlb' | 'ev' | 'note'
  | Extract<keyof Cpu, 'chance' | 'choose'>>;
