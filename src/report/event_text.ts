// The one rendering of a typed trace event (step, actor, Ev code, a, b). Every
// view — `show` text and HTML, a finding's "last events" in run, nightly and
// JUnit — prints events through eventText() and classifies them through
// eventGroup()/isFault(); none reads structure back out of text. One entry
// per Ev code in EV_TEXT: adding an event is one line here.
//
// Notation: VA and linear-map pages are page numbers (byte address / PAGE_SIZE,
// as the model stores them: `pg 92`); a descriptor is pte_at_str()
// (`pte[92]=92 VALID,NS`, src/model/pte.ts); ranges are half-open, `[a, b)`.

import type { TraceEvent } from '../check/trace.js';
import type { FindingKind } from '../check/finding.js';
import { Ev, FN, Res, RES_NAMES, rsiSetRejected, rsiSetTop, type FnName } from '../check/events.js';
import { pte_at_str } from '../model/pte.js';

/** What a view may know beside the event: the finding of the schedule names the FINDING event. */
export interface EventContext { findingKind?: FindingKind | null }

/** How views group events: kernel calls, PTE / TLB / RIPAS changes, accesses, the rest. */
export type EventGroup = 'call' | 'pte' | 'tlb' | 'rsi' | 'access' | 'finding' | 'other';

interface EvEntry { group: EventGroup; render: (e: TraceEvent, ctx: EventContext) => string }

/** A half-open range of pages or granules. */
export const range = (from: number, to: number): string => `[${from}, ${to})`;

const res = (b: number): string => RES_NAMES[b] ?? `result ${b}`;

/** What a CALL event's argument (b) is, per kernel function (see the ctx.ev(Ev.CALL, ...) sites in src/kernel). */
type ArgKind = 'page' | 'pages' | 'order' | 'chunk' | 'vcpu' | 'none' | 'n';
const FN_ARG: Partial<Record<FnName, ArgKind>> = {
  set_memory_decrypted: 'page', set_memory_encrypted: 'page', __change_memory_common: 'pages', flush_tlb_kernel_range: 'pages',
  flush_tlb_all: 'none', rsi_set_memory_range: 'pages', split_kernel_leaf_mapping: 'page', alloc_pages: 'order', __free_pages: 'pages',
  vmalloc: 'pages', vfree: 'pages', decrypted_pool_alloc: 'pages', decrypted_pool_free: 'pages', decrypted_pool_refill: 'chunk',
  decrypted_pool_shrink: 'chunk', host_virtio_io: 'vcpu', arm64_rsi_setup_memory: 'pages', vm_unmap_aliases: 'none',
  vmap_pages_decrypted: 'pages',
};
const ARG: Record<ArgKind, (b: number) => string> = {
  page: (b) => `pg ${b}`, pages: (b) => `${b} pg`, order: (b) => `order ${b}`, chunk: (b) => `chunk ${b}`, vcpu: (b) => `vCPU${b}`, none: () => '', n: (b) => String(b),
};

/** Name of a kernel function id of a CALL/RET event. */
export const fnName = (id: number): string => FN[id] ?? `fn${id}`;

/** `set_memory_decrypted(pg 92)`: a CALL's function and argument. */
export const callText = (fn: number, b: number): string => `${fnName(fn)}(${ARG[FN_ARG[FN[fn]] ?? 'n'](b)})`;

export const EV_TEXT: Record<Ev, EvEntry> = {
  [Ev.CALL]: { group: 'call', render: (e) => callText(e.a, e.b) },
  [Ev.RET]: { group: 'call', render: (e) => `<- ${fnName(e.a)}: ${e.b}` },
  [Ev.PTE_SET]: { group: 'pte', render: (e) => pte_at_str(e.a, e.b) },
  [Ev.PMD_SPLIT]: { group: 'pte', render: (e) => `pmd_split block ${e.a}` },
  [Ev.VMAP]: { group: 'pte', render: (e) => `vmap pte[${e.a}] -> pfn ${e.b}` },
  [Ev.TLBI_VA]: { group: 'tlb', render: (e) => `TLBI VAALE1IS ${e.a}` },
  [Ev.TLBI_ALL]: { group: 'tlb', render: () => 'TLBI VMALLE1IS' },
  [Ev.TLBI_RANGE]: { group: 'tlb', render: (e) => `TLBI RVAALE1IS ${range(e.a, e.a + e.b)}` },
  [Ev.TLBI_LOCAL]: { group: 'tlb', render: (e) => (e.a < 0 ? 'TLBI VMALLE1' : `TLBI VAALE1 ${e.a}`) },
  [Ev.DSB]: { group: 'tlb', render: () => 'DSB ISH' },
  [Ev.DSB_ST]: { group: 'tlb', render: () => 'DSB ISHST' },
  [Ev.ISB]: { group: 'other', render: () => 'ISB' },
  [Ev.RSI_SET]: {
    group: 'rsi',
    render: (e) => {
      const top = rsiSetTop(e.b);
      return `RIPAS set ${range(e.a, top)}${top === e.a ? ' (none)' : ''}${rsiSetRejected(e.b) ? ' REJECT' : ''}`;
    },
  },
  [Ev.RSI_GET]: { group: 'rsi', render: (e) => `RIPAS get ${e.a}` },
  [Ev.ACCESS]: { group: 'access', render: (e) => `access pg ${e.a}: ${res(e.b)}` },
  [Ev.ZEROPAD]: { group: 'access', render: (e) => `zeropad pg ${e.a}: ${res(e.b)}` },
  [Ev.HOST_IO]: { group: 'access', render: (e) => `host_io pfn ${e.a}: ${res(e.b)}` },
  [Ev.SPURIOUS]: { group: 'other', render: (e) => `spurious fault pg ${e.a}` },
  [Ev.ALLOC]: { group: 'other', render: (e) => `alloc pg ${range(e.a, e.a + e.b)}` },
  [Ev.FREE]: { group: 'other', render: (e) => `free pg ${range(e.a, e.a + e.b)}` },
  [Ev.POST]: { group: 'other', render: (e) => `post ${e.a} pg to host` },
  [Ev.BLOCKED]: { group: 'other', render: () => '(blocked)' },
  [Ev.BOOT]: { group: 'other', render: () => 'boot done' },
  [Ev.FINDING]: { group: 'finding', render: (_e, ctx) => (ctx.findingKind ? `FINDING ${ctx.findingKind}` : 'FINDING (die)') },
  // Notes (NOTE_BASE and above): observers only, never in a trace or log; named for debugging observers.
  [Ev.OP_BEGIN]: { group: 'other', render: (e) => `op #${e.a} begins` },
  [Ev.NO_PROGRESS]: { group: 'other', render: () => '(no progress)' },
  [Ev.PTE_WRITE]: { group: 'pte', render: (e) => `pte write pg ${e.a}${e.b ? ' (make)' : ''}` },
  [Ev.DSB_DONE]: { group: 'tlb', render: (e) => `DSB ISH done: ${e.a} TLB entries dropped` },
  [Ev.TLB_SHADOW_HIT]: { group: 'tlb', render: (e) => `TLB shadow hit pg ${e.a}` },
  [Ev.TLB_SPEC_FILL]: { group: 'tlb', render: (e) => `TLB speculative fill pg ${e.a}` },
  [Ev.DSB_WAIT]: { group: 'tlb', render: (e) => (e.a ? 'DSB ISH wait ends' : 'DSB ISH waits for accesses in flight') },
  [Ev.RSI_DONE]: { group: 'rsi', render: (e) => `RMM: ${e.a} granules${e.b & 1 ? ' (input error)' : ''}${e.b & 2 ? ' incomplete' : ''}${e.b & 4 ? ' REJECT' : ''}` },
  [Ev.REC_EXIT]: { group: 'other', render: (e) => `REC exit pfn ${e.a}: ${e.b ? 'RMI_DATA_CREATE' : 'RMI_RTT_MAP_UNPROTECTED'}` },
  [Ev.PAGES_FLIPPED]: { group: 'rsi', render: (e) => `flipped ${range(e.a, e.a + e.b)}` },
  [Ev.RSI_EINVAL]: { group: 'rsi', render: (e) => `rsi_set_memory_range -EINVAL at ${e.a}` },
  [Ev.FLIP_BEGIN]: { group: 'call', render: (e) => `flip (${e.a ? 'encrypt' : 'decrypt'}) begins` },
  [Ev.FLIP_END]: { group: 'call', render: (e) => `flip (${e.a ? 'encrypt' : 'decrypt'}) ends: ${e.b}` },
  [Ev.WARN_UNALIGNED]: { group: 'other', render: (e) => `WARN: unaligned address ${e.a}` },
  [Ev.VMALLOC_EINVAL]: { group: 'other', render: (e) => `vmalloc address pg ${e.a}: -EINVAL` },
  [Ev.ALLOC_FAIL]: { group: 'other', render: (e) => `allocation of ${e.a} pg failed` },
  [Ev.LEAK]: { group: 'other', render: (e) => `leak pg ${range(e.a, e.a + e.b)}` },
  [Ev.POOL_HIT]: { group: 'other', render: (e) => `pool hit pg ${range(e.a, e.a + e.b)}` },
  [Ev.POOL_REFILL]: { group: 'other', render: (e) => `pool refill chunk ${e.a}` },
  [Ev.POOL_SHRINK]: { group: 'other', render: (e) => `pool shrink chunk ${e.a}` },
  [Ev.SHARED_BUFFER]: { group: 'other', render: (e) => `shared buffer of ${e.a} pg` },
  [Ev.ZEROPAD_LOAD]: { group: 'access', render: (e) => `zeropad load pg ${e.a}${e.b ? ' (spills)' : ''}` },
  [Ev.ZEROPAD_SPILL]: { group: 'access', render: (e) => `zeropad spill pg ${e.a}${e.b ? ': fixup' : ''}` },
};

const entry = (e: TraceEvent): EvEntry | undefined => EV_TEXT[e.ev as Ev];

/** The readable one-line form of an event: `TLBI VAALE1IS 1511`, `pte[92]=92 VALID,NS`, `RIPAS set [92, 95)`. */
export function eventText(e: TraceEvent, ctx: EventContext = {}): string {
  const x = entry(e);
  return x ? x.render(e, ctx) : `ev${e.ev} ${e.a} ${e.b}`;
}

export const eventGroup = (e: TraceEvent): EventGroup => entry(e)?.group ?? 'other';

/** An access's result code, or -1 for other events. */
export const accessResult = (e: TraceEvent): number => (eventGroup(e) === 'access' ? e.b : -1);

/** An access whose result is a fault the kernel did not survive (SEA, GPF, translation fault, no progress). */
export function isFault(e: TraceEvent): boolean {
  const r = accessResult(e);
  return r === Res.SEA || r === Res.GPF || r === Res.XLATE_FAULT || r === Res.NO_PROGRESS;
}

/** An event in --json output: the typed fields, the Ev code's name and the rendered text beside them. */
export const eventJson = (e: TraceEvent, ctx: EventContext = {}): { step: number; actor: number; ev: string; a: number; b: number; text: string } =>
  ({ step: e.step, actor: e.actor, ev: Ev[e.ev] ?? `ev${e.ev}`, a: e.a, b: e.b, text: eventText(e, ctx) });

/** A finding's last events as lines: step, actor, event (run, nightly, JUnit). */
export function eventLine(e: TraceEvent, actor: string, ctx: EventContext = {}, stepWidth = 7): string {
  return `${String(e.step).padStart(stepWidth)} ${actor.padEnd(6)} ${eventText(e, ctx)}`;
}
