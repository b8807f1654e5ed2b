/**
 * How a process reaches the embedded database in MOMENTUM_HOME: it takes the lock and opens the
 * database itself; or the holder shares it on its socket and this process connects as a client; or
 * the holder does not share it (a command that ends soon) and this process waits for it, saying so.
 */
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { DatabaseError } from '../errors.js';
import { tryDirectoryLock, type DirectoryLock, type LockHolder } from './directory-lock.js';

/** pg's name for a server socket of port 5432 in a folder: `pg` and `psql -h <home>` find it there. */
export const SOCKET_NAME = '.s.PGSQL.5432';
export const SOCKET_PORT = 5432;

export type EmbeddedAccess =
  | { readonly kind: 'holder'; readonly lock: DirectoryLock }
  | { readonly kind: 'client'; readonly holder: LockHolder; readonly socketPath: string };

export interface AccessOptions {
  /** How long to wait for a holder that does not share the database. */
  readonly waitMs: number;
  readonly note?: ((text: string) => void) | undefined;
}

export const describeHolder = (holder: LockHolder) => `pid ${holder.pid}${holder.command ? `, ${holder.command}` : ''}`;

/** Whether something accepts connections on the socket at `path`. */
function accepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** @example const access = await embeddedAccess('.momentum', { waitMs: 600_000, note: console.error }); */
export async function embeddedAccess(home: string, options: AccessOptions): Promise<EmbeddedAccess> {
  const lockPath = join(home, 'pgdata.lock');
  const socketPath = join(home, SOCKET_NAME);
  const deadline = Date.now() + options.waitMs;
  let pause = 20;
  let told = false;
  for (;;) {
    const attempt = tryDirectoryLock(lockPath);
    if ('lock' in attempt) return { kind: 'holder', lock: attempt.lock };
    const { holder } = attempt;
    if (holder.pid === process.pid) {
      throw new DatabaseError(`the embedded database is already open in this process (lock ${lockPath}); close the other handle first`);
    }
    if (await accepts(socketPath)) return { kind: 'client', holder, socketPath };
    if (Date.now() >= deadline) {
      throw new DatabaseError(
        `the embedded database is in use by another momentum process (${describeHolder(holder)}; lock ${lockPath}), which does not share it; let it finish or stop it, or set DATABASE_URL to use a PostgreSQL server that many processes can share`,
      );
    }
    if (!told) options.note?.(`waiting for the embedded database: ${describeHolder(holder)} holds it (Ctrl-C to give up)`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 500);
  }
}
