/**
 * Opens the database: PostgreSQL/TimescaleDB through `pg` when a URL is given, otherwise the
 * embedded PGlite stored under `<home>/pgdata` (or in memory). Kysely is the query layer on both.
 *
 * One process at a time holds the embedded database (embedded-access.ts). A holder opened with
 * `share` (the long-running commands) serves it on `<home>/.s.PGSQL.5432` (embedded-server.ts) and
 * other processes reach it through `pg` as they would a PostgreSQL server; a holder that does not
 * share it (a command that ends soon) makes the others wait for it.
 *
 * Type parsing is set explicitly on both engines so results look the same: int8 -> number,
 * numeric -> number, date -> 'YYYY-MM-DD' string, timestamptz -> Date, float8[] -> number[].
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import type { PoolConfig } from 'pg';
import { DatabaseError, errorMessage } from '../errors.js';
import { makePrivateDir, preparePrivateHome, privatiseTree } from '../util/private-files.js';
import { redactSecrets } from '../util/redact.js';
import type { DirectoryLock } from './directory-lock.js';
import { describeHolder, embeddedAccess, SOCKET_NAME, SOCKET_PORT } from './embedded-access.js';
import { serveEmbedded, type EmbeddedServer } from './embedded-server.js';
import { migrate } from './migrator.js';
import type { Schema } from './schema.js';
import type { ScriptRunner } from './script-transaction.js';
import { createTurnLock, type TurnLock } from './turn-lock.js';
import { turnTakingDialect } from './turn-taking-dialect.js';

export type EngineKind = 'postgres' | 'pglite';

export interface Database extends ScriptRunner {
  readonly kysely: Kysely<Schema>;
  readonly engine: EngineKind;
  /** Where the data lives: a URL without its password (redactSecrets), a folder, or 'memory'. */
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
  /**
   * In memory: start from this dumped data directory (PGlite's `dumpDataDir`) instead of creating a
   * cluster, ~0.35 s against ~1.4 s; the test suite starts each database from one migrated template.
   */
  readonly template?: Blob | undefined;
  /** Apply pending migrations from sql/ (default true). */
  readonly migrate?: boolean;
  /** Folder of migrations (default: the project's sql/). */
  readonly migrationsDir?: string;
  /**
   * Holding the embedded database, serve it to other processes (long-running commands: `schedule`,
   * `serve`). Without it the database is this process's alone until close().
   */
  readonly share?: boolean;
  /** How long to wait for another process that holds the embedded database without sharing it (default 10 minutes). */
  readonly waitMs?: number;
  /** Told what the user should know: waiting for another process, permissions tightened. */
  readonly note?: ((text: string) => void) | undefined;
  /**
   * Embedded engine: PostgreSQL's shared_buffers, e.g. '16MB' (default 128MB). A command that reads
   * a little starts faster with a small cache and takes ~100 MB less memory (emulated shared memory
   * is zeroed when it is created); bulk loads and large reads want the default.
   */
  readonly sharedBuffers?: `${number}${'kB' | 'MB' | 'GB'}`;
}

const DEFAULT_WAIT_MS = 10 * 60_000;

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

/**
 * @example const db = await openDatabase({ home: '.momentum' }); ...; await db.close();
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const database = options.url
    ? await openPostgres(options.url)
    : options.memory
      ? await openPglite(undefined, options.template)
      : await openEmbedded(options);
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
  const location = redactSecrets(url);
  return openPool(
    { connectionString: url },
    'postgres',
    location,
    (reason) => `cannot connect to PostgreSQL at ${location}: ${reason}; check DATABASE_URL and that the server is running`,
  );
}

/** A Database on a pool of `pg` connections: a PostgreSQL server, or the socket of a process sharing the embedded database. */
async function openPool(
  config: PoolConfig,
  engine: EngineKind,
  location: string,
  unreachable: (reason: string) => string,
): Promise<Database> {
  // Loaded here, not at the top: commands on the embedded engine start faster without them.
  const [{ default: pg }, { default: copyStreams }] = await Promise.all([import('pg'), import('pg-copy-streams')]);
  const parsers: Record<number, (value: string) => unknown> = { [INT8]: Number, [NUMERIC]: Number, [DATE]: (v) => v };
  const pool = new pg.Pool({
    ...config,
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
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end();
    throw new DatabaseError(unreachable(errorMessage(error)));
  }
  const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    engine,
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

/**
 * The embedded database of `<home>`: opened here (and served, with `share`), or reached through the
 * process that serves it. A holder that goes away between the two steps sends us round again.
 */
async function openEmbedded(options: OpenDatabaseOptions): Promise<Database> {
  const home = resolve(options.home ?? '.momentum');
  preparePrivateHome(home, options.note);
  const dataDir = join(home, 'pgdata');
  makePrivateDir(dataDir);
  const deadline = Date.now() + (options.waitMs ?? DEFAULT_WAIT_MS);
  for (;;) {
    const access = await embeddedAccess(home, { waitMs: Math.max(0, deadline - Date.now()), note: options.note });
    if (access.kind === 'holder') {
      return openPglite({
        dataDir,
        lock: access.lock,
        shareAt: options.share ? join(home, SOCKET_NAME) : undefined,
        note: options.note,
        sharedBuffers: options.sharedBuffers,
      });
    }
    try {
      const config = { host: home, port: SOCKET_PORT, user: 'postgres', database: 'postgres' };
      return await openPool(config, 'pglite', `${dataDir} (shared by ${describeHolder(access.holder)})`, (reason) => reason);
    } catch (error) {
      // The holder stopped between our look and our connection: look again, after a moment.
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

interface HeldDatabase {
  readonly dataDir: string;
  /** Released at close (or at once when the database cannot be opened). */
  readonly lock: DirectoryLock;
  /** Serve the database on this socket while it is open. */
  readonly shareAt: string | undefined;
  readonly note: ((text: string) => void) | undefined;
  readonly sharedBuffers: OpenDatabaseOptions['sharedBuffers'];
}

/** PGlite in memory, or on a folder this process holds (with its lock). */
async function openPglite(held?: HeldDatabase, template?: Blob): Promise<Database> {
  const dataDir = held?.dataDir;
  const { PGlite } = await import('@electric-sql/pglite');
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir ?? 'memory://', {
      parsers: { [INT8]: Number, [NUMERIC]: Number, [DATE]: (v: string) => v },
      ...(template ? { loadDataDir: template } : {}),
      ...(held?.sharedBuffers ? { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${held.sharedBuffers}`] } : {}),
    });
  } catch (error) {
    held?.lock.release();
    throw new DatabaseError(`cannot open the embedded database at ${dataDir ?? 'memory'}: ${errorMessage(error)}`);
  }
  let server: EmbeddedServer | undefined;
  let turns: TurnLock | undefined;
  if (held?.shareAt) {
    turns = createTurnLock();
    try {
      server = await serveEmbedded(pglite, held.shareAt, turns, (text) => held.note?.(text));
    } catch (error) {
      // Still usable here; other processes wait for it as for a command.
      held.note?.(`the embedded database is not shared with other processes: ${errorMessage(error)}`);
      turns = undefined;
    }
  }
  const dialect = new PGliteDialect({ pglite });
  const kysely = new Kysely<Schema>({ dialect: turns ? turnTakingDialect(dialect, turns) : dialect });
  const inTurn = async <T>(work: () => Promise<T>): Promise<T> => {
    const end = await turns?.acquire();
    try {
      return await work();
    } finally {
      end?.();
    }
  };
  return {
    kysely,
    engine: 'pglite',
    location: dataDir ?? 'memory',
    scriptTransaction: (work) =>
      inTurn(() =>
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
      ),
    async close() {
      try {
        await server?.close();
        await kysely.destroy();
        // PGlite creates its files 0666 whatever the umask; they sit in a 0700 folder, and are made 0600 here.
        if (dataDir) privatiseTree(dataDir);
      } finally {
        held?.lock.release();
      }
    },
  };
}
