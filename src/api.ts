// The policy author's API: what a policy may use, and nothing else (defined in
// kernel/api.ts). User policy factories receive this module.

export * from './kernel/api.js';
