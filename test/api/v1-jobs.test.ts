/**
 * The HTTP API v1 on a real server on loopback and a real database: the journey on the synthetic
 * market through its asynchronous jobs (ingest -> backtest -> simulation, a sweep, a model
 * portfolio), each job followed until it is done and its result read; every answer validated
 * against the served OpenAPI document, and every documented route seen answering. Then the lists
 * of what it made (newest first, paged), the refusals (400 with the fields at fault, 404, 405, 415),
 * the token rule, and a restart: a job left running by a server that stopped is marked failed, one
 * left queued runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { spawnSync } from 'node:child_process';
import { claimNextJob, insertJob } from '../../src/api/v1/api-job-store.js';
import { runnerId } from '../../src/api/v1/job-runner.js';
import { ConfigError, DatabaseError } from '../../src/errors.js';
import { openApiChecker, type OpenApiChecker } from '../helpers/openapi-check.js';
import { SYNTHETIC_SYMBOLS } from '../helpers/synthetic-reference.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

type Json = Record<string, unknown>;

interface Answer {
  readonly status: number;
  readonly body: Json;
  readonly headers: Headers;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Json), headers: response.headers };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  call(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Follows a job until it is no longer queued or running (polling its state: the job decides when). */
async function settled(base: string, id: string, seen?: OpenApiChecker): Promise<Json> {
  for (;;) {
    const answer = await call(`${base}/api/v1/jobs/${id}`);
    expect(answer.status).toBe(200);
    seen?.check('GET', '/api/v1/jobs/{id}', 200, answer.body);
    if (answer.body.status === 'succeeded' || answer.body.status === 'failed') return answer.body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const db$ = { db: undefined as TestDatabase | undefined };
const withDb = <T>(work: (db: TestDatabase) => Promise<T>) => work(db$.db!);

describe(`HTTP API v1: the journey as jobs (${engineName})`, () => {
  let server: RunningServer;
  let openapi: OpenApiChecker;
  let base: string;

  beforeAll(async () => {
    db$.db = await openTestDatabase();
    server = await startServer({ port: 0, env: {}, log: () => undefined, api: { withDb, sweepWorkers: 1 } });
    base = server.url;
    const document = await call(`${base}/api/v1/openapi.json`);
    expect(document.status).toBe(200);
    expect(document.body.openapi).toBe('3.1.0');
    openapi = openApiChecker(document.body);
    openapi.check('GET', '/api/v1/openapi.json', 200, document.body);
  });
  afterAll(async () => {
    await server?.close();
    await db$.db?.close();
  });

  /** Submits, checks the 202, follows the job to success, reads and checks the result; returns the job and the result. */
  async function run(collection: string, spec: unknown): Promise<{ job: Json; result: Json }> {
    const accepted = await post(`${base}/api/v1/${collection}`, spec);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    openapi.check('POST', `/api/v1/${collection}`, 202, accepted.body);
    const id = accepted.body.id as string;
    expect(accepted.headers.get('location')).toBe(`/api/v1/jobs/${id}`);
    const job = await settled(base, id, openapi);
    expect(job, JSON.stringify(job.error)).toMatchObject({ status: 'succeeded', progress: 1 });
    const link = (job.links as Json).result as string;
    const result = await call(`${base}${link}`);
    expect(result.status).toBe(200);
    const template = link.replace(/\/[^/]+$/, collection === 'portfolios' ? '/{name}' : '/{id}');
    openapi.check('GET', template, 200, result.body);
    return { job, result: result.body };
  }

  let backtestId: number;

  it('ingests the synthetic market: the run and its totals', async () => {
    const { job, result } = await run('ingest', { source: 'synthetic', seed: 3, symbols: SYNTHETIC_SYMBOLS, to: '2014-12-31' });
    expect(job.spec).toMatchObject({ source: 'synthetic', interval: '1d', full: false, concurrency: 4 });
    expect(result).toMatchObject({ id: (job.result as Json).runId, source: 'synthetic', status: 'ok' });
    expect((result.totals as Json).symbols_ok).toBe(SYNTHETIC_SYMBOLS.length);
  });

  it('backtests on it with the CLI spec: the stored summary and metrics', async () => {
    const spec = { strategy: 'xs-momentum', symbols: SYNTHETIC_SYMBOLS, from: '2003-01-01', to: '2009-12-31', params: { topPct: 34 } };
    const { job, result } = await run('backtests', spec);
    backtestId = (job.result as Json).backtestId as number;
    expect(result).toMatchObject({ id: backtestId, role: 'backtest', periodFrom: '2003-01-01', periodTo: '2009-12-31' });
    expect((result.spec as Json).params).toMatchObject({ topPct: 34 });
    expect(((result.metrics as Json).returns as Json).sharpe).toEqual(expect.any(Number));
  });

  it('simulates that backtest out of sample: compared with the in-sample run, both linked', async () => {
    const { result } = await run('simulations', { backtestId, ignoreGates: true });
    expect(result).toMatchObject({ backtestId, allowedOverlap: false });
    expect(((result.comparison as Json).outOfSample as Json).period).toBe('2010-01-01 .. 2014-12-31');
    const outOfSample = await call(`${base}${(result.links as Json).outOfSample as string}`);
    expect(outOfSample.body).toMatchObject({ role: 'simulation', periodFrom: '2010-01-01' });
  });

  it('sweeps a grid: every combination stored with its figures, in the order the grid was given', async () => {
    const spec = {
      strategy: 'xs-momentum',
      symbols: SYNTHETIC_SYMBOLS,
      from: '2003-01-01',
      to: '2009-12-31',
      grid: { lookback: [126, 252], topPct: [34, 50] },
    };
    const { job, result } = await run('sweeps', spec);
    expect(job.message).toBe('done');
    expect(result).toMatchObject({ id: (job.result as Json).sweepId, combinations: 4, status: 'done', failures: [] });
    expect((result.entries as Json[]).map((e) => e.params)).toEqual([
      expect.objectContaining({ lookback: 126, topPct: 34 }),
      expect.objectContaining({ lookback: 126, topPct: 50 }),
      expect.objectContaining({ lookback: 252, topPct: 34 }),
      expect.objectContaining({ lookback: 252, topPct: 50 }),
    ]);
  });

  it('creates a model portfolio: its latest rebalance holds whole shares bought with the amount', async () => {
    const request = {
      strategy: 'xs-momentum',
      symbols: SYNTHETIC_SYMBOLS,
      hyperparameters: { topPct: 34 },
      amount: 100_000,
      asOf: '2014-12-31',
      ignoreGates: true,
    };
    const { result } = await run('portfolios', { name: 'api core', request });
    expect(result).toMatchObject({ name: 'api core', request: { amount: 100_000, ignoreGates: true } });
    const holdings = (result.latest as Json).holdings as Json[];
    expect(holdings.some((h) => (h.shares as number) > 0)).toBe(true);
    for (const h of holdings) expect(Number.isInteger(h.shares)).toBe(true);
    const again = await post(`${base}/api/v1/portfolios`, { name: 'api core', request });
    expect(again.status).toBe(400);
    expect(again.body.fields).toEqual([{ path: 'name', message: 'a portfolio named "api core" exists already' }]);
  });

  it('a job whose work fails says why, and links no result', async () => {
    const accepted = await post(`${base}/api/v1/backtests`, { strategy: 'xs-momentum', symbols: ['NOPE'] });
    expect(accepted.status).toBe(202);
    const job = await settled(base, accepted.body.id as string, openapi);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/NOPE/);
    expect(job.links).toEqual({ self: `/api/v1/jobs/${accepted.body.id as string}` });
  });

  it('refuses bad input with every field at fault, in one shape', async () => {
    const bad = await post(`${base}/api/v1/backtests`, { strategy: '', symbols: [], costs: { bps: -1 }, colour: 'red' });
    expect(bad.status).toBe(400);
    openapi.check('POST', '/api/v1/backtests', 400, bad.body);
    const paths = (bad.body.fields as Json[]).map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['strategy', 'symbols', 'costs.bps', '(body)']));
    const cases: [string, unknown, string][] = [
      ['backtests', { strategy: 'no-such-strategy', symbols: ['SPY'] }, 'strategy'],
      ['backtests', { strategy: 'xs-momentum', symbols: ['SPY'], params: { lookback: -3 } }, 'lookback'],
      ['simulations', { backtestId: 999_999 }, 'backtestId'],
      ['simulations', { backtestId: 1, gateSet: 'no-such-set' }, 'gateSet'],
      // Refused before it is queued: a period overlapping the backtest's (2003-2009), one ending before it starts.
      ['simulations', { backtestId: 1, from: '2009-06-01' }, 'from'],
      ['simulations', { backtestId: 1, from: '2011-01-01', to: '2010-06-30' }, 'to'],
      ['sweeps', { strategy: 'xs-momentum', symbols: ['SPY'], grid: { lookback: [] } }, 'grid.lookback'],
      ['sweeps', { strategy: 'xs-momentum', symbols: ['SPY'], grid: { lookback: [126, 252] }, gateSet: 'no-such-set' }, 'gateSet'],
      ['portfolios', { name: 'x', request: { strategy: 'xs-momentum', amount: 0 } }, 'request.amount'],
      ['portfolios', { name: 'x', request: { strategy: 'xs-momentum', symbols: ['SPY', 'spy'], amount: 1 } }, 'request.symbols'],
      ['portfolios', { name: '../x', request: { strategy: 'xs-momentum', symbols: ['SPY'], amount: 1 } }, 'name'],
      ['ingest', { source: 'ftp', symbols: ['SPY'] }, 'source'],
      ['ingest', { source: 'synthetic', from: '2020-02-30' }, 'from'],
    ];
    for (const [collection, body, field] of cases) {
      const answer = await post(`${base}/api/v1/${collection}`, body);
      expect(answer.status, `${collection} ${JSON.stringify(body)}`).toBe(400);
      openapi.check('POST', `/api/v1/${collection}`, 400, answer.body);
      expect((answer.body.fields as Json[]).map((f) => f.path).join(' '), `${collection} ${JSON.stringify(body)}`).toContain(field);
    }
    const notJson = await call(`${base}/api/v1/backtests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.fields).toEqual([{ path: 'body', message: expect.stringContaining('invalid JSON') }]);
    const text = await call(`${base}/api/v1/backtests`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(text.status).toBe(415);
    openapi.check('POST', '/api/v1/backtests', 415, text.body);
  });

  it('answers 404 for unknown ids and paths, 405 with Allow for a wrong method', async () => {
    for (const path of [
      '/api/v1/jobs/not-a-uuid',
      '/api/v1/jobs/00000000-0000-4000-8000-000000000000',
      '/api/v1/backtests/999999',
      '/api/v1/backtests/abc',
      '/api/v1/simulations/999999',
      '/api/v1/sweeps/999999',
      '/api/v1/portfolios/nobody',
      '/api/v1/ingest/999999',
      '/api/v1/nothing',
    ]) {
      const answer = await call(`${base}${path}`);
      expect(answer.status, path).toBe(404);
      expect(answer.body.error, path).toEqual(expect.any(String));
    }
    openapi.check('GET', '/api/v1/backtests/{id}', 404, (await call(`${base}/api/v1/backtests/999999`)).body);
    const wrong = await call(`${base}/api/v1/backtests`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, POST');
    expect((await call(`${base}/api/v1/ingest`)).headers.get('allow')).toBe('POST');
    expect((await call(`${base}/api/v1/jobs`, { method: 'POST' })).headers.get('allow')).toBe('GET, HEAD');
    openapi.check('POST', '/api/v1/backtests', 405, wrong.body);
    const getOnly = await call(`${base}/api/v1/jobs/00000000-0000-4000-8000-000000000000`, { method: 'POST' });
    expect(getOnly.status).toBe(405);
    expect(getOnly.headers.get('allow')).toBe('GET, HEAD');
  });

  it('lists jobs, backtests, sweeps and portfolios newest first, a page at a time, each item linked', async () => {
    for (const collection of ['jobs', 'backtests', 'sweeps', 'portfolios']) {
      const all = await call(`${base}/api/v1/${collection}?limit=100`);
      expect(all.status, collection).toBe(200);
      openapi.check('GET', `/api/v1/${collection}`, 200, all.body);
      const items = all.body.items as Json[];
      expect(items.length, collection).toBeGreaterThan(0);
      expect(all.body).toMatchObject({ limit: 100, offset: 0, next: null });
      // Newest first; each item's link answers.
      const created = items.map((item) => Date.parse(item.createdAt as string));
      expect(created, collection).toEqual([...created].sort((a, b) => b - a));
      const self = (items[0]!.links as Json).self as string;
      expect((await call(`${base}${self}`)).status, self).toBe(200);
      // Paged one at a time, the pages are the same items in the same order.
      const paged: Json[] = [];
      for (let next: string | null = `/api/v1/${collection}?limit=1`; next !== null;) {
        const page = await call(`${base}${next}`);
        openapi.check('GET', `/api/v1/${collection}`, 200, page.body);
        paged.push(...(page.body.items as Json[]));
        next = page.body.next as string | null;
      }
      expect(paged.map((item) => item.id)).toEqual(items.map((item) => item.id));
    }
    const jobs = (await call(`${base}/api/v1/jobs`)).body;
    expect(jobs.limit).toBe(20);
    expect((jobs.items as Json[])[0]).toMatchObject({ kind: 'backtest', status: 'failed' });
    const portfolios = (await call(`${base}/api/v1/portfolios`)).body.items as Json[];
    expect(portfolios.map((p) => p.name)).toEqual(['api core']);
    expect(portfolios[0]!.links).toEqual({ self: '/api/v1/portfolios/api%20core' });
    const sweeps = (await call(`${base}/api/v1/sweeps`)).body.items as Json[];
    expect(sweeps[0]).toMatchObject({ strategy: 'xs-momentum', combinations: 4, stored: 4, status: 'done' });
    const backtests = (await call(`${base}/api/v1/backtests?limit=2&offset=1`)).body;
    expect(backtests).toMatchObject({ limit: 2, offset: 1, next: '/api/v1/backtests?limit=2&offset=3' });
  });

  it('refuses a list query out of range or unknown, naming each parameter', async () => {
    const cases: [string, string[]][] = [
      ['limit=0', ['query.limit']],
      ['limit=101', ['query.limit']],
      ['limit=ten', ['query.limit']],
      ['limit=2.5&offset=-1', ['query.limit', 'query.offset']],
      ['page=2', ['query.page']],
    ];
    for (const [query, paths] of cases) {
      const answer = await call(`${base}/api/v1/backtests?${query}`);
      expect(answer.status, query).toBe(400);
      openapi.check('GET', '/api/v1/backtests', 400, answer.body);
      expect(
        (answer.body.fields as Json[]).map((f) => f.path),
        query,
      ).toEqual(paths);
    }
  });

  it('every route in the document was seen answering as documented', () => {
    expect(openapi.unseen()).toEqual([]);
  });

  it('leaves POST /api/run as it was', async () => {
    const answer = await post(`${base}/api/run`, {});
    expect(answer.status).toBe(400);
    expect(answer.body.details).toEqual(expect.any(Array));
  });
});

describe(`HTTP API v1: the token rule and restarts (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });
  const own = <T>(work: (d: TestDatabase) => Promise<T>) => work(db);

  it('refuses to listen beyond loopback without a token; with one, a request without it is refused (401)', async () => {
    await expect(startServer({ host: '0.0.0.0', port: 0, env: {}, log: () => undefined, api: { withDb: own } })).rejects.toThrow(
      ConfigError,
    );
    const token = 'a-token-of-at-least-16-chars';
    const server = await startServer({ port: 0, token, log: () => undefined, api: { withDb: own } });
    try {
      const refused = await post(`${server.url}/api/v1/ingest`, { source: 'synthetic' });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="momentum"');
      expect((await call(`${server.url}/api/v1/openapi.json`)).status).toBe(401);
      expect((await call(`${server.url}/api/v1/jobs`)).status).toBe(401);
      expect((await call(`${server.url}/api/v1/jobs`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const wrong = await call(`${server.url}/api/v1/openapi.json`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
      expect(wrong.status).toBe(401);
      const allowed = await call(`${server.url}/api/v1/openapi.json`, { headers: { authorization: `Bearer ${token}` } });
      expect(allowed.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('answers 503 (details in the log, not in the answer) while the database cannot be reached', async () => {
    const logged: string[] = [];
    const unreachable = () => Promise.reject(new DatabaseError('cannot connect to PostgreSQL at db.internal:5432'));
    const server = await startServer({ port: 0, log: (line) => logged.push(line), api: { withDb: unreachable } });
    try {
      const document = openApiChecker((await call(`${server.url}/api/v1/openapi.json`)).body);
      for (const [path, init] of [
        ['/api/v1/jobs/00000000-0000-4000-8000-000000000000', {}],
        ['/api/v1/ingest', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"source":"synthetic"}' }],
      ] as const) {
        const answer = await call(`${server.url}${path}`, init);
        expect(answer.status, path).toBe(503);
        expect(answer.headers.get('retry-after')).toBe('5');
        expect(JSON.stringify(answer.body)).not.toContain('db.internal');
        document.check(init.method ?? 'GET', path.includes('jobs') ? '/api/v1/jobs/{id}' : '/api/v1/ingest', 503, answer.body);
      }
      expect(logged.join('\n')).toContain('db.internal');
    } finally {
      await server.close();
    }
  });

  it('a restart marks the jobs a stopped server left running as failed, runs those left queued, and leaves those of a live server alone', async () => {
    // What a server on this host killed mid-job leaves behind: a job running (claimed by its process, now gone) and one queued.
    const killed = spawnSync(process.execPath, ['-e', '']).pid;
    await insertJob(db, 'backtest', { strategy: 'xs-momentum', symbols: ['SYN-EQ-US'] });
    const abandoned = await claimNextJob(db, runnerId(killed));
    // A job another server (elsewhere, beating) runs: not this server's to judge before its lease runs out.
    await insertJob(db, 'backtest', { strategy: 'xs-momentum', symbols: ['SYN-EQ-EU'] });
    const elsewhere = await claimNextJob(db, 'another-host/4242/-/cafe0000');
    const queued = await insertJob(db, 'ingest', {
      source: 'synthetic',
      symbols: ['SYN-GOLD'],
      to: '2004-12-31',
      interval: '1d',
      full: false,
      concurrency: 1,
    });
    const logged: string[] = [];
    const server = await startServer({ port: 0, log: (line) => logged.push(line), api: { withDb: own } });
    try {
      const failed = await settled(server.url, abandoned!.id);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/stopped before it finished.*submit it again/);
      expect(logged.join('\n')).toContain(abandoned!.id);
      expect(await settled(server.url, queued.id)).toMatchObject({ status: 'succeeded', result: { status: 'ok' } });
      expect((await call(`${server.url}/api/v1/jobs/${elsewhere!.id}`)).body.status).toBe('running');
    } finally {
      await server.close();
    }
  });
  it('refuses a submission (429, Retry-After) while too many jobs wait to run', async () => {
    // A runner that cannot reach its database takes nothing: what is submitted waits (and stays queued: the last test of this database).
    const stalled = () => Promise.reject(new DatabaseError('the runner is cut off'));
    const server = await startServer({ port: 0, log: () => undefined, api: { withDb: own, jobWithDb: stalled, maxQueued: 2 } });
    try {
      const spec = { strategy: 'xs-momentum', symbols: ['SYN-EQ-US'] };
      expect((await post(`${server.url}/api/v1/backtests`, spec)).status).toBe(202);
      expect((await post(`${server.url}/api/v1/backtests`, spec)).status).toBe(202);
      const refused = await post(`${server.url}/api/v1/backtests`, spec);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('30');
      openApiChecker((await call(`${server.url}/api/v1/openapi.json`)).body).check('POST', '/api/v1/backtests', 429, refused.body);
    } finally {
      await server.close();
    }
  });
});
