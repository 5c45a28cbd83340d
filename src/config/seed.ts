// Seeds as the user writes them: hex 0x..., decimal, or any other string, normalised
// so that the same seed always prints the same way.

export function parseSeed(s: string): string {
  const t = s.trim();
  if (t === '') throw new Error('empty seed');
  if (/^0x[0-9a-f]+$/i.test(t)) return '0x' + t.slice(2).toLowerCase();
  if (/^\d+$/.test(t)) return '0x' + BigInt(t).toString(16);
  return t;
}
