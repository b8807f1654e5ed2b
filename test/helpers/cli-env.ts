/** Environment for a CLI child process on the engine under test: its own MOMENTUM_HOME, and its own server database on PostgreSQL. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerDatabase, serverUrl } from './test-database.js';

export interface CliEnvironment {
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly url: string | undefined;
  dispose(): Promise<void>;
}

export async function cliEnvironment(): Promise<CliEnvironment> {
  const home = mkdtempSync(join(tmpdir(), 'momentum-home-'));
  const server = serverUrl ? await createServerDatabase() : undefined;
  return {
    home,
    url: server?.url,
    env: { MOMENTUM_HOME: home, DATABASE_URL: server?.url ?? '', MOMENTUM_CONFIG: '' },
    async dispose() {
      rmSync(home, { recursive: true, force: true, maxRetries: 5 });
      await server?.drop();
    },
  };
}
