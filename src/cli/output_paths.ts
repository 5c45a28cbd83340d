// Output paths are checked before any work (issue 9 item 4): a flag naming a
// file where a directory is wanted, a directory that cannot be written, or a
// parent that cannot be created is one ConfigError naming the flag and the
// path (exit 1), not an internal error after minutes of runs. Writability is
// probed by creating a file: access(2) says yes to root even on a read-only
// mount.

import { closeSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../run/errors.js';

const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

function kindOf(path: string): 'dir' | 'other' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'other';
  } catch (e) {
    if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') return 'missing'; // ENOTDIR: the walk up finds the file in the way
    throw new ConfigError(`cannot check output path ${path} (${code(e)})`);
  }
}

/** Can a file be created in this existing directory? */
function probe(flag: string, path: string, dir: string): void {
  const p = join(dir, `.realmrace-probe-${process.pid}`);
  try {
    closeSync(openSync(p, 'wx'));
    unlinkSync(p);
  } catch (e) {
    throw new ConfigError(`${flag} ${path}: ${dir === resolve(path) ? 'directory' : `parent directory ${dir}`} is not writable (${code(e)})`);
  }
}

/** The nearest existing ancestor of a missing path; it must be a writable directory. */
function creatable(flag: string, path: string): void {
  let d = dirname(resolve(path));
  for (;;) {
    const k = kindOf(d);
    if (k === 'dir') return probe(flag, path, d);
    if (k === 'other') throw new ConfigError(`${flag} ${path}: ${d} is a file, not a directory`);
    const up = dirname(d);
    if (up === d) throw new ConfigError(`${flag} ${path}: no existing parent directory`);
    d = up;
  }
}

/**
 * A directory the command will write into. Missing, it is created now when
 * `create` (campaign and sweep outputs), or only checked to be creatable
 * (reproducer directories, made when the first finding is written).
 */
export function checkOutputDir(flag: string, path: string, create: boolean): void {
  const k = kindOf(resolve(path));
  if (k === 'other') throw new ConfigError(`${flag} ${path}: is a file, not a directory`);
  if (k === 'dir') return probe(flag, path, resolve(path));
  creatable(flag, path);
  if (!create) return;
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw new ConfigError(`${flag} ${path}: cannot create the directory (${code(e)})`);
  }
}

/** A file the command will write (replacing it); its parent is created now if missing. */
export function checkOutputFile(flag: string, path: string): void {
  const abs = resolve(path);
  const k = kindOf(abs);
  if (k === 'dir') throw new ConfigError(`${flag} ${path}: is a directory, not a file`);
  const parent = dirname(abs);
  const pk = kindOf(parent);
  if (pk === 'other') throw new ConfigError(`${flag} ${path}: ${parent} is a file, not a directory`);
  if (pk === 'missing') {
    creatable(flag, path);
    try {
      mkdirSync(parent, { recursive: true });
    } catch (e) {
      throw new ConfigError(`${flag} ${path}: cannot create the directory ${parent} (${code(e)})`);
    }
    return;
  }
  probe(flag, path, parent);
  if (k === 'other') {
    try {
      closeSync(openSync(abs, 'r+'));
    } catch (e) {
      throw new ConfigError(`${flag} ${path}: the file is not writable (${code(e)})`);
    }
  }
}
