/**
 * A lock file holding the owner's pid, so two processes never open the same embedded database
 * (PGlite is single-process; two writers would corrupt it). A lock left by a dead process is taken over.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { DatabaseError } from '../errors.js';
import { isProcessAlive } from '../util/process-alive.js';

export interface DirectoryLock {
  release(): void;
}

export function acquireDirectoryLock(path: string, what: string): DirectoryLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isProcessAlive(owner)) {
        throw new DatabaseError(
          `${what} is in use by another momentum process (pid ${owner}; lock ${path}); stop that process, or set DATABASE_URL to use a PostgreSQL server that many processes can share`,
        );
      }
      if (owner === process.pid) {
        throw new DatabaseError(`${what} is already open in this process (lock ${path}); close the other handle first`);
      }
      rmSync(path, { force: true }); // stale: its owner is gone
    }
  }
  throw new DatabaseError(`could not take the lock ${path} for ${what}`);
}
