import { sql } from 'kysely';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, redactUrl } from '../../src/db/database.js';
import { DatabaseError } from '../../src/errors.js';
import { spawnedProcesses } from '../helpers/processes.js';
import { openTestDatabase, serverUrl } from '../helpers/test-database.js';

describe('embedded database folder', () => {
  const home = mkdtempSync(join(tmpdir(), 'momentum-lock-'));
  const processes = spawnedProcesses();
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('keeps data across opens and refuses a second open while the first is live', async () => {
    const db = await openDatabase({ home });
    await db.kysely.insertInto('instruments').values({ symbol: 'KEEP', source: 'test' }).execute();
    await expect(openDatabase({ home })).rejects.toThrow(/already open in this process/);
    await db.close();
    const again = await openDatabase({ home });
    expect(await again.kysely.selectFrom('instruments').select('symbol').execute()).toEqual([{ symbol: 'KEEP' }]);
    await again.close();
  });

  it('waits for another live process that holds it without sharing it, says so, and names it when it gives up', async () => {
    const sleeper = processes.track(spawn('sleep', ['600']));
    writeFileSync(join(home, 'pgdata.lock'), String(sleeper.pid)); // as an older version writes it
    const notes: string[] = [];
    try {
      await expect(openDatabase({ home, waitMs: 200, note: (text) => notes.push(text) })).rejects.toThrow(
        `the embedded database is in use by another momentum process (pid ${sleeper.pid}`,
      );
      expect(notes).toEqual([`waiting for the embedded database: pid ${sleeper.pid} holds it (Ctrl-C to give up)`]);
    } finally {
      rmSync(join(home, 'pgdata.lock'), { force: true });
    }
  });

  it('takes over a lock left by a process that died', async () => {
    writeFileSync(join(home, 'pgdata.lock'), String(2 ** 22 + 4321));
    const db = await openDatabase({ home });
    await db.close();
  });
});

describe('private files', () => {
  const root = mkdtempSync(join(tmpdir(), 'momentum-modes-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Every mode under `path` (with the path itself) as 'd700' / 'f600' counts. */
  function modes(path: string): Record<string, number> {
    const counts: Record<string, number> = {};
    const visit = (p: string) => {
      const stat = statSync(p);
      const key = `${stat.isDirectory() ? 'd' : stat.isSocket() ? 's' : 'f'}${(stat.mode & 0o777).toString(8)}`;
      counts[key] = (counts[key] ?? 0) + 1;
      if (stat.isDirectory()) for (const entry of readdirSync(p)) visit(join(p, entry));
    };
    visit(path);
    return counts;
  }

  it('creates MOMENTUM_HOME and the database 0700/0600 even under umask 000', async () => {
    const home = join(root, 'new-home');
    const umask = process.umask(0o000);
    try {
      const db = await openDatabase({ home });
      await db.kysely.insertInto('instruments').values({ symbol: 'PRIV', source: 'test' }).execute();
      await db.close();
    } finally {
      process.umask(umask);
    }
    expect(Object.keys(modes(home)).sort()).toEqual(['d700', 'f600']);
  });

  it('tightens a home left open by an older version, with a note', async () => {
    const home = join(root, 'old-home');
    mkdirSync(join(home, 'outbox'), { recursive: true, mode: 0o755 });
    chmodSync(home, 0o755);
    writeFileSync(join(home, 'outbox', 'rebalance_1.eml'), 'token inside', { mode: 0o644 });
    writeFileSync(join(home, 'notes.txt'), 'not ours', { mode: 0o644 });
    const notes: string[] = [];
    const db = await openDatabase({ home, note: (text) => notes.push(text) });
    await db.close();
    expect(notes).toEqual([expect.stringMatching(/^made .*old-home private to this user: 3 files and folders were open to others/)]);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(modes(join(home, 'outbox'))).toEqual({ d700: 1, f600: 1 });
    expect(statSync(join(home, 'notes.txt')).mode & 0o777).toBe(0o644); // not momentum's to change
  });
});

describe('PostgreSQL connection', () => {
  it('explains an unreachable server without leaking the password', async () => {
    const error = await openDatabase({ url: 'postgres://app:s3cret@127.0.0.1:9/momentum' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toMatch(
      /^cannot connect to PostgreSQL at postgres:\/\/app:\*\*\*@127.0.0.1:9\/momentum: .*check DATABASE_URL/,
    );
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('redacts passwords in URLs', () => {
    expect(redactUrl('postgresql://u:p@h:5432/d?sslmode=require')).toBe('postgresql://u:***@h:5432/d?sslmode=require');
    expect(redactUrl('postgres://u@h/d')).toBe('postgres://u@h/d');
  });
});

/**
 * A server that ends a connection, PostgreSQL only (PGlite has no server to lose): the server ending a connection while a client is
 * checked out (a transaction between statements) fails that transaction, not the process, and the
 * pool serves the next query on a fresh connection. Without a listener on each client, pg raised
 * the server's FATAL message as an uncaught exception (seen when a database restarted under the
 * schedule service).
 */
if (serverUrl) {
  describe('a PostgreSQL connection ended by the server', () => {
    it('fails the transaction that held it, and the next query runs', async () => {
      const db = await openTestDatabase();
      let uncaught: unknown = null;
      const onUncaught = (error: unknown) => (uncaught = error);
      process.on('uncaughtException', onUncaught);
      try {
        const transaction = db.kysely.transaction().execute(async (trx) => {
          const { pid } = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!;
          await sql`select pg_terminate_backend(${pid})`.execute(db.kysely);
          // The server's FATAL message arrives while this client sits checked out between statements.
          await new Promise((resolve) => setTimeout(resolve, 500));
          await sql`select 1`.execute(trx);
        });
        await expect(transaction).rejects.toThrow();
        expect(uncaught).toBeNull();
        expect((await sql<{ one: number }>`select 1 as one`.execute(db.kysely)).rows).toEqual([{ one: 1 }]);
      } finally {
        process.off('uncaughtException', onUncaught);
        await db.close();
      }
    });
  });
}
