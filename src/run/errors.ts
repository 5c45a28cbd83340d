// Errors the user can fix (bad flags, bad config, a broken policy module): the
// CLI prints the message on one line and exits 1, never a stack trace.

export class ConfigError extends Error {}

/** A policy's own code threw (not a modelled kernel death). */
export class PolicyError extends ConfigError {}
