/**
 * Local state readable by its owner only, whatever the umask: MOMENTUM_HOME and its folders 0700,
 * files 0600 (the database, the outbox whose mail carries unsubscribe tokens, generated reports).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Sets `mode` where others have access; a file of another user stays as it is (EPERM). */
function restrict(path: string, mode: number, current: number): boolean {
  if ((current & 0o077) === 0) return false;
  try {
    chmodSync(path, mode);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EPERM') return false;
    throw error;
  }
}

/** Creates `path` (and missing parents) 0700, and makes it 0700 if it exists. */
export function makePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  restrict(path, PRIVATE_DIR_MODE, statSync(path).mode);
}

/** The async twin of makePrivateDir, for writers on the event loop (the outbox). */
export async function makePrivateDirAsync(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(path, PRIVATE_DIR_MODE);
}

/** Writes a file readable by its owner only (0600 even when it existed with a wider mode). */
export function writePrivateFile(path: string, data: string | Uint8Array): void {
  writeFileSync(path, data, { mode: PRIVATE_FILE_MODE });
  chmodSync(path, PRIVATE_FILE_MODE);
}

export async function writePrivateFileAsync(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(path, data, { mode: PRIVATE_FILE_MODE });
  await chmod(path, PRIVATE_FILE_MODE);
}

/** Takes group and other access away from everything under `root` (0700 folders, 0600 files); returns how many changed. */
export function privatiseTree(root: string): number {
  let changed = 0;
  const visit = (path: string) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return; // removed meanwhile
    if (stat.isDirectory()) {
      if (restrict(path, PRIVATE_DIR_MODE, stat.mode)) changed++;
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else if (stat.isFile() && restrict(path, PRIVATE_FILE_MODE, stat.mode)) changed++;
  };
  visit(root);
  return changed;
}

/** What momentum keeps in MOMENTUM_HOME (the folder may hold other things, which are left alone). */
const HOME_ENTRIES = ['pgdata', 'pgdata.lock', 'outbox', 'reports'];

/**
 * Makes MOMENTUM_HOME private: created 0700; one made by an older version (readable by others) is
 * tightened, with what momentum keeps in it, and `note` says so.
 * @example preparePrivateHome('.momentum', (text) => console.error(text))
 */
export function preparePrivateHome(home: string, note?: (text: string) => void): void {
  if (!existsSync(home)) return makePrivateDir(home);
  const stat = statSync(home);
  if ((stat.mode & 0o077) === 0) return;
  let changed = restrict(home, PRIVATE_DIR_MODE, stat.mode) ? 1 : 0;
  for (const entry of HOME_ENTRIES) changed += privatiseTree(join(home, entry));
  if (changed > 0)
    note?.(`made ${home} private to this user: ${changed} files and folders were open to others (as older versions left them)`);
}
