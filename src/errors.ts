// Errors the user can fix (bad flags, bad config, a broken policy module): the
// CLI prints the message on one line and exits 1, never a stack trace. At the
// top of src/ so that every layer may throw it without importing upwards.

export class ConfigError extends Error {}
