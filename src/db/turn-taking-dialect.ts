/**
 * A Kysely dialect whose connection is held for a turn (turn-lock.ts): the owner of a shared embedded
 * database takes turns with the processes it serves, one query or one whole transaction at a time.
 * Kysely acquires a connection per query and per transaction, so a turn never splits either.
 */
import type { DatabaseConnection, Dialect, Driver } from 'kysely';
import type { TurnLock } from './turn-lock.js';

function turnTakingDriver(inner: Driver, turns: TurnLock): Driver {
  const ends: (() => void)[] = [];
  return {
    init: (options) => inner.init(options),
    async acquireConnection(options) {
      const end = await turns.acquire();
      try {
        const connection = await inner.acquireConnection(options);
        ends.push(end);
        return connection;
      } catch (error) {
        end();
        throw error;
      }
    },
    async releaseConnection(connection: DatabaseConnection, options) {
      try {
        await inner.releaseConnection(connection, options);
      } finally {
        // Turns are exclusive: the one ending is the only one open.
        ends.pop()?.();
      }
    },
    beginTransaction: (connection, settings) => inner.beginTransaction(connection, settings),
    commitTransaction: (connection) => inner.commitTransaction(connection),
    rollbackTransaction: (connection) => inner.rollbackTransaction(connection),
    savepoint: (connection, name, compile) => inner.savepoint!(connection, name, compile),
    rollbackToSavepoint: (connection, name, compile) => inner.rollbackToSavepoint!(connection, name, compile),
    releaseSavepoint: (connection, name, compile) => inner.releaseSavepoint!(connection, name, compile),
    destroy: (options) => inner.destroy(options),
  };
}

/** @example new Kysely<Schema>({ dialect: turnTakingDialect(new PGliteDialect({ pglite }), turns) }) */
export function turnTakingDialect(inner: Dialect, turns: TurnLock): Dialect {
  return {
    createDriver: () => turnTakingDriver(inner.createDriver(), turns),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
  };
}
