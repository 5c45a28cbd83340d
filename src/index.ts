// realmrace as a library: the model, the kernel paths and the runners. Policy
// authors use the curated subset in ./api.ts instead.

export * from './model/config.js';
export * from './model/pte.js';
export * from './model/granule.js';
export * from './model/realm.js';
export * from './model/cpu.js';
export * from './model/mmu.js';
export * from './model/rmm.js';
export * from './kernel/policy.js';
export type { KernelCtx } from './kernel/context.js';
export { ActorStack, runToEnd, type Yielded } from './model/actor_stack.js';
export * from './kernel/memory.js';
export * from './kernel/errno.js';
export * from './model/pe.js';
export * from './kernel/pgtable.js';
// isb and dsb_ishst as the model's instructions (./model/mmu.js); the policy API has the kernel's step-point isb().
export { flush_tlb_range_limit_excess, flush_tlb_all, flush_tlb_kernel_range, flush_tlb_kernel_pages, __tlbi } from './kernel/tlbflush.js';
export * from './kernel/rsi.js';
export * from './kernel/pageattr.js';
export * from './kernel/mem_encrypt.js';
export * from './kernel/page_alloc.js';
export * from './kernel/vmalloc.js';
export * from './kernel/fault.js';
export * from './kernel/decrypted_pool.js';
export * from './kernel/policies/index.js';
export * from './check/counters.js';
export * from './check/observer.js';
export * from './check/calls.js';
export * from './check/events.js';
export * from './check/finding.js';
export * from './check/trace.js';
export * from './workload/program.js';
export * from './run/config.js';
export * from './run/errors.js';
export * from './run/controlled.js';
