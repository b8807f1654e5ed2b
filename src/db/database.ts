/**
 * Opens the database: PostgreSQL/TimescaleDB through `pg` when a URL is given, otherwise the
 * embedded PGlite stored under `<home>/pgdata` (or in memory). Kysely is the query layer on both.
 *
 * Type parsing is set explicitly on both engines so results look the same: int8 -> number,
 * numeric -> number, date -> 'YYYY-MM-DD' string, timestamptz -> Date, float8[] -> number[].
 */
import { mkdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import { DatabaseError, errorMessage } from '../errors.js';
import { acquireDirectoryLock, type DirectoryLock } from './directory-lock.js';
import { migrate } from './migrator.js';
import type { Schema } from './schema.js';
import type { ScriptRunner } from './script-transaction.js';

export type EngineKind = 'postgres' | 'pglite';

export interface Database extends ScriptRunner {
  readonly kysely: Kysely<Schema>;
  readonly engine: EngineKind;
  /** Where the data lives: a URL without its password, a folder, or 'memory'. */
  readonly location: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres://... ; when unset the embedded engine is used. */
  readonly url?: string | undefined;
  /** Folder for the embedded database (`<home>/pgdata`); ignored with a URL. */
  readonly home?: string | undefined;
  /** Embedded database in memory (tests, notebooks that want a scratch store). */
  readonly memory?: boolean;
  /** Apply pending migrations from sql/ (default true). */
  readonly migrate?: boolean;
  /** Folder of migrations (default: the project's sql/). */
  readonly migrationsDir?: string;
  /**
   * Embedded engine: PostgreSQL's shared_buffers, e.g. '16MB' (default 128MB). A command that reads
   * a little starts faster with a small cache and takes ~100 MB less memory (emulated shared memory
   * is zeroed when it is created); bulk loads and large reads want the default.
   */
  readonly sharedBuffers?: `${number}${'kB' | 'MB' | 'GB'}`;
}

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

/**
 * @example const db = await openDatabase({ home: '.momentum' }); ...; await db.close();
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const database = options.url ? await openPostgres(options.url) : await openPglite(options);
  if (options.migrate !== false) {
    try {
      await migrate(database, options.migrationsDir);
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

async function openPostgres(url: string): Promise<Database> {
  // Loaded here, not at the top: commands on the embedded engine start faster without them.
  const [{ default: pg }, { default: copyStreams }] = await Promise.all([import('pg'), import('pg-copy-streams')]);
  const parsers: Record<number, (value: string) => unknown> = { [INT8]: Number, [NUMERIC]: Number, [DATE]: (v) => v };
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        parsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A client losing its server (a restart) must not crash the process: idle ones report on the pool,
  // which replaces them; a checked-out one (a transaction between statements, a job holding a
  // session) reports on itself, and its pending and next queries fail instead.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const location = redactUrl(url);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end();
    throw new DatabaseError(
      `cannot connect to PostgreSQL at ${location}: ${errorMessage(error)}; check DATABASE_URL and that the server is running`,
    );
  }
  const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    engine: 'postgres',
    location,
    async scriptTransaction(work) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work({
          exec: async (script) => void (await client.query(script)),
          query: async (text, params) => (await client.query(text, params as unknown[])).rows,
          execute: async (text, params) => (await client.query(text, params as unknown[])).rowCount ?? 0,
          copyFrom: (table, columns, data) =>
            pipeline(
              Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)]),
              client.query(copyStreams.from(`copy ${table} (${columns.join(', ')}) from stdin with (format binary)`)),
            ),
        });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => kysely.destroy(),
  };
}

async function openPglite(options: OpenDatabaseOptions): Promise<Database> {
  let lock: DirectoryLock | undefined;
  let dataDir: string | undefined;
  if (!options.memory) {
    const home = resolve(options.home ?? '.momentum');
    dataDir = join(home, 'pgdata');
    mkdirSync(home, { recursive: true });
    lock = acquireDirectoryLock(join(home, 'pgdata.lock'), 'the embedded database');
  }
  const { PGlite } = await import('@electric-sql/pglite');
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir ?? 'memory://', {
      parsers: { [INT8]: Number, [NUMERIC]: Number, [DATE]: (v: string) => v },
      ...(options.sharedBuffers ? { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${options.sharedBuffers}`] } : {}),
    });
  } catch (error) {
    lock?.release();
    throw new DatabaseError(`cannot open the embedded database at ${dataDir ?? 'memory'}: ${errorMessage(error)}`);
  }
  const kysely = new Kysely<Schema>({ dialect: new PGliteDialect({ pglite }) });
  return {
    kysely,
    engine: 'pglite',
    location: dataDir ?? 'memory',
    scriptTransaction: (work) =>
      pglite.transaction((tx) =>
        work({
          exec: async (script) => void (await tx.exec(script)),
          query: async <R>(text: string, params?: readonly unknown[]) => (await tx.query<R>(text, params as unknown[])).rows,
          execute: async (text, params) => (await tx.query(text, params as unknown[])).affectedRows ?? 0,
          // PGlite reads COPY input from a Blob mounted at /dev/blob.
          copyFrom: async (table, columns, data) =>
            void (await tx.query(`copy ${table} (${columns.join(', ')}) from '/dev/blob' with (format binary)`, [], {
              blob: new Blob([data]),
            })),
        }),
      ),
    async close() {
      try {
        await kysely.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}

/** postgres://user:secret@host/db -> postgres://user:***@host/db */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}
