/** What every command needs: the environment, the configuration, a database, and output streams. */
import { setFlagsFromString } from 'node:v8';
import { loadConfig, readEnvironment, type Environment, type MomentumConfig } from '../config.js';
import type { Database, OpenDatabaseOptions } from '../db/database.js';
import { redactSecrets } from '../util/redact.js';

export interface Output {
  /** Results: tables, JSON. */
  readonly out: (text: string) => void;
  /** Progress and diagnostics (stderr), so `--json` output stays parseable. */
  readonly err: (text: string) => void;
  readonly isTTY: boolean;
}

export const processOutput: Output = {
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  // Diagnostics quote errors, and errors may quote a connection string.
  err: (text) => void process.stderr.write(redactSecrets(text.endsWith('\n') ? text : `${text}\n`)),
  isTTY: Boolean(process.stderr.isTTY),
};

export function environment(): Environment {
  return readEnvironment();
}

export function config(env: Environment = environment()): MomentumConfig {
  return loadConfig(env.configPath);
}

/**
 * Opens the configured database (migrating it), runs `work`, and always closes it. `share`: a
 * long-running command holding the embedded database serves it to the other commands meanwhile.
 * `sharedBuffers`: the embedded engine's cache (OpenDatabaseOptions), for a command that writes
 * more than it reads again (a sweep). `baselineWasm`: PGlite's WebAssembly compiled by V8's
 * baseline compiler only (see withLightDatabase), for a command whose own work needs the cores.
 */
export async function withDatabase<T>(
  work: (db: Database, env: Environment) => Promise<T>,
  env: Environment = environment(),
  options: {
    readonly share?: boolean;
    readonly sharedBuffers?: OpenDatabaseOptions['sharedBuffers'];
    readonly baselineWasm?: boolean;
  } = {},
): Promise<T> {
  // Loaded on demand: commands that need no database start faster without PGlite and pg.
  const { openDatabase } = await import('../db/database.js');
  const { share, sharedBuffers } = options;
  if (options.baselineWasm && !env.databaseUrl) setFlagsFromString('--liftoff-only'); // process-wide: before PGlite compiles its module
  return run(
    await openDatabase({
      url: env.databaseUrl,
      home: env.home,
      share,
      note: processOutput.err,
      ...(sharedBuffers ? { sharedBuffers } : {}),
    }),
    env,
    work,
  );
}

/**
 * withDatabase for commands that read a little (listings, one portfolio, a run's issues). On the
 * embedded engine they open it with a 16 MB buffer cache and have V8 compile PGlite's WebAssembly
 * with its baseline compiler only: optimised code never repays its compilation in a command that
 * runs a few queries. Measured on `data summary` of the demo: ~175 MB peak instead of ~380 MB, and
 * about a third less CPU. Commands that load or read many bars keep withDatabase.
 */
export async function withLightDatabase<T>(
  work: (db: Database, env: Environment) => Promise<T>,
  env: Environment = environment(),
  options: { readonly migrate?: boolean } = {},
): Promise<T> {
  const { openDatabase } = await import('../db/database.js');
  if (env.databaseUrl) return run(await openDatabase({ url: env.databaseUrl, ...options }), env, work);
  setFlagsFromString('--liftoff-only'); // process-wide: before PGlite compiles its module
  return run(await openDatabase({ home: env.home, sharedBuffers: '16MB', note: processOutput.err, ...options }), env, work);
}

async function run<T>(db: Database, env: Environment, work: (db: Database, env: Environment) => Promise<T>): Promise<T> {
  try {
    return await work(db, env);
  } finally {
    await db.close();
  }
}

/** The first SIGINT or SIGTERM (Ctrl-C, `docker stop`): long-running commands then stop gracefully. */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (received: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(received);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
