/**
 * A fresh, migrated database for one test file: a new database on the PostgreSQL server named by
 * DATABASE_URL (dropped afterwards), or an in-memory PGlite when DATABASE_URL is unset. The same
 * tests therefore run on both engines: `npm test` uses PGlite, `.ci/run` runs them again on PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database, type OpenDatabaseOptions } from '../../src/db/database.js';

export const serverUrl = process.env.DATABASE_URL || undefined;
export const engineName = serverUrl ? 'postgres' : 'pglite';

export interface TestDatabase extends Database {
  /** The URL of this test's own database (PostgreSQL only), e.g. for child processes. */
  readonly url: string | undefined;
}

/** A new empty database on the test server; returns its URL and a function that drops it. */
export async function createServerDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!serverUrl) throw new Error('createServerDatabase needs DATABASE_URL');
  const name = `momentum_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

let templateDump: Blob | undefined;

/** The migrated template of test/setup/database-template.ts, read once per test file; not for a test of its own migrations. */
function embeddedTemplate(options: Pick<OpenDatabaseOptions, 'migrationsDir' | 'migrate'>): Blob | undefined {
  const template = inject('databaseTemplate');
  if (!template || options.migrationsDir !== undefined || options.migrate === false) return undefined;
  templateDump ??= new Blob([readFileSync(template.dump)]);
  return templateDump;
}

export async function openTestDatabase(options: Omit<OpenDatabaseOptions, 'url' | 'memory' | 'template'> = {}): Promise<TestDatabase> {
  if (!serverUrl) {
    const db = await openDatabase({ ...options, memory: true, template: embeddedTemplate(options) });
    return { ...db, url: undefined };
  }
  const { url, drop } = await createServerDatabase();
  const db = await openDatabase({ ...options, url });
  return {
    ...db,
    url,
    close: async () => {
      await db.close();
      await drop();
    },
  };
}
