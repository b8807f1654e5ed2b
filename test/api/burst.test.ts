/**
 * POST /api/run under a burst, on a real server over real sockets: the capacity (workers + queue)
 * is checked before a body is read, so requests beyond it are answered 429 while their bodies are
 * still on the way (before, every body was read, parsed and validated on the thread that answers
 * /health before the queue was looked at: /health took 15 s in a 200-request burst), and /health
 * answers during the burst. States, not durations: the figures are in `npm run bench`.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { EVENTUALLY, waitFor } from '../jobs/service-helpers.js';

/** The request of ../shared/MPO.md. */
const BODY = JSON.stringify({
  initial_weights: { GOOG: 0, APPL: 0, CASH: 1 },
  estimated_returns: { GOOG: { '1': 0.05, '2': 0.02, '3': -0.1 }, APPL: { '1': 0.04, '2': 0.01, '3': -0.03 } },
  parameters: { min_weight: -1, max_weight: 0.1, min_cash_balance: 0.1, max_leverage: 1, max_trade_size: 0.1, trade_aversion: 1 },
});

const BURST = 200;

describe('POST /api/run in a burst of 200', () => {
  let server: RunningServer;
  let port: number;
  beforeAll(async () => {
    server = await startServer({ port: 0, workers: 1, queueLimit: 2, log: () => {} });
    port = Number(new URL(server.url).port);
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers 429 beyond the capacity before the bodies arrive, /health meanwhile, and solves the admitted ones', async () => {
    // Each sends its headers and half its body, then waits.
    const clients = Array.from({ length: BURST }, () => {
      const client = { socket: undefined as unknown as Socket, answer: '' };
      client.socket = connect(port, '127.0.0.1');
      client.socket.on('data', (chunk: Buffer) => (client.answer += chunk.toString()));
      client.socket.on('error', () => undefined);
      client.socket.write(
        `POST /api/run HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 40)}`,
      );
      return client;
    });
    const refused = () => clients.filter((c) => c.answer.startsWith('HTTP/1.1 429'));
    await waitFor(() => refused().length === BURST - 3, EVENTUALLY, `${BURST - 3} answers 429 with the bodies unsent`);
    for (const c of refused()) expect(c.answer).toMatch(/retry-after: \d+/i);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');

    // The three taken in get their bodies' rest and are solved.
    const admitted = clients.filter((c) => c.answer === '');
    expect(admitted).toHaveLength(3);
    for (const c of admitted) c.socket.write(BODY.slice(40));
    await waitFor(() => admitted.every((c) => c.answer.includes('"status":0')), EVENTUALLY, 'the admitted requests to be solved');
    for (const c of admitted) expect(c.answer).toMatch(/^HTTP\/1.1 200/);
    for (const c of clients) c.socket.destroy();
  });

  it('answers /health during a burst of 200 whole requests; each of them gets 200 or 429', async () => {
    const burst = Array.from({ length: BURST }, () =>
      fetch(`${server.url}/api/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY }).then(
        (r) => r.status,
        () => -1,
      ),
    );
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    const statuses = await Promise.all(burst);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(statuses).toContain(200);
  });
});
