// The error numbers kernel paths return (negated, as the kernel does).

export const EPERM = -1;
export const ENOMEM = -12;
export const EINVAL = -22;
