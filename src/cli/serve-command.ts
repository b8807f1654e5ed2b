/**
 * `momentum serve`: the MPO web service (POST /api/run, GET /health), the HTTP API v1 (/api/v1:
 * asynchronous jobs run by this process) and the links of subscriber mail (unsubscribe, signed
 * report pages) until SIGINT/SIGTERM.
 * `momentum optimize REQUEST.json`: the same answer without a server, for scripts.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '../errors.js';
import type { WebUniverse } from '../api/web/web-views.js';
import type { Database } from '../db/database.js';
import { config, environment, waitForStopSignal, type Output } from './cli-context.js';
import { parseIntegerOption, parseNumberOption } from './options.js';

export interface ServeFlags {
  host: string;
  port: string;
  token?: string;
  workers?: string;
  queue?: string;
  maxSize?: string;
  bodyLimit?: string;
  timeLimit?: string;
  publicRateLimit?: string;
  apiJobs?: string;
}

export function registerServeCommands(program: Command, output: Output): void {
  program
    .command('serve')
    .description(
      "serve over HTTP: multi-period optimisation (POST /api/run, the earlier service's JSON), GET /health, the asynchronous API v1 (/api/v1: ingest, backtests, simulations, sweeps, portfolios; /api/v1/openapi.json), and the unsubscribe and report links of subscriber mail",
    )
    .option('--host <host>', 'interface to listen on; anything but loopback needs an API token', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port)', '8080')
    .option(
      '--token <token>',
      'bearer token required on every request but GET /health (default: MOMENTUM_API_TOKEN; prefer it, options show in ps)',
    )
    .option('--workers <n>', 'solver worker threads (default 1)')
    .option('--queue <n>', 'requests that may wait for a worker before 429 (default 8)')
    .option('--max-size <n>', 'largest problem, non-cash assets x periods (default 50000)')
    .option('--body-limit <bytes>', 'largest request body (default 1048576)')
    .option('--time-limit <seconds>', 'solver time limit; a request can only lower it (default 30)')
    .option(
      '--public-rate-limit <n>',
      'requests a minute one address may make to the mail links or with a wrong token (default 60; 0: no limit)',
    )
    .option('--api-jobs <n>', 'API v1 jobs run at once (default 1; 0: queue them only, for momentum worker --queues api to run)')
    .action((flags: ServeFlags) => serveAction(flags, output));

  program
    .command('optimize <request>')
    .description('solve one MPO request (a JSON file, - for stdin) and print the response JSON; exit 1 if malformed, 2 if not optimal')
    .option('--pretty', 'indent the JSON')
    .action((file: string, flags: { pretty?: boolean }) => optimizeAction(file, flags, output));
}

/**
 * Serves until SIGINT/SIGTERM. `extraUniverses` are offered on the pages beside the configuration's
 * (`momentum demo --serve`: the demo's market, which no configuration names).
 */
export async function serveAction(flags: ServeFlags, output: Output, extraUniverses: readonly WebUniverse[] = []): Promise<void> {
  const options = {
    host: flags.host,
    port: parseIntegerOption(flags.port, 'port', 0, 65_535)!,
    token: flags.token,
    workers: parseIntegerOption(flags.workers, 'workers', 1, 64),
    queueLimit: parseIntegerOption(flags.queue, 'queue', 0, 10_000),
    maxSize: parseIntegerOption(flags.maxSize, 'max-size', 1, 1e9),
    bodyLimit: parseIntegerOption(flags.bodyLimit, 'body-limit', 1, 2 ** 31),
    timeLimitSeconds: parseNumberOption(flags.timeLimit, 'time-limit', 0),
    publicRateLimit: parseIntegerOption(flags.publicRateLimit, 'public-rate-limit', 0, 1e6),
  };
  const { startServer } = await import('../api/server.js');
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  // The database: opened when first needed (the API's job runner looks for work at start) and kept
  // (the embedded one shared with other commands). Report pages: files under MOMENTUM_HOME/reports.
  const { subscriberUnsubscribe } = await import('../api/unsubscribe-page.js');
  const { linkSecret } = await import('../report/link-secret.js');
  const env = environment();
  const database = keptDatabase(output);
  const unsubscribe = subscriberUnsubscribe(database.withDb);
  const reports = { dir: join(env.home, 'reports'), secret: linkSecret(env) };
  // The API's jobs: on the same database, never run twice (a job is not retried on another connection).
  const api = {
    withDb: database.withDb,
    jobWithDb: database.withDbOnce,
    gateSets: existsSync(env.configPath) ? config(env).gates : undefined,
    concurrency: parseIntegerOption(flags.apiJobs, 'api-jobs', 0, 16),
  };
  // The pages' universes: the configuration's, read again at each page (an edit shows without a restart).
  const web = {
    universes: () => {
      const configured: WebUniverse[] = existsSync(env.configPath)
        ? [...config(env).universes.values()].map((u) => ({
            name: u.name,
            description: u.description ?? null,
            symbols: u.members.map((m) => m.symbol),
            benchmark: u.benchmark,
          }))
        : [];
      return [...configured, ...extraUniverses.filter((u) => !configured.some((c) => c.name === u.name))];
    },
    publicUrl: env.publicUrl,
  };
  const server = await startServer({ ...defined, log: output.err, unsubscribe, reports, api, web });
  output.out(
    `momentum: serving POST ${server.url}/api/run, GET ${server.url}/health, the API v1 at ${server.url}/api/v1 (${server.url}/api/v1/openapi.json), the unsubscribe and report links of subscriber mail, and the web application at ${server.url}/ (Ctrl-C to stop)`,
  );
  const signal = await waitForStopSignal();
  output.err(`${signal}: finishing requests in flight, then stopping (send it again to stop at once)`);
  const force = () => process.exit(1);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  await server.close();
  await database.close();
  output.err('stopped');
}

/**
 * The database of the subscriber links, opened at the first click and kept; the embedded one is
 * shared with other commands meanwhile. Reached through another process that has stopped since, it
 * is opened again once (a token unsubscribes once however often it is sent).
 */
function keptDatabase(output: Output): {
  withDb: <T>(work: (db: Database) => Promise<T>) => Promise<T>;
  /** The same without the second attempt: for work that must not run twice (a job). */
  withDbOnce: <T>(work: (db: Database) => Promise<T>) => Promise<T>;
  close(): Promise<void>;
} {
  let opened: Promise<Database> | undefined;
  const open = async () => {
    const { openDatabase } = await import('../db/database.js');
    const env = environment();
    return openDatabase({ url: env.databaseUrl, home: env.home, share: true, note: output.err });
  };
  const withDb = async <T>(work: (db: Database) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      const current = (opened ??= open());
      try {
        return await work(await current);
      } catch (error) {
        if (error instanceof ValidationError || attempt === 2) throw error;
        if (opened === current) opened = undefined;
        await (await current.catch(() => undefined))?.close().catch(() => undefined);
      }
    }
  };
  const withDbOnce = async <T>(work: (db: Database) => Promise<T>): Promise<T> => {
    const current = (opened ??= open());
    return work(await current);
  };
  return { withDb, withDbOnce, close: async () => (await opened?.catch(() => undefined))?.close() };
}

async function readRequest(file: string): Promise<unknown> {
  const source = file === '-' ? 'stdin' : file;
  let text: string;
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      text = Buffer.concat(chunks).toString('utf8');
    } else text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ValidationError('request', `cannot read ${source}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ValidationError('request', `${source} is not valid JSON: ${(error as Error).message}`);
  }
}

async function optimizeAction(file: string, flags: { pretty?: boolean }, output: Output): Promise<void> {
  const request = await readRequest(file);
  const { optimizeMultiPeriod } = await import('../mpo/optimize.js');
  const { MpoRequestError } = await import('../mpo/mpo-request.js');
  let response;
  try {
    response = await optimizeMultiPeriod(request);
  } catch (error) {
    if (!(error instanceof MpoRequestError)) throw error;
    output.err(`error: invalid request, ${error.details.length} problem(s):`);
    for (const { field, message } of error.details) output.err(`  ${field}: ${message}`);
    process.exitCode = 1;
    return;
  }
  output.out(JSON.stringify(response, null, flags.pretty ? 2 : undefined));
  if (response.status !== 0) {
    output.err(`not optimal (status ${response.status}): ${response.message ?? ''}`);
    process.exitCode = 2;
  }
}
