// Seeds: the user's base seed is schedule 0's seed; schedule i > 0 gets a seed
// derived from (base, i), so any one schedule can be re-run alone with
// `--seed <its seed> --schedules 1`.

export { parseSeed } from '../config/seed.js';

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function scheduleSeed(base: string, i: number): string {
  if (i === 0) return base;
  const hi = fnv1a(`${base}#${i}`);
  const lo = fnv1a(`${i}#${base}`);
  return '0x' + hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
