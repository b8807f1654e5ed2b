/**
 * The MPO web service on node:http: `POST /api/run` answers the earlier Python service's JSON
 * exactly (MpoResponse), `GET /health` says the service is up. Solves run on worker threads
 * (SolvePool), so the server answers while one runs and a stuck one is ended at the deadline. With
 * their options it also answers the links of subscriber mail, without the API token:
 * /unsubscribe, /reports/FILE (signed) and the /assets those pages load. With its option, the
 * asynchronous HTTP API v1 under /api/v1 (v1/api-v1.ts), and the web application's pages over it
 * (web/web-app.ts), behind the same token rule.
 *
 * Status codes: 200 for every well-formed request whatever the solver says (status 1 + message
 * when not optimal, failed or too slow), 400 malformed (every bad field in `details`), 401 missing
 * or wrong token, 404 unknown path, 405 wrong method (with Allow), 413 body over the limit, 422
 * problem over the size limit, 429 queue full or an address over its budget on the public
 * endpoints (a plain page there) or with wrong tokens (with Retry-After). Never a 5xx.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MpoRequestError, parseMpoRequest } from '../mpo/mpo-request.js';
import { packageVersion } from '../util/package-root.js';
import { bearerMatches } from './bearer-auth.js';
import { errorBody, HttpError, isJsonContentType, parseJson, readBody, sendJson } from './http-json.js';
import { sendPage } from './html-page.js';
import { serveAsset } from './plotly-asset.js';
import { serveReportPage } from './report-page.js';
import { resolveServerOptions, type ServerOptions, type ServerSettings } from './server-options.js';
import { rateLimiter, type RateLimiter } from './rate-limit.js';
import { PoolBusyError, SolvePool } from './solve-pool.js';
import { serveUnsubscribe } from './unsubscribe-page.js';
import type { ApiV1 } from './v1/api-v1.js';
import type { WebApp } from './web/web-app.js';

/** The API v1's prefix; its module (and the domain it runs) is loaded only when the option is given. */
const API_V1 = '/api/v1';

export type { ServerOptions } from './server-options.js';

export interface RunningServer {
  /** `http://host:port` as listened on (the real port when 0 was asked). */
  readonly url: string;
  /** Stops accepting connections, lets requests in flight finish (at most the solve deadline), then ends the workers. */
  close(): Promise<void>;
}

interface Context {
  readonly settings: ServerSettings;
  readonly pool: SolvePool;
  readonly api: ApiV1 | undefined;
  readonly web: WebApp | undefined;
  /** The budget of each address on the public endpoints and for wrong tokens. */
  readonly limiter: RateLimiter;
  /** POST /api/run requests taken in (reading, parsing, queued or solving): at most the pool's capacity. */
  admitted: number;
  readonly version: string;
  readonly startedAt: number;
  closing: boolean;
}

const ROUTES: Readonly<Record<string, readonly string[]>> = { '/api/run': ['POST'], '/health': ['GET', 'HEAD'] };

/**
 * Starts the solver workers, then listens; resolves once both are ready.
 * @example const server = await startServer({ port: 0 }); await fetch(`${server.url}/health`); await server.close()
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const settings = resolveServerOptions(options);
  const pool = await SolvePool.start({
    workers: settings.workers,
    queueLimit: settings.queueLimit,
    timeLimitSeconds: settings.timeLimitSeconds,
    deadlineSeconds: settings.deadlineSeconds,
    log: settings.log,
  });
  let api: ApiV1 | undefined;
  let web: WebApp | undefined;
  const limiter = rateLimiter(settings.publicRateLimit);
  try {
    api = settings.api && (await import('./v1/api-v1.js')).startApiV1(settings.api, settings);
    if (settings.web && settings.api && api)
      web = (await import('./web/web-app.js')).startWebApp(settings.web, {
        withDb: settings.api.withDb,
        api,
        token: settings.token,
        budgetWait: (req) => limiter.take(req.socket.remoteAddress ?? ''),
      });
  } catch (error) {
    await api?.close();
    await pool.close();
    throw error;
  }
  const context: Context = {
    settings,
    pool,
    api,
    web,
    limiter,
    admitted: 0,
    version: packageVersion(),
    startedAt: performance.now(),
    closing: false,
  };
  const server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      // How often those two are enforced (Node's default, 30 s, would let a slow client stay that much longer).
      connectionsCheckingInterval: Math.min(1000, settings.headersTimeoutMs),
      keepAliveTimeout: 5000,
    },
    (req, res) => void handle(context, req, res),
  );
  try {
    await listen(server, settings.port, settings.host);
  } catch (error) {
    await api?.close();
    await pool.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    close: () => (closed ??= shutDown(context, server)),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function shutDown(context: Context, server: Server): Promise<void> {
  context.closing = true;
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Requests in flight end by the solve deadline at the latest; then connections are cut.
  const force = setTimeout(() => server.closeAllConnections(), (context.settings.deadlineSeconds + 2) * 1000);
  await stopped;
  clearTimeout(force);
  // Jobs running finish first (they may take long: a second signal to `serve` exits at once).
  await context.api?.close();
  await context.pool.close();
}

async function handle(context: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const method = req.method ?? 'GET';
  const path = pathOf(req.url);
  res.once('close', () => {
    const ms = (performance.now() - started).toFixed(0);
    const [status, note] = res.writableFinished ? [res.statusCode, ''] : ['-', ' (connection closed before the answer was sent)'];
    context.settings.log(`${new Date().toISOString()} ${method} ${path.slice(0, 200)} ${status} ${ms} ms${note}`);
  });
  if (context.closing) res.setHeader('Connection', 'close');
  try {
    await route(context, req, res, method, path);
  } catch (error) {
    const answer = error instanceof HttpError ? error : unexpected(context, method, path, error);
    if (res.headersSent) res.destroy();
    else respondError(req, res, answer);
  }
}

/**
 * A thrown value nobody planned for: logged in full, answered 400 saying nothing of it (its message
 * may name a database, a host, a user or a file: the public learns nothing of the infrastructure).
 */
function unexpected(context: Context, method: string, path: string, error: unknown): HttpError {
  context.settings.log(`unexpected error on ${method} ${path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return new HttpError(400, 'the request could not be processed', {
    details: [{ field: 'request', message: 'the request could not be processed; the server log says why' }],
  });
}

/** Counts a request against its address's budget: once it is spent, the seconds to wait (else 0). */
function budgetWait(context: Context, req: IncomingMessage): number {
  return context.limiter.take(req.socket.remoteAddress ?? '');
}

function respondError(req: IncomingMessage, res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, errorBody(error), closeUnlessRead(req, error.headers));
}

/** A body left unread is not drained: the connection closes after the answer. */
function closeUnlessRead(req: IncomingMessage, headers: Readonly<Record<string, string>>): Record<string, string> {
  return req.complete ? { ...headers } : { ...headers, Connection: 'close' };
}

/** The path of a request target without its query; one trailing slash is ignored (`/api/run/`, as Django wrote it). */
function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0]!;
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Refuses (405, with Allow) a method the path does not take. */
function allow(path: string, method: string, allowed: readonly string[]): void {
  if (!allowed.includes(method))
    throw new HttpError(405, `${path} accepts ${allowed.join(', ')}, not ${method}`, { headers: { Allow: allowed.join(', ') } });
}

async function route(context: Context, req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
  const { token, unsubscribe, reports } = context.settings;
  // The links of subscriber mail: public, their token or signature is the credential; so each
  // address has a budget (a guesser is slowed, a burst cannot queue work on the database).
  const isPublic = (path === '/unsubscribe' && unsubscribe) || ((path.startsWith('/reports/') || path.startsWith('/assets/')) && reports);
  if (isPublic) {
    const wait = budgetWait(context, req);
    // Someone who clicked a link in a mail: a plain page, as every other answer to the link is.
    if (wait > 0)
      return sendPage(
        res,
        429,
        {
          title: 'Too many requests',
          text: `Too many requests came in a short time: please try again in ${wait} ${wait === 1 ? 'second' : 'seconds'}.`,
        },
        closeUnlessRead(req, { 'Retry-After': String(wait) }),
      );
  }
  if (path === '/unsubscribe' && unsubscribe) {
    allow(path, method, ['GET', 'HEAD', 'POST']);
    return serveUnsubscribe(unsubscribe, req, res, context.settings.log);
  }
  if (path.startsWith('/reports/') && reports) {
    allow(path, method, ['GET', 'HEAD']);
    return serveReportPage(reports, req, res, path.slice('/reports/'.length));
  }
  if (path.startsWith('/assets/') && reports) {
    allow(path, method, ['GET', 'HEAD']);
    return serveAsset(req, res, path.slice('/assets/'.length));
  }
  const page = context.web?.serves(path) ?? false;
  if (
    token !== undefined &&
    path !== '/health' &&
    !(page && context.web!.admits(req, path)) &&
    !bearerMatches(req.headers.authorization, token)
  ) {
    // Someone at a browser, not signed in: to the sign-in page, and back here after.
    if (page && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(303, { Location: `/login?next=${encodeURIComponent(path)}`, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    const wait = budgetWait(context, req);
    if (wait > 0)
      throw new HttpError(429, `too many requests from this address; try again in ${wait} s`, { headers: { 'Retry-After': String(wait) } });
    const given = req.headers.authorization !== undefined;
    throw new HttpError(401, given ? 'invalid API token' : 'an API token is required: send Authorization: Bearer <token>', {
      headers: { 'WWW-Authenticate': given ? 'Bearer realm="momentum", error="invalid_token"' : 'Bearer realm="momentum"' },
    });
  }
  if (page) return context.web!.handle(req, res, method, path);
  if (context.api && (path === API_V1 || path.startsWith(`${API_V1}/`))) return context.api.handle(req, res, method, path);
  const allowed = ROUTES[path];
  if (!allowed) throw new HttpError(404, `no such endpoint: ${path.slice(0, 200)}; this service answers POST /api/run and GET /health`);
  allow(path, method, allowed);
  if (path === '/health') {
    const uptimeSeconds = Math.floor((performance.now() - context.startedAt) / 1000);
    const { busy, queued } = context.pool;
    sendJson(res, 200, { status: 'ok', version: context.version, solvers: ['highs', 'glpk'], uptimeSeconds, solving: busy, queued });
    return;
  }
  await run(context, req, res);
}

/**
 * POST /api/run: take it in if the pool has room (before reading the body: a burst beyond it costs
 * a 429 each, not a parse each on the thread that answers /health), validate, check the size, solve
 * on a worker, answer 200 with the compatible response.
 */
async function run(context: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { pool } = context;
  if (context.admitted >= pool.capacity) {
    const { retryAfterSeconds } = pool;
    throw new HttpError(429, `the solver is busy (${context.admitted} request(s) taken in); try again in ${retryAfterSeconds} s`, {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
  context.admitted++;
  try {
    await admitted(context, req, res);
  } finally {
    context.admitted--;
  }
}

async function admitted(context: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { bodyLimit, maxSize } = context.settings;
  const type = req.headers['content-type'];
  if (!isJsonContentType(type))
    throw new HttpError(400, `unsupported content type ${JSON.stringify(type)}: send the request as application/json`, {
      details: [{ field: 'headers.content-type', message: `expected application/json, got ${JSON.stringify(type)}` }],
    });
  const raw = parseJson(await readBody(req, bodyLimit));
  // Parsing and validating a body near the limit takes tens of ms: a turn of the loop in between
  // lets /health and the others answer (at most the pool's capacity of requests get this far).
  await nextTurn();
  let problem;
  try {
    problem = parseMpoRequest(raw);
  } catch (error) {
    if (!(error instanceof MpoRequestError)) throw error;
    throw new HttpError(400, `invalid request: ${error.details.length} problem(s)`, { details: error.details });
  }
  const size = problem.risky.length * problem.periods;
  if (size > maxSize)
    throw new HttpError(
      422,
      `problem too large: ${problem.risky.length} non-cash assets x ${problem.periods} periods = ${size}; this server solves at most ${maxSize} (assets x periods)`,
      { details: [{ field: 'estimated_returns', message: `size ${size} is above the limit ${maxSize}` }] },
    );
  const aborted = new AbortController();
  res.once('close', () => aborted.abort());
  try {
    sendJson(res, 200, await context.pool.solve(problem, aborted.signal));
  } catch (error) {
    if (!(error instanceof PoolBusyError)) throw error;
    throw new HttpError(429, error.message, { headers: { 'Retry-After': String(error.retryAfterSeconds) } });
  }
}
