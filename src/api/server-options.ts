/**
 * The API server's settings with their defaults, checked before anything starts: a host other
 * than loopback needs an API token (the option, else MOMENTUM_API_TOKEN).
 */
import { readEnvironment } from '../config.js';
import { ConfigError } from '../errors.js';
import { redactSecrets } from '../util/redact.js';
import { isLoopbackHost } from './bearer-auth.js';
import type { ApiV1Options } from './v1/api-v1.js';
import type { WebOptions } from './web/web-app.js';

export interface ServerOptions {
  /** Interface to listen on (default 127.0.0.1). Anything but loopback requires a token. */
  readonly host?: string;
  /** Port (default 8080; 0 picks a free one). */
  readonly port?: number;
  /** Bearer token every request but GET /health must carry; default MOMENTUM_API_TOKEN, else none. */
  readonly token?: string;
  /** Environment for MOMENTUM_API_TOKEN (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Solve worker threads (default 1). */
  readonly workers?: number;
  /** Requests that may wait for a worker before 429 (default 8). */
  readonly queueLimit?: number;
  /** Largest problem, non-cash assets x periods (default 50,000); beyond it 422. */
  readonly maxSize?: number;
  /** Largest request body in bytes (default 1 MiB); beyond it 413. */
  readonly bodyLimit?: number;
  /** Seconds the solver may take (default 30); a request's time_limit can only lower it. */
  readonly timeLimitSeconds?: number;
  /** Seconds after which a solve is abandoned and its worker replaced (default time limit + 5). */
  readonly deadlineSeconds?: number;
  /** Milliseconds to receive the request headers (default 10,000) and the whole request (default 30,000). */
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /**
   * Requests a minute one address may make to the public endpoints (the mail links) and with a
   * wrong API token (default 60; 0: no limit); beyond it 429 with Retry-After.
   */
  readonly publicRateLimit?: number;
  /** Access log and diagnostics, one line per call (default: stderr). */
  readonly log?: (line: string) => void;
  /**
   * Serves the unsubscribe link of subscriber mail (GET: a confirmation page; POST, one-click or
   * the page's button: unsubscribes), no API token needed.
   */
  readonly unsubscribe?: UnsubscribeHandler;
  /**
   * Serves the interactive report pages of subscriber mail behind signed links (GET
   * /reports/FILE?expires=..&sig=..) and the plotly.js bundle they load (GET /assets/...), no API
   * token needed: the signature is the credential.
   */
  readonly reports?: ReportPages;
  /**
   * Serves the HTTP API v1 (/api/v1: asynchronous ingest, backtest, simulation, sweep and portfolio
   * jobs run by this server, their results, the OpenAPI document), behind the same token rule.
   */
  readonly api?: ApiV1Options;
  /**
   * Serves the web application's pages (/, /strategies, /jobs/{id}) over the API v1 (needs `api`),
   * behind the same token rule.
   */
  readonly web?: WebOptions;
}

export interface Subscription {
  readonly email: string;
  readonly portfolio: string;
  /** Still subscribed. */
  readonly active: boolean;
}

export interface UnsubscribeHandler {
  /** Whom the token names, changing nothing; throws for an unknown token. */
  find(token: string): Promise<readonly Subscription[]>;
  /** Unsubscribes them: returns whom it unsubscribed (empty: already were); throws for an unknown token. */
  remove(token: string): Promise<readonly Subscription[]>;
}

export interface ReportPages {
  /** The folder of the pages (`<MOMENTUM_HOME>/reports`). */
  readonly dir: string;
  /** The secret the links were signed with (linkSecret). */
  readonly secret: string;
}

export type ServerSettings = Required<Omit<ServerOptions, 'token' | 'env' | 'unsubscribe' | 'reports' | 'api' | 'web'>> & {
  readonly token: string | undefined;
  readonly api: ApiV1Options | undefined;
  readonly web: WebOptions | undefined;
  readonly unsubscribe: UnsubscribeHandler | undefined;
  readonly reports: ReportPages | undefined;
};

/** The shortest API token accepted. */
export const MIN_TOKEN_LENGTH = 16;

const defaults = {
  host: '127.0.0.1',
  port: 8080,
  workers: 1,
  queueLimit: 8,
  maxSize: 50_000,
  bodyLimit: 1024 * 1024,
  timeLimitSeconds: 30,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  publicRateLimit: 60,
};

function check(name: string, value: number, min: number, max: number, integer = true): number {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value)))
    throw new ConfigError(`server option ${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${value}`);
  return value;
}

/** @example const settings = resolveServerOptions({ port: 0, log: () => {} }) */
export function resolveServerOptions(options: ServerOptions): ServerSettings {
  const host = options.host ?? defaults.host;
  const token = options.token ?? readEnvironment(options.env ?? process.env).apiToken;
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token))
    throw new ConfigError('the API token must be non-empty printable ASCII without spaces (it travels in an Authorization header)');
  // A short token can be guessed by trying: 16 random characters are beyond reach.
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH)
    throw new ConfigError(
      `the API token must be at least ${MIN_TOKEN_LENGTH} characters, got ${token.length}; make one with: openssl rand -base64 24`,
    );
  if (options.web && !options.api) throw new ConfigError('the web pages run over the API v1: give the api option too');
  if (!isLoopbackHost(host) && token === undefined)
    throw new ConfigError(
      `refusing to listen on ${host} without an API token: anyone who can reach it could run solves. ` +
        'Set MOMENTUM_API_TOKEN (or pass a token), or listen on 127.0.0.1',
    );
  const timeLimitSeconds = check('timeLimitSeconds', options.timeLimitSeconds ?? defaults.timeLimitSeconds, 0.001, 86_400, false);
  const headersTimeoutMs = check('headersTimeoutMs', options.headersTimeoutMs ?? defaults.headersTimeoutMs, 1, 3_600_000);
  const requestTimeoutMs = check('requestTimeoutMs', options.requestTimeoutMs ?? defaults.requestTimeoutMs, 1, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs)
    throw new ConfigError(`server option headersTimeoutMs (${headersTimeoutMs}) must not exceed requestTimeoutMs (${requestTimeoutMs})`);
  return {
    host,
    token,
    port: check('port', options.port ?? defaults.port, 0, 65_535),
    workers: check('workers', options.workers ?? defaults.workers, 1, 64),
    queueLimit: check('queueLimit', options.queueLimit ?? defaults.queueLimit, 0, 10_000),
    maxSize: check('maxSize', options.maxSize ?? defaults.maxSize, 1, 1e9),
    bodyLimit: check('bodyLimit', options.bodyLimit ?? defaults.bodyLimit, 1, 2 ** 31),
    timeLimitSeconds,
    deadlineSeconds: check('deadlineSeconds', options.deadlineSeconds ?? timeLimitSeconds + 5, 0.001, 86_400 * 2, false),
    headersTimeoutMs,
    requestTimeoutMs,
    publicRateLimit: check('publicRateLimit', options.publicRateLimit ?? defaults.publicRateLimit, 0, 1e6),
    log: options.log ?? ((line) => void process.stderr.write(`${redactSecrets(line)}\n`)),
    unsubscribe: options.unsubscribe,
    reports: options.reports,
    api: options.api,
    web: options.web,
  };
}
