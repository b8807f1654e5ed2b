/**
 * PostgreSQL only (PGlite has no server to lose): the server ending a connection while a client is
 * checked out (a transaction between statements) fails that transaction, not the process, and the
 * pool serves the next query on a fresh connection. Without a listener on each client, pg raised
 * the server's FATAL message as an uncaught exception (seen when a database restarted under the
 * schedule service).
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openTestDatabase, serverUrl } from '../helpers/test-database.js';

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
