// Seeds: the user's base seed is schedule 0's seed; schedule i > 0 gets a seed
// derived from (base, i), so any one schedule can be re-run alone with
// `--seed <its seed> --schedules 1`.

export function parseSeed(s: string): string {
  const t = s.trim();
  if (t === '') throw new Error('empty seed');
  if (/^0x[0-9a-f]+$/i.test(t)) return '0x' + t.slice(2).toLowerCase();
  if (/^\d+$/.test(t)) return '0x' + BigInt(t).toString(16);
  return t;
}

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
