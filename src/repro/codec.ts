// Compact encodings for recorded schedules inside reproducer JSON: typed arrays
// as base64 (a 10k-step schedule is ~13 KB of actors instead of ~40 KB of JSON).

export const encodeU8 = (xs: ArrayLike<number>): string => Buffer.from(Uint8Array.from(xs)).toString('base64');
export const encodeU16 = (xs: ArrayLike<number>): string => Buffer.from(Uint16Array.from(xs).buffer).toString('base64');
export const encodeI32 = (xs: ArrayLike<number>): string => Buffer.from(Int32Array.from(xs).buffer).toString('base64');

function bytes(s: string, width: number, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new Error(`${what}: not base64`);
  const b = Buffer.from(s, 'base64');
  if (b.length % width !== 0) throw new Error(`${what}: ${b.length} bytes is not a whole number of ${width}-byte values`);
  return b;
}

export const decodeU8 = (s: string, what: string): number[] => Array.from(bytes(s, 1, what));
export function decodeU16(s: string, what: string): number[] {
  const b = bytes(s, 2, what);
  return Array.from(new Uint16Array(b.buffer, b.byteOffset, b.length / 2).slice());
}
export function decodeI32(s: string, what: string): number[] {
  const b = bytes(s, 4, what);
  return Array.from(new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)));
}
