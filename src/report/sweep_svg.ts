// The sweep chart as a self-contained SVG: modelled ns per flip against the vCPU
// count (log2 axis), one line per policy.

import { esc } from './trace_html.js';
import type { SweepRow } from '../sweep/sweep.js';

const COLOURS = ['#1f77b4', '#2ca02c', '#d62728', '#ff7f0e', '#9467bd', '#17becf', '#8c564b'];

/** Two panels: modelled ns per set_memory_* call, and per shared buffer obtained (pools amortise their flips). */
export function renderSweepSvg(rows: SweepRow[], title: string): string {
  const W = 900, H = 540;
  const top = panel(rows, title, 'modelled us per set_memory_* call', (r) => r.modelledNsPerFlip);
  const bottom = panel(rows, 'the same, per shared buffer the workload obtained', 'modelled us per shared buffer', (r) => r.modelledNsPerBuffer);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${2 * H}" viewBox="0 0 ${W} ${2 * H}" font-family="sans-serif" font-size="13">`,
    `<rect width="${W}" height="${2 * H}" fill="white"/>`,
    `<g>${top}</g>`,
    `<g transform="translate(0 ${H})">${bottom}</g>`,
    '</svg>',
  ].join('\n');
}

function panel(rows: SweepRow[], title: string, yLabel: string, metric: (r: SweepRow) => number): string {
  const W = 900, H = 540, L = 90, R = 220, T = 60, B = 70;
  const policies = [...new Set(rows.map((r) => r.policy))];
  const xs = [...new Set(rows.map((r) => r.vcpus))].sort((a, b) => a - b);
  const ymax = Math.max(1, ...rows.map(metric)) * 1.1;
  const lx = (v: number): number => {
    const a = Math.log2(xs[0]), b = Math.log2(xs[xs.length - 1]);
    return L + (b === a ? 0.5 : (Math.log2(v) - a) / (b - a)) * (W - L - R);
  };
  const ly = (y: number): number => H - B - (y / ymax) * (H - T - B);
  const parts: string[] = [];
  parts.push(`<text x="${W / 2}" y="28" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`);
  // Grid and axes.
  for (let i = 0; i <= 5; i++) {
    const y = (ymax * i) / 5;
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${ly(y)}" y2="${ly(y)}" stroke="#ddd"/>`);
    parts.push(`<text x="${L - 8}" y="${ly(y) + 4}" text-anchor="end">${(y / 1000).toFixed(1)}</text>`);
  }
  for (const v of xs) {
    parts.push(`<line x1="${lx(v)}" x2="${lx(v)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`);
    parts.push(`<text x="${lx(v)}" y="${H - B + 18}" text-anchor="middle">${v}</text>`);
  }
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="black"/><line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="black"/>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 22}" text-anchor="middle">vCPUs (log scale)</text>`);
  parts.push(`<text transform="translate(24 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  policies.forEach((p, i) => {
    const c = COLOURS[i % COLOURS.length];
    const pts = rows.filter((r) => r.policy === p).sort((a, b) => a.vcpus - b.vcpus);
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2.5" points="${pts.map((r) => `${lx(r.vcpus).toFixed(1)},${ly(metric(r)).toFixed(1)}`).join(' ')}"/>`);
    for (const r of pts) {
      parts.push(`<circle cx="${lx(r.vcpus).toFixed(1)}" cy="${ly(metric(r)).toFixed(1)}" r="4" fill="${c}"><title>${esc(`${p}, ${r.vcpus} vCPUs: ${metric(r).toFixed(0)} modelled ns, ${r.measuredNsPerFlip.toFixed(0)} measured ns per flip`)}</title></circle>`);
    }
    parts.push(`<rect x="${W - R + 20}" y="${T + 10 + i * 24}" width="18" height="4" fill="${c}"/><text x="${W - R + 44}" y="${T + 16 + i * 24}">${esc(p)}</text>`);
  });
  return parts.join('\n');
}
