/**
 * The lock that keeps two processes from opening one embedded database (PGlite is single-process:
 * two writers lose each other's writes silently).
 *
 * The lock is a folder, `pgdata.lock/`, holding one file named after its holder: `<pid>-<start>`,
 * the pid and the kernel's start time of the process (so a pid reused by a later process is not
 * taken for the holder). Every step is atomic and nothing is deleted on a guess:
 * - taking it: a private folder with the holder file is written first, then renamed onto
 *   `pgdata.lock`. rename(2) succeeds only if the name is free (or an empty folder), so the lock
 *   appears complete, never half-written, and two takers cannot both succeed;
 * - breaking a lock whose holder died: its holder file is unlinked by that exact name, then the
 *   empty folder removed with rmdir(2). A live holder's file has another name, and rmdir fails on a
 *   folder that is not empty, so a lock taken in the meantime survives;
 * - a regular file `pgdata.lock` (written by versions before this one, pid only) is honoured while
 *   its pid lives and unlinked when it does not; unlink(2) never removes a folder.
 */
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive, isSameProcessAlive, processStartTime } from '../util/process-alive.js';

export interface DirectoryLock {
  release(): void;
}

export interface LockHolder {
  readonly pid: number;
  /** What the holder runs, e.g. `momentum schedule` (unknown for locks of older versions). */
  readonly command: string | undefined;
}

export type LockAttempt = { readonly lock: DirectoryLock } | { readonly holder: LockHolder };

/** A holder file's name: `<pid>-<start>` (`<pid>-` where the start time is unknown). */
const holderName = (pid: number, start: string | undefined) => `${pid}-${start ?? ''}`;

function parseHolderName(name: string): { pid: number; start: string | undefined } | undefined {
  const match = /^(\d+)-(\d*)$/.exec(name);
  if (!match) return undefined;
  return { pid: Number(match[1]), start: match[2] === '' ? undefined : match[2] };
}

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

function ignoring(codes: readonly string[], work: () => void): void {
  try {
    work();
  } catch (error) {
    if (!codes.includes(code(error) ?? '')) throw error;
  }
}

/**
 * Takes the lock at `path` if it is free or its holder died; otherwise names the live holder.
 * @example const attempt = tryDirectoryLock('.momentum/pgdata.lock'); if ('lock' in attempt) ...; attempt.lock.release();
 */
export function tryDirectoryLock(path: string): LockAttempt {
  const name = holderName(process.pid, processStartTime(process.pid));
  const candidate = mkdtempSync(join(dirname(path), `.${basename(path)}.new-`));
  writeFileSync(join(candidate, name), JSON.stringify({ pid: process.pid, command: commandLine(), since: new Date().toISOString() }), {
    mode: 0o600,
  });
  try {
    // Each turn either takes the lock, finds a live holder, or removes a dead one; a lock that
    // changes hands between our steps sends us round again.
    for (;;) {
      try {
        renameSync(candidate, path);
        return { lock: heldLock(path, name) };
      } catch (error) {
        if (!['ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EISDIR'].includes(code(error) ?? '')) throw error;
      }
      const holder = liveHolderOrBreak(path);
      if (holder) return { holder };
    }
  } finally {
    rmSync(candidate, { recursive: true, force: true });
  }
}

/** The live holder of the lock at `path`, or undefined after removing what a dead one left. */
function liveHolderOrBreak(path: string): LockHolder | undefined {
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch (error) {
    if (code(error) === 'ENOENT') return undefined;
    if (code(error) !== 'ENOTDIR') throw error;
    return legacyHolderOrBreak(path);
  }
  for (const entry of entries) {
    const parsed = parseHolderName(entry);
    // Not ours to judge: whoever put it there should remove it.
    if (!parsed) return { pid: 0, command: `an unknown holder: ${join(path, entry)}` };
    if (isSameProcessAlive(parsed.pid, parsed.start)) return { pid: parsed.pid, command: readCommand(join(path, entry)) };
  }
  for (const entry of entries) ignoring(['ENOENT'], () => unlinkSync(join(path, entry)));
  ignoring(['ENOENT', 'ENOTEMPTY', 'EEXIST'], () => rmdirSync(path));
  return undefined;
}

function legacyHolderOrBreak(path: string): LockHolder | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(path, 'utf8').trim());
  } catch (error) {
    if (['ENOENT', 'EISDIR'].includes(code(error) ?? '')) return undefined;
    throw error;
  }
  // An older version writes its pid just after creating the file: an empty one is being written.
  if (!(Number.isInteger(pid) && pid > 0)) return { pid: 0, command: 'an older momentum (its lock is being written)' };
  if (isProcessAlive(pid)) return { pid, command: undefined };
  ignoring(['ENOENT', 'EISDIR'], () => unlinkSync(path));
  return undefined;
}

function readCommand(file: string): string | undefined {
  try {
    const command = (JSON.parse(readFileSync(file, 'utf8')) as { command?: unknown }).command;
    return typeof command === 'string' ? command : undefined;
  } catch {
    return undefined; // released meanwhile, or written by hand
  }
}

function heldLock(path: string, name: string): DirectoryLock {
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      ignoring(['ENOENT'], () => unlinkSync(join(path, name)));
      // Someone may have renamed their lock onto the emptied folder already: then it is theirs.
      ignoring(['ENOENT', 'ENOTEMPTY', 'EEXIST'], () => rmdirSync(path));
    },
  };
}

/** `momentum schedule` rather than the whole argv (no paths, no option values that may be secrets). */
function commandLine(): string {
  const program = basename(process.argv[1] ?? 'node').replace(/^cli\.[jt]s$/, 'momentum');
  const words = process.argv.slice(2).filter((word) => /^[a-z][a-z-]*$/.test(word));
  return [program, ...words.slice(0, 2)].join(' ');
}
