// An exclusive lock on a campaign directory: two campaigns appending to one
// results.jsonl would interleave their runs and each would resume the other's.
// The lock is a file created with O_EXCL holding the holder's pid, host and
// start time; a lock left by a dead process on this host is taken over (with a
// note), one held by a live process (or by another host) refuses the campaign.

import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../run/errors.js';

export const LOCK_FILE = 'campaign.lock';

export interface LockHolder { pid: number; host: string; started: string; command?: string }

export interface CampaignLock {
  path: string;
  /** Set when a stale lock was taken over: say so to the user. */
  note?: string;
  /** Idempotent; also runs on process exit and on SIGINT/SIGTERM when nothing else handles them. */
  release: () => void;
}

/** Is pid a live process on this host? EPERM: it exists but belongs to someone else. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder recorded in a lock file, or null if the file is gone; throws on a file that is not a lock. */
export function readLock(path: string): LockHolder | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(`cannot read the lock ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    if (Number.isInteger(h.pid) && typeof h.host === 'string') return h;
  } catch {
    // fall through
  }
  throw new ConfigError(`${path} is not a realmrace lock (${text.length} bytes): remove it if no campaign uses this directory`);
}

/** A live holder of the lock on dir (a running campaign), or null. */
export function lockHolder(dir: string): LockHolder | null {
  const h = readLock(join(dir, LOCK_FILE));
  return h && (h.host !== hostname() || alive(h.pid)) ? h : null;
}

const describe = (h: LockHolder): string => `pid ${h.pid} on ${h.host}, since ${h.started}${h.command ? ` (${h.command})` : ''}`;

/** Create the lock file atomically (O_CREAT|O_EXCL); false if it exists. */
function create(path: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ConfigError(`cannot lock ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    writeSync(fd, JSON.stringify(me) + '\n');
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Take the lock on a campaign directory (which must exist), or throw a one-line ConfigError naming the holder. */
export function lockCampaignDir(dir: string, command: string): CampaignLock {
  const path = join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command };
  let note: string | undefined;
  // Twice at most: once as found, once after removing a dead holder's lock.
  for (let attempt = 0; ; attempt++) {
    if (create(path, me)) break;
    const h = readLock(path);
    if (h === null && attempt < 3) continue; // released between our two calls: try again
    if (h === null) throw new ConfigError(`cannot lock ${path}: another campaign keeps taking and releasing it`);
    const stale = h.host === hostname() && !alive(h.pid);
    if (!stale || attempt > 0) throw new ConfigError(`${dir} is in use by another campaign: ${describe(h)}; lock file ${path}`);
    // Remove it only if it is still the same dead holder's (another campaign may have taken it over meanwhile).
    const again = readLock(path);
    if (again && again.pid === h.pid && again.started === h.started) unlinkSync(path);
    note = `took over the lock on ${dir} from pid ${h.pid} (started ${h.started}), which is no longer running`;
  }
  let held = true;
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  const release = (): void => {
    if (!held) return;
    held = false;
    process.removeListener('exit', release);
    for (const s of signals) process.removeListener(s, onSignal);
    try {
      // Only our own lock: never remove one that someone took over from us.
      if (readLock(path)?.pid === me.pid) unlinkSync(path);
    } catch {
      // already gone, or unreadable: nothing of ours to remove
    }
  };
  // With no other handler, a signal kills the process without an 'exit' event: release, then die as the signal would.
  // With other handlers (an interrupt that writes the partial summary), they exit and the 'exit' listener releases.
  function onSignal(sig: NodeJS.Signals): void {
    if (process.listenerCount(sig) > 1) return;
    release();
    process.kill(process.pid, sig);
  }
  process.on('exit', release);
  for (const s of signals) process.on(s, onSignal);
  return { path, note, release };
}
