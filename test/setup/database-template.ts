/**
 * On the embedded engine, creating a cluster (initdb inside PGlite) and migrating it costs ~1.4 s in
 * memory and ~3 s on disk, once per test database and per CLI home: minutes over the suite. This
 * makes one migrated database with the real openDatabase and offers it to every test file: a folder
 * that cliEnvironment copies into each new home, and its dump that openTestDatabase loads in memory.
 * Tests of how a home is first created make their own homes and do not use it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated home (its `pgdata`) and the dump of that database; unset on PostgreSQL. */
    databaseTemplate: { home: string; dump: string } | null;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  if (process.env.DATABASE_URL) {
    project.provide('databaseTemplate', null);
    return () => {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'momentum-template-'));
  const home = join(dir, 'home');
  await (await openDatabase({ home })).close();
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create(join(home, 'pgdata'));
  const dump = join(dir, 'pgdata.tar');
  writeFileSync(dump, Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer()));
  await pglite.close();
  project.provide('databaseTemplate', { home, dump });
  return () => rmSync(dir, { recursive: true, force: true });
}
