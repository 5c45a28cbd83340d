// A parallel CPU load for stress loops: busy-spins one core for the given
// seconds (default 60), or until its parent process is gone, then exits.
// `node dist/stress/cpu_load.js 120`

const seconds = Number(process.argv[2] ?? 60);
const end = performance.now() + seconds * 1000;
const parent = process.ppid;
let x = 0;
while (performance.now() < end && process.ppid === parent) for (let i = 0; i < 1e6; i++) x = (x * 31 + i) | 0;
process.exitCode = x === 0.5 ? 1 : 0; // keep x live
