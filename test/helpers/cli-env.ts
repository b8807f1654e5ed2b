/** Environment for a CLI child process on the engine under test: its own MOMENTUM_HOME, and its own server database on PostgreSQL. */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createServerDatabase, serverUrl } from './test-database.js';

export interface CliEnvironment {
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly url: string | undefined;
  /** Runs `work` on the CLI's own database, opened for it and closed after (the embedded one takes one process at a time). */
  withDb<T>(work: (db: Database) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

export async function cliEnvironment(): Promise<CliEnvironment> {
  const home = mkdtempSync(join(tmpdir(), 'momentum-home-'));
  // A migrated database copied in (test/setup/database-template.ts): the first command skips creating one.
  const template = inject('databaseTemplate');
  if (template) cpSync(join(template.home, 'pgdata'), join(home, 'pgdata'), { recursive: true });
  const server = serverUrl ? await createServerDatabase() : undefined;
  return {
    home,
    url: server?.url,
    async withDb(work) {
      const db = await openDatabase({ url: server?.url, home });
      try {
        return await work(db);
      } finally {
        await db.close();
      }
    },
    env: { MOMENTUM_HOME: home, DATABASE_URL: server?.url ?? '', MOMENTUM_CONFIG: '' },
    async dispose() {
      rmSync(home, { recursive: true, force: true, maxRetries: 5 });
      await server?.drop();
    },
  };
}

export interface CliSuite {
  readonly cli: CliEnvironment;
  /** A scratch folder for the suite's files (configurations, inputs), apart from the CLI's home. */
  readonly dir: string;
}

/** Call in a describe block: a CLI environment and a scratch folder made before its tests and removed after. */
export function cliSuite(prefix: string): CliSuite {
  let cli: CliEnvironment | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    cli = await cliEnvironment();
    dir = mkdtempSync(join(tmpdir(), `momentum-${prefix}-`));
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await cli?.dispose();
  });
  return {
    get cli() {
      if (!cli) throw new Error('cliSuite: used before its beforeAll ran');
      return cli;
    },
    get dir() {
      if (!dir) throw new Error('cliSuite: used before its beforeAll ran');
      return dir;
    },
  };
}
