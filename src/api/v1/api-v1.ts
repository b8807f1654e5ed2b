/**
 * The HTTP API v1 under /api/v1: asynchronous jobs for the user journey (ingest, backtest,
 * simulation, sweep, portfolio), their status, the results they made, and the OpenAPI document.
 *
 * POST /api/v1/{backtests|simulations|sweeps|portfolios|ingest} takes the CLI's spec schema as JSON
 * and answers 202 `{ id, kind, status, links }` with `Location: /api/v1/jobs/{id}`; GET
 * /api/v1/jobs/{id} says how far it is and links its result (GET /api/v1/backtests/{id} and so on).
 * Every refusal is `{ error, fields?: [{ path, message }] }`: 400 a bad request (each field at fault),
 * 404 an unknown path or id, 405 a wrong method (with Allow), 413 a body over the limit, 415 a body
 * that is not JSON, 429 when too many jobs wait already (with Retry-After); 503 when the database
 * cannot be reached. GET /api/v1/{jobs|backtests|sweeps|portfolios} lists them, newest first, a page
 * at a time (api-lists.ts). Authentication is the server's (server.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { getBacktest, getSweep, sweepResults } from '../../backtest/backtest-store.js';
import { findRun } from '../../data/ingest-run-store.js';
import { DatabaseError, NotFoundError, ValidationError } from '../../errors.js';
import { getPortfolio, rebalances } from '../../portfolio/portfolio-store.js';
import { DEFAULT_GATE_SETS, type GateSet } from '../../research/gate-set.js';
import { getSimulation } from '../../research/simulate.js';
import { HttpError, isJsonContentType, parseJson, readBody, sendJson } from '../http-json.js';
import { findJob, insertJob, queuedJobCount, type ApiJob, type JobKind } from './api-job-store.js';
import { listPage, listQuerySchema, listsOf } from './api-lists.js';
import { JOB_DEFINITIONS } from './job-kinds.js';
import { startJobRunner, type JobRunner, type WithDb } from './job-runner.js';
import { openApiDocument } from './openapi.js';

const API_V1 = '/api/v1';

export interface ApiV1Options {
  /** Runs a request's reads and writes with the database. */
  readonly withDb: WithDb;
  /** Runs a job with the database (default withDb); it must not run `work` twice (no retry). */
  readonly jobWithDb?: WithDb | undefined;
  /** Gate sets by name (default: the built-in ones). */
  readonly gateSets?: Readonly<Record<string, GateSet>> | undefined;
  /** Jobs run at once (default 1). */
  readonly concurrency?: number | undefined;
  readonly sweepWorkers?: number | undefined;
  /** Jobs that may wait to run (default 100); beyond it a submission is refused with 429 (a soft limit: submissions at the same instant may pass it by a few). */
  readonly maxQueued?: number | undefined;
  readonly beatMs?: number | undefined;
  readonly staleSeconds?: number | undefined;
}

export interface ApiV1 {
  handle(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void>;
  /**
   * Queues a job as POST /api/v1/{collection} does (the web pages' forms submit through it);
   * throws ApiError (400 with the fields at fault, 429 when too many wait).
   */
  submitJob(kind: JobKind, body: unknown): Promise<ApiJob>;
  /** Stops taking jobs; waits for those running. */
  close(): Promise<void>;
}

/** The collection each kind is submitted to, and its results read from. */
const COLLECTIONS: Readonly<Record<string, JobKind>> = {
  backtests: 'backtest',
  simulations: 'simulation',
  sweeps: 'sweep',
  portfolios: 'portfolio',
  ingest: 'ingest',
};

type Field = { path: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields?: readonly Field[],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** Starts the job runner (in the background: it fails jobs left running by a server that stopped, then takes queued ones) and answers /api/v1. */
export function startApiV1(options: ApiV1Options, server: { bodyLimit: number; log: (line: string) => void }): ApiV1 {
  const gateSets = options.gateSets ?? DEFAULT_GATE_SETS;
  const { withDb } = options;
  const runner = startJobRunner({
    withDb: options.jobWithDb ?? withDb,
    gateSets,
    log: server.log,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.beatMs ? { beatMs: options.beatMs } : {}),
    ...(options.staleSeconds !== undefined ? { staleSeconds: options.staleSeconds } : {}),
    sweepWorkers: options.sweepWorkers,
  });
  const context: Context = { withDb, gateSets, runner, bodyLimit: server.bodyLimit, maxQueued: options.maxQueued ?? 100 };
  return {
    async handle(req, res, method, path) {
      try {
        await route(context, req, res, method, path);
      } catch (error) {
        const answer = apiError(error, method, path, server.log);
        if (res.headersSent) res.destroy();
        else
          sendJson(
            res,
            answer.status,
            answer.fields ? { error: answer.message, fields: answer.fields } : { error: answer.message },
            req.complete ? answer.headers : { ...answer.headers, Connection: 'close' },
          );
      }
    },
    submitJob: (kind, body) => submitJob(context, kind, body),
    close: () => runner.close(),
  };
}

interface Context {
  readonly withDb: WithDb;
  readonly gateSets: Readonly<Record<string, GateSet>>;
  readonly runner: JobRunner;
  readonly bodyLimit: number;
  readonly maxQueued: number;
}

function apiError(error: unknown, method: string, path: string, log: (line: string) => void): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HttpError)
    return new ApiError(
      error.status,
      error.message,
      error.details?.map((d) => ({ path: d.field, message: d.message })),
      error.headers,
    );
  if (error instanceof ValidationError) return invalid([{ path: error.field, message: error.reason }]);
  if (error instanceof NotFoundError) return new ApiError(404, error.message);
  log(`unexpected error on ${method} ${path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  if (error instanceof DatabaseError)
    return new ApiError(503, 'the database cannot be reached; try again later', undefined, { 'Retry-After': '5' });
  return new ApiError(500, 'the request could not be processed; the server log says why');
}

function invalid(fields: readonly Field[]): ApiError {
  return new ApiError(400, `invalid request: ${fields.length} problem(s)`, fields);
}

/** Refuses (405, with Allow) a method the endpoint does not take; GET takes HEAD too. */
function allow(method: string, ...allowed: ('GET' | 'POST')[]): void {
  const methods = allowed.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
  if (!methods.includes(method))
    throw new ApiError(405, `this endpoint accepts ${allowed.join(' or ')}, not ${method}`, undefined, { Allow: methods.join(', ') });
}

const LISTS = listsOf(jobBody);

/** A list's query string, checked: 400 naming each parameter at fault (`query.limit`). */
function listQuery(req: IncomingMessage) {
  const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
  const parsed = listQuerySchema.safeParse(Object.fromEntries(query));
  if (parsed.success) return parsed.data;
  throw invalid(
    parsed.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: `query.${key}`, message: 'not a parameter of this list (limit, offset)' }))
        : [{ path: `query.${issue.path.map(String).join('.')}`, message: issue.message }],
    ),
  );
}

async function route(context: Context, req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
  const segments = path.slice(API_V1.length + 1).split('/');
  const [collection = '', id] = segments;
  if (segments.length === 1 && collection === 'openapi.json') {
    allow(method, 'GET');
    return sendJson(res, 200, openApiDocument());
  }
  const kind = COLLECTIONS[collection];
  const list = LISTS[collection];
  if (segments.length === 1 && (kind || list)) {
    allow(method, ...(list ? (['GET'] as const) : []), ...(kind ? (['POST'] as const) : []));
    if (method === 'POST' && kind) return submit(context, req, res, kind);
    const query = listQuery(req);
    return sendJson(res, 200, await context.withDb((db) => listPage(db, list!, collection, query)));
  }
  if (segments.length === 2 && id !== undefined && id !== '') {
    if (collection === 'jobs') {
      allow(method, 'GET');
      const job = await context.withDb((db) => findJob(db, id));
      if (!job) throw new ApiError(404, `no job ${JSON.stringify(id.slice(0, 100))}`);
      return sendJson(res, 200, jobBody(job));
    }
    if (kind) {
      allow(method, 'GET');
      return sendJson(res, 200, await readResult(context, kind, decodeURIComponent(id)));
    }
  }
  throw new ApiError(404, `no such endpoint: ${path.slice(0, 200)}; see ${API_V1}/openapi.json`);
}

async function submit(context: Context, req: IncomingMessage, res: ServerResponse, kind: JobKind): Promise<void> {
  const type = req.headers['content-type'];
  if (!isJsonContentType(type))
    throw new ApiError(415, `unsupported content type ${JSON.stringify(type)}: send the request as application/json`, [
      { path: 'headers.content-type', message: 'expected application/json' },
    ]);
  const job = await submitJob(context, kind, parseJson(await readBody(req, context.bodyLimit)));
  const self = `${API_V1}/jobs/${job.id}`;
  sendJson(res, 202, { id: job.id, kind, status: 'queued', links: { self } }, { Location: self });
}

async function submitJob(context: Context, kind: JobKind, raw: unknown): Promise<ApiJob> {
  const definition = JOB_DEFINITIONS[kind];
  const parsed = definition.schema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error.issues.map(fieldOf));
  const job = await context.withDb(async (db) => {
    if ((await queuedJobCount(db)) >= context.maxQueued)
      throw new ApiError(429, `${context.maxQueued} jobs are waiting to run already; try again later`, undefined, { 'Retry-After': '30' });
    await definition.check(parsed.data, { db, gateSets: context.gateSets });
    return insertJob(db, kind, parsed.data);
  });
  context.runner.wake();
  return job;
}

function fieldOf(issue: z.core.$ZodIssue): Field {
  return { path: issue.path.map(String).join('.') || '(body)', message: issue.message };
}

function jobBody(job: ApiJob) {
  const self = `${API_V1}/jobs/${job.id}`;
  const result = job.status === 'succeeded' && job.result ? `${API_V1}${JOB_DEFINITIONS[job.kind].resultPath(job.result)}` : undefined;
  return { ...job, links: result ? { self, result } : { self } };
}

function numericId(text: string): number {
  if (!/^[1-9]\d{0,15}$/.test(text)) throw new ApiError(404, `no such id: ${JSON.stringify(text.slice(0, 100))}`);
  return Number(text);
}

async function readResult(context: Context, kind: JobKind, id: string): Promise<unknown> {
  return context.withDb(async (db) => {
    switch (kind) {
      case 'backtest':
        return getBacktest(db, numericId(id));
      case 'simulation': {
        const simulation = await getSimulation(db, numericId(id));
        if (!simulation) throw new ApiError(404, `no simulation ${id}`);
        const links = {
          inSample: `${API_V1}/backtests/${simulation.backtestId}`,
          outOfSample: `${API_V1}/backtests/${simulation.oosBacktestId}`,
        };
        return { ...simulation, links };
      }
      case 'sweep': {
        const { dates: _dates, ...sweep } = await getSweep(db, numericId(id));
        const { entries, failures } = await sweepResults(db, sweep.id);
        return {
          ...sweep,
          entries: entries.map(({ index, backtestId, params, metrics }) => ({
            index,
            backtestId,
            params,
            sharpe: metrics.returns.sharpe,
            cagr: metrics.returns.cagr,
            totalReturnPct: metrics.returns.totalReturnPct,
            maxDrawdownPct: metrics.drawdown.maxDepthPct,
          })),
          failures,
        };
      }
      case 'portfolio': {
        const portfolio = await getPortfolio(db, id);
        return { ...portfolio, latest: (await rebalances(db, portfolio.id, 1))[0] ?? null };
      }
      case 'ingest': {
        const run = await findRun(db, numericId(id));
        if (!run) throw new ApiError(404, `no ingest run ${id}`);
        return run;
      }
    }
  });
}
