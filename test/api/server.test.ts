/**
 * The MPO web service against a real HTTP server on 127.0.0.1 (port 0), called with fetch: the
 * compatible answer of POST /api/run, every refusal with its status code, auth, and the worker
 * pool (health during a long solve, the deadline, the queue).
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { ConfigError } from '../../src/errors.js';
import { MPO_EXAMPLE } from '../helpers/mpo-request.js';
import { EVENTUALLY, waitFor } from '../jobs/service-helpers.js';

type ByPeriod = Record<string, number | null>;
interface RunBody {
  output: { weights: Record<string, ByPeriod>; trades: Record<string, ByPeriod> };
  status: number;
  message?: string;
}
interface ErrorBody {
  error: string;
  details?: { field: string; message: string }[];
}

type Request = typeof MPO_EXAMPLE;

const withParameters = (extra: Record<string, unknown>) => ({ ...MPO_EXAMPLE, parameters: { ...MPO_EXAMPLE.parameters, ...extra } });

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/api/run`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

async function run(url: string, body: unknown): Promise<RunBody> {
  const response = await post(url, body);
  expect(response.status).toBe(200);
  return (await response.json()) as RunBody;
}

/** sum r*(w+z) over non-cash assets and periods - trade_aversion*cost*sum |z| over every asset (CASH included). */
function objective(request: Request, body: RunBody): number {
  const { trade_aversion: kappa, transaction_cost: cost } = request.parameters;
  let value = 0;
  for (const [asset, trades] of Object.entries(body.output.trades)) {
    for (const [t, z] of Object.entries(trades)) {
      const returns = request.estimated_returns[asset as keyof Request['estimated_returns']];
      if (returns) value += returns[t as '1']! * (body.output.weights[asset]![t]! + z!);
      value -= kappa * cost * Math.abs(z!);
    }
  }
  return value;
}

/** The model's constraints on the returned weights (MPO.md): dynamics, self-financing, bounds, the final liquidation. */
function expectFeasible(request: Request, body: RunBody): void {
  const p = request.parameters;
  const { weights, trades } = body.output;
  const periods = Object.keys(trades.CASH!).length;
  for (let t = 1; t <= periods; t++) {
    const k = String(t);
    expect(Object.values(trades).reduce((s, z) => s + z[k]!, 0)).toBeCloseTo(0, 9);
    let leverage = 0;
    for (const asset of Object.keys(weights)) {
      const post = weights[asset]![k]! + trades[asset]![k]!;
      expect(weights[asset]![String(t + 1)]).toBeCloseTo(post, 9);
      expect(post).toBeGreaterThanOrEqual(-1e-9);
      if (asset === 'CASH') expect(post).toBeGreaterThanOrEqual(p.min_cash_balance - 1e-9);
      else {
        expect(post).toBeLessThanOrEqual(p.max_weight + 1e-9);
        expect(Math.abs(trades[asset]![k]!)).toBeLessThanOrEqual(p.max_trade_size + 1e-9);
        leverage += Math.abs(post);
      }
    }
    expect(leverage).toBeLessThanOrEqual(p.max_leverage + 1e-9);
  }
  expect(weights.CASH![String(periods + 1)]).toBeCloseTo(1, 9);
}

/** n assets x p periods of seeded pseudo-random returns. */
function largeRequest(n: number, p: number, solver: 'highs' | 'glpk'): unknown {
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const initial: Record<string, number> = { CASH: 1 };
  const returns: Record<string, Record<string, number>> = {};
  for (let i = 0; i < n; i++) {
    initial[`A${i}`] = 0;
    returns[`A${i}`] = Object.fromEntries(Array.from({ length: p }, (_, t) => [String(t + 1), (random() - 0.5) * 0.1]));
  }
  return { initial_weights: initial, estimated_returns: returns, parameters: { max_weight: 0.05, max_trade_size: 0.02, solver } };
}

describe('POST /api/run', () => {
  let server: RunningServer;
  const log: string[] = [];
  beforeAll(async () => {
    server = await startServer({ port: 0, env: {}, log: (line) => log.push(line) });
  });
  afterAll(() => server.close());

  it('answers the MPO.md example: status 0, objective 0.004, weights 0.1/0.1/0.8 for every asset at times 1..4', async () => {
    const body = await run(server.url, MPO_EXAMPLE);
    expect(body.status).toBe(0);
    expect(body).not.toHaveProperty('message');
    expect(Object.keys(body)).toEqual(['output', 'status']);
    expect(Object.keys(body.output.weights)).toEqual(['GOOG', 'APPL', 'CASH']);
    expect(Object.keys(body.output.trades)).toEqual(['GOOG', 'APPL', 'CASH']);
    for (const asset of ['GOOG', 'APPL', 'CASH']) {
      expect(Object.keys(body.output.weights[asset]!)).toEqual(['1', '2', '3', '4']);
      expect(Object.keys(body.output.trades[asset]!)).toEqual(['1', '2', '3']);
    }
    expect(objective(MPO_EXAMPLE, body)).toBeCloseTo(0.004, 6);
    expectFeasible(MPO_EXAMPLE, body);
    for (const t of ['2', '3']) {
      expect(body.output.weights.GOOG![t]).toBeCloseTo(0.1, 9);
      expect(body.output.weights.APPL![t]).toBeCloseTo(0.1, 9);
      expect(body.output.weights.CASH![t]).toBeCloseTo(0.8, 9);
    }
    expect(body.output.weights.CASH!['1']).toBe(1);
    expect(body.output.weights.CASH!['4']).toBeCloseTo(1, 9);
  });

  it('GLPK (parameters.solver "glpk") reaches the same objective', async () => {
    const request = withParameters({ solver: 'glpk' });
    const body = await run(server.url, request);
    expect(body.status).toBe(0);
    expect(objective(request, body)).toBeCloseTo(0.004, 6);
    expectFeasible(request, body);
  });

  it('an infeasible request is HTTP 200 with status 1 and a message', async () => {
    const body = await run(server.url, withParameters({ min_cash_balance: 1.5 }));
    expect(body.status).toBe(1);
    expect(body.message).toMatch(/infeasible/);
    expect(Object.keys(body.output.weights)).toEqual(['GOOG', 'APPL', 'CASH']);
  });

  it('accepts /api/run/ (the trailing slash of the Django service) and answers HEAD /health', async () => {
    const slash = await fetch(`${server.url}/api/run/`, {
      method: 'POST',
      body: JSON.stringify(MPO_EXAMPLE),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(slash.status).toBe(200);
    expect(((await slash.json()) as RunBody).status).toBe(0);
    const head = await fetch(`${server.url}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  const unknownAsset = { ...MPO_EXAMPLE, estimated_returns: { ...MPO_EXAMPLE.estimated_returns, MSFT: { '1': 0, '2': 0, '3': 0 } } };
  it.each([
    ['missing CASH', { ...MPO_EXAMPLE, initial_weights: { GOOG: 0.5, APPL: 0.5 } }, ['initial_weights.CASH']],
    ['weights not summing to 1', { ...MPO_EXAMPLE, initial_weights: { GOOG: 0.5, APPL: 0, CASH: 1 } }, ['initial_weights']],
    ['returns for an unknown asset', unknownAsset, ['estimated_returns.MSFT']],
    [
      'periods "1", "3"',
      { ...MPO_EXAMPLE, estimated_returns: { GOOG: { '1': 0.05, '3': 0.02 }, APPL: { '1': 0.04, '3': 0.01 } } },
      ['estimated_returns.GOOG', 'estimated_returns.APPL'],
    ],
    ['trade_cost and transaction_cost differing', withParameters({ trade_cost: 0.02 }), ['parameters.trade_cost']],
    ['a string where a number belongs', withParameters({ max_weight: '0.1' }), ['parameters.max_weight']],
    [
      'several wrong types at once',
      {
        ...withParameters({ max_weight: '0.1', solver: 'cplex' }),
        estimated_returns: { GOOG: { '1': 'NaN', '2': 0.02, '3': -0.1 }, APPL: MPO_EXAMPLE.estimated_returns.APPL },
      },
      ['parameters.max_weight', 'parameters.solver', 'estimated_returns.GOOG.1'],
    ],
    [
      'several field problems after the types check out',
      { ...unknownAsset, initial_weights: { GOOG: 0.5, APPL: 0, CASH: 1 }, parameters: { ...MPO_EXAMPLE.parameters, trade_cost: 0.5 } },
      ['initial_weights', 'estimated_returns.MSFT', 'parameters.trade_cost'],
    ],
    ['an array instead of an object', [MPO_EXAMPLE], ['request']],
  ])('400 naming every bad field: %s', async (_, request, fields) => {
    const response = await post(server.url, request);
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error).toMatch(/invalid request/);
    expect(body.details!.map((d) => d.field).sort()).toEqual([...fields].sort());
    for (const detail of body.details!) expect(detail.message.length).toBeGreaterThan(0);
  });

  it('400 for invalid JSON (one detail for body), an empty body, and a non-JSON content type', async () => {
    const invalid = await post(server.url, '{"initial_weights": {');
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as ErrorBody;
    expect(body.error).toMatch(/not valid JSON/);
    expect(body.details).toEqual([{ field: 'body', message: expect.stringMatching(/^invalid JSON: /) }]);

    const empty = await post(server.url, '');
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as ErrorBody).details![0]!.message).toMatch(/empty/);

    const form = await post(server.url, MPO_EXAMPLE, { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(400);
    const formBody = (await form.json()) as ErrorBody;
    expect(formBody.error).toMatch(/unsupported content type "application\/x-www-form-urlencoded": send the request as application\/json/);
    expect(formBody.details![0]!.field).toBe('headers.content-type');
  });

  it('404 for an unknown path, 405 with Allow for a wrong method', async () => {
    const missing = await fetch(`${server.url}/api/runs`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ErrorBody).error).toMatch(/no such endpoint: \/api\/runs/);

    const get = await fetch(`${server.url}/api/run`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(((await get.json()) as ErrorBody).error).toBe('/api/run accepts POST, not GET');

    const postHealth = await fetch(`${server.url}/health`, { method: 'POST' });
    expect(postHealth.status).toBe(405);
    expect(postHealth.headers.get('allow')).toBe('GET, HEAD');
  });

  it('GET /health: status, version, solvers, uptime, solves running and waiting', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      solvers: ['highs', 'glpk'],
      uptimeSeconds: expect.any(Number),
      solving: 0,
      queued: 0,
    });
  });

  it('logs one access line per request: method, path, status, milliseconds', async () => {
    await fetch(`${server.url}/health?probe=1`);
    expect(log.at(-1)).toMatch(/^\S+Z GET \/health 200 \d+ ms$/);
    expect(log.some((line) => / POST \/api\/run 200 \d+ ms$/.test(line))).toBe(true);
    expect(log.some((line) => line.startsWith('unexpected'))).toBe(false);
  });
});

describe('limits', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      port: 0,
      env: {},
      log: () => undefined,
      bodyLimit: 2000,
      maxSize: 5,
      headersTimeoutMs: 500,
      requestTimeoutMs: 1000,
    });
  });
  afterAll(() => server.close());

  it('413 for a body over the limit, by Content-Length, without reading it', async () => {
    const response = await post(server.url, ' '.repeat(3_000_000));
    expect(response.status).toBe(413);
    expect(((await response.json()) as ErrorBody).error).toBe('request body too large: Content-Length 3000000; the limit is 2000 bytes');
  });

  it('413 for a chunked body once it passes the limit', async () => {
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/run`, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.write(' '.repeat(1500));
      setTimeout(() => req.write(' '.repeat(1500)), 50);
    });
    expect(status).toBe(413);
    expect(JSON.parse(text)).toMatchObject({ error: 'request body too large: more than 2000 bytes; the limit is 2000 bytes' });
  });

  it.each([
    ['headers', 'POST /api/run HTTP/1.1\r\nHost: localhost\r\n'],
    ['body', 'POST /api/run HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"initial'],
  ])('408 and a closed connection for a client too slow to send its %s', async (_, partial) => {
    const started = performance.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1', () => socket.write(partial));
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('422 for a problem over the size limit, naming the size and the limit', async () => {
    const response = await post(server.url, MPO_EXAMPLE);
    expect(response.status).toBe(422);
    expect(((await response.json()) as ErrorBody).error).toBe(
      'problem too large: 2 non-cash assets x 3 periods = 6; this server solves at most 5 (assets x periods)',
    );
    const small = { ...MPO_EXAMPLE, estimated_returns: { GOOG: { '1': 0.05, '2': 0.02 }, APPL: { '1': 0.04, '2': 0.01 } } };
    expect((await run(server.url, small)).status).toBe(0);
  });
});

describe('API token', () => {
  const token = 'test-token-0123456789abcdef';
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, env: { MOMENTUM_API_TOKEN: token }, log: () => undefined });
  });
  afterAll(() => server.close());

  it('401 with WWW-Authenticate: Bearer without a token or with a wrong one; 200 with the right one', async () => {
    const none = await post(server.url, MPO_EXAMPLE);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await none.json()) as ErrorBody).error).toMatch(/Authorization: Bearer <token>/);

    for (const header of [`Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, 'Bearer', token, `Basic ${token}`]) {
      const wrong = await post(server.url, MPO_EXAMPLE, { Authorization: header });
      expect(wrong.status, header).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const right = await post(server.url, MPO_EXAMPLE, { Authorization: `Bearer ${token}` });
    expect(right.status).toBe(200);
    expect(((await right.json()) as RunBody).status).toBe(0);
    // Unknown paths do not reveal themselves to callers without the token.
    expect((await fetch(`${server.url}/admin`)).status).toBe(401);
  });

  it('leaves GET /health open', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('refuses a token shorter than 16 characters, before starting anything', async () => {
    for (const short of ['x', 'fifteen-chars-x'])
      await expect(startServer({ port: 0, env: { MOMENTUM_API_TOKEN: short }, log: () => undefined })).rejects.toThrow(
        /the API token must be at least 16 characters/,
      );
    const sixteen = await startServer({ port: 0, env: { MOMENTUM_API_TOKEN: 'sixteen-chars-xx' }, log: () => undefined });
    await sixteen.close();
  });

  it('refuses a non-loopback host without a token, before starting anything', async () => {
    await expect(startServer({ host: '0.0.0.0', port: 0, env: {}, log: () => undefined })).rejects.toThrow(ConfigError);
    await expect(startServer({ host: '192.168.1.10', port: 0, env: { MOMENTUM_API_TOKEN: ' ' } })).rejects.toThrow(
      /refusing to listen on 192\.168\.1\.10 without an API token: .*MOMENTUM_API_TOKEN/,
    );
  });
});

describe('solves on a worker thread', () => {
  let server: RunningServer;
  const log: string[] = [];
  beforeAll(async () => {
    // GLPK needs tens of seconds for 300 assets x 40 periods: the 10 s deadline ends it (long enough
    // for the requests below to arrive meanwhile on a busy machine).
    server = await startServer({ port: 0, env: {}, log: (line) => log.push(line), deadlineSeconds: 10, queueLimit: 1 });
  });
  afterAll(() => server.close());

  it('answers /health during a long solve, queues one request, refuses the next with 429, ends the slow one at the deadline', async () => {
    let slowDone = false;
    const slow = post(server.url, largeRequest(300, 40, 'glpk')).then(async (r) => {
      slowDone = true;
      return { status: r.status, body: (await r.json()) as RunBody };
    });
    // /health answers while the solve runs on the worker (and says so).
    const solving = async () => ((await (await fetch(`${server.url}/health`)).json()) as { solving: number }).solving === 1;
    await waitFor(solving, EVENTUALLY, 'the slow request to reach the worker');
    expect(slowDone).toBe(false);

    // Two more: one waits in the queue (limit 1), the other is refused at once.
    const both = [post(server.url, MPO_EXAMPLE), post(server.url, MPO_EXAMPLE)];
    const refused = await Promise.race(both);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as ErrorBody).error).toMatch(/the solver is busy/);
    const queued = Promise.all(both).then((answers) => answers.find((a) => a !== refused)!);

    const { status, body } = await slow;
    expect(status).toBe(200);
    expect(body.status).toBe(1);
    expect(body.message).toMatch(/^the solve did not finish in time: stopped after 10 s/);
    expect(body.output.weights.A0).toEqual(Object.fromEntries(Array.from({ length: 41 }, (_, t) => [String(t + 1), null])));
    expect(log.some((line) => /passed the 10 s deadline: worker terminated and replaced/.test(line))).toBe(true);

    // The queued request runs on the replacement worker.
    const next = await queued;
    expect(next.status).toBe(200);
    const nextBody = (await next.json()) as RunBody;
    expect(nextBody.status).toBe(0);
    expect(objective(MPO_EXAMPLE, nextBody)).toBeCloseTo(0.004, 6);
  });
});

describe('solver time limit', () => {
  /** A GLPK solve of tens of seconds, stopped by the solver's own limit well before a 20 s deadline. */
  async function solveWithLimits(server: { timeLimitSeconds?: number }, requestLimit: number): Promise<RunBody> {
    const started = await startServer({ port: 0, env: {}, log: () => undefined, deadlineSeconds: 20, ...server });
    try {
      return await run(started.url, {
        ...(largeRequest(300, 40, 'glpk') as object),
        parameters: { solver: 'glpk', time_limit: requestLimit },
      });
    } finally {
      await started.close();
    }
  }

  it("a request's time_limit lowers the server's (30 s)", async () => {
    const body = await solveWithLimits({}, 0.5);
    expect(body.status).toBe(1);
    expect(body.message).toMatch(/GLPK/); // the solver's own limit, not the deadline
    expect(body.message).not.toMatch(/did not finish in time/);
  });

  it("but cannot raise it: the server's time limit caps every solve", async () => {
    const body = await solveWithLimits({ timeLimitSeconds: 0.5 }, 1000);
    expect(body.status).toBe(1);
    expect(body.message).toMatch(/GLPK/);
    expect(body.message).not.toMatch(/did not finish in time/);
  });
});
