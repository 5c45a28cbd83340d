// Fitting what the commands print to the terminal (issue 9 item 11): prose
// wrapped at spaces with a hanging indent, and tables whose columns are chosen,
// in priority order, to fit the width, their cells wrapped, never cut.

import Table from 'cli-table3';

/** Width of output that is not a terminal (a CI log, a pipe). */
export const DEFAULT_WIDTH = 100;

/** Narrowest terminal the layout adapts to. */
const MIN_WIDTH = 60;

/** The width to fit: the terminal's columns, else 100; --wide: no limit (all columns, lines whole). */
export function outputWidth(wide?: boolean): number {
  if (wide) return Infinity;
  const c = process.stdout.isTTY ? process.stdout.columns : undefined;
  return c && c > 0 ? Math.max(MIN_WIDTH, c) : DEFAULT_WIDTH;
}

/**
 * A paste-ready command (`npx realmrace ...`, with its `# inexact` label if any)
 * is never wrapped: copied whole, it runs. The one kind of line that may be
 * wider than the width.
 */
export const isPasteReady = (line: string): boolean => /(^|\s)npx realmrace\s/.test(line);

/**
 * One line as lines of at most `width`, broken at spaces; continuation lines are
 * indented `hang` more than the first. A word longer than the room (a long path)
 * stays whole on its own line: broken, it would no longer be the path.
 */
export function wrapLine(line: string, width: number, hang = 4): string[] {
  if (line.length <= width || isPasteReady(line)) return [line];
  const lead = /^ */.exec(line)![0].length;
  const pad = ' '.repeat(Math.min(lead + hang, Math.floor(width / 2)));
  const out: string[] = [];
  let rest = line;
  let prefix = '';
  while (prefix.length + rest.length > width) {
    const first = /^ */.exec(rest)![0].length; // never break inside the leading indent
    let at = rest.lastIndexOf(' ', width - prefix.length);
    if (at <= first) at = rest.indexOf(' ', width - prefix.length);
    if (at < 0) break;
    let s = at;
    while (s > first && rest[s - 1] === ' ') s--;
    let e = at;
    while (e < rest.length && rest[e] === ' ') e++;
    if (e === rest.length) break; // only trailing spaces left
    out.push(prefix + rest.slice(0, s));
    rest = rest.slice(e);
    prefix = pad;
  }
  out.push(prefix + rest);
  return out;
}

/** Every line of `text` wrapped to `width` (see wrapLine). */
export const fitText = (text: string, width: number, hang = 4): string => text.split('\n').flatMap((l) => wrapLine(l, width, hang)).join('\n');

/**
 * A table cell's text as lines of at most `width`: broken at spaces, else after
 * a comma (lists), else a slash (paths), else a dash or underscore (names),
 * else anywhere. Wrapped, never truncated.
 */
export function wrapCell(text: string, width: number): string[] {
  const out: string[] = [];
  for (let rest of text.split('\n')) {
    while (rest.length > width) {
      let at = rest.lastIndexOf(' ', width);
      let skip = 1;
      if (at <= 0) {
        const m = [',', '/', '-_'].map((cs) => Math.max(...[...cs].map((c) => rest.lastIndexOf(c, width - 1)))).find((x) => x > 0) ?? -1;
        at = m > 0 ? m + 1 : width;
        skip = 0;
      }
      out.push(rest.slice(0, at).trimEnd());
      rest = rest.slice(at + skip).trimStart();
    }
    out.push(rest);
  }
  return out;
}

export interface Column {
  head: string;
  /** The widest content expected: the column is never made wider (a head wraps at spaces to fit its content). */
  width: number;
  /** The narrowest its content may wrap to (default: width). */
  min?: number;
  /** Absent: always shown. Otherwise dropped, highest first, when the table does not fit. */
  drop?: number;
  align?: 'left' | 'right';
  /** Widened before the columns without (lowest first) when there is room to spare. */
  grow?: number;
}

const longestWord = (s: string): number => Math.max(...s.split(/\s+/).map((w) => w.length));
/** Widest a column is made: its content, or its head on one line. */
const naturalOf = (c: Column): number => Math.max(c.width, c.head.length);
/** Its content, with the head wrapped at spaces if that is narrower. */
const snugOf = (c: Column): number => Math.max(c.width, longestWord(c.head));
const minOf = (c: Column): number => Math.max(Math.min(c.min ?? c.width, c.width), longestWord(c.head));
/** Characters a box table of these content widths takes: `│ a │ b │`. */
const tableWidth = (ws: number[]): number => ws.reduce((a, b) => a + b, 0) + 3 * ws.length + 1;

/**
 * The columns to show and their content widths. Those always shown at their
 * content's width, or, when that is too wide, narrowed toward their minimum
 * (the columns without `grow` first); then the droppable ones, lowest `drop`
 * first, at their minimum while they fit; then any room left widens them (by
 * `grow`, then in table order), first to their content, then to heads on one
 * line. With no limit (Infinity): every column, natural width.
 */
export function fitColumns(cols: Column[], width: number): { index: number; width: number }[] {
  if (!Number.isFinite(width)) return cols.map((c, index) => ({ index, width: naturalOf(c) }));
  const ws = new Map(cols.flatMap((c, i) => (c.drop === undefined ? [[i, snugOf(c)] as const] : [])));
  const byGrow = (a: number, b: number): number => (cols[a].grow ?? Infinity) - (cols[b].grow ?? Infinity) || a - b;
  let room = width - tableWidth([...ws.values()]);
  for (const i of [...ws.keys()].sort(byGrow).reverse()) {
    if (room >= 0) break;
    const take = Math.min(-room, ws.get(i)! - minOf(cols[i]));
    ws.set(i, ws.get(i)! - take);
    room += take;
  }
  const optional = cols.map((c, i) => ({ c, i })).filter((x) => x.c.drop !== undefined).sort((a, b) => a.c.drop! - b.c.drop!);
  for (const { c, i } of optional) {
    if (minOf(c) + 3 > room) continue; // too wide: a later, narrower one may still fit
    ws.set(i, minOf(c));
    room -= minOf(c) + 3;
  }
  for (const target of [snugOf, naturalOf]) {
    for (const i of [...ws.keys()].sort(byGrow)) {
      const grow = Math.max(0, Math.min(room, target(cols[i]) - ws.get(i)!));
      ws.set(i, ws.get(i)! + grow);
      room -= grow;
    }
  }
  return [...ws].sort(([a], [b]) => a - b).map(([index, w]) => ({ index, width: w }));
}

/**
 * A box table printed a row at a time (run prints each policy's row as it
 * finishes): the widths are fixed up front, cells wrap within them.
 */
export class StreamedTable {
  private readonly picked: { index: number; width: number }[];
  constructor(private readonly cols: Column[], width: number) {
    this.picked = fitColumns(cols, width);
  }

  /** The heads of the columns shown. */
  get heads(): string[] {
    return this.picked.map((p) => this.cols[p.index].head);
  }

  /** Lines of one row (cells of every column, in column order; the shown ones are printed): top border, row, bottom border. */
  private render(cells: string[]): string[] {
    const t = new Table({
      colWidths: this.picked.map((p) => p.width + 2),
      colAligns: this.picked.map((p) => this.cols[p.index].align ?? 'left'),
      style: { head: [], border: [], compact: true },
    });
    t.push(this.picked.map((p) => wrapCell(cells[p.index] ?? '', p.width).join('\n')));
    return t.toString().split('\n');
  }

  /** The top border, the heads and the line under them. */
  start(): string {
    const heads = this.render(this.cols.map((c) => c.head));
    const under = heads[0].replace('┌', '├').replace(/┬/g, '┼').replace('┐', '┤');
    return [heads[0], ...heads.slice(1, -1), under].join('\n');
  }

  row(cells: string[]): string {
    return this.render(cells).slice(1, -1).join('\n');
  }

  end(): string {
    return this.render(this.cols.map(() => '')).pop()!;
  }
}

/** A whole table at once (rows known): column widths from the content, fitted to `width`. */
export function fitTable(cols: Omit<Column, 'width'>[], rows: string[][], width: number): string {
  const sized: Column[] = cols.map((c, i) => {
    const cells = rows.map((r) => r[i] ?? '');
    const w = Math.max(1, ...cells.map((s) => s.length));
    return { ...c, width: w, min: c.min === undefined ? w : Math.min(w, Math.max(c.min, ...cells.map(longestWord))) };
  });
  const t = new StreamedTable(sized, width);
  return [t.start(), ...rows.map((r) => t.row(r)), t.end()].join('\n');
}
