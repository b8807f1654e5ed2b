/**
 * The unsubscribe link of subscriber mail, served by the API server (a real HTTP server) against a
 * real database: GET from a browser, the one-click POST of mail clients, repeated and unknown
 * links, and no API token needed for it while every other endpoint keeps requiring one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { DatabaseError } from '../../src/errors.js';
import { addSubscriber, listSubscribers, unsubscribe } from '../../src/report/subscribers.js';
import { insertPortfolio } from '../helpers/mail-server.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe(`GET and POST /unsubscribe (${engineName})`, () => {
  let db: TestDatabase;
  let server: RunningServer;
  beforeAll(async () => {
    db = await openTestDatabase();
    await insertPortfolio(db, 'core');
    server = await startServer({
      port: 0,
      token: 'secret-token',
      log: () => {},
      unsubscribe: async (token) => (await unsubscribe(db, { token })).map((s) => ({ email: s.email, portfolio: s.portfolio })),
    });
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  it('unsubscribes by the link, says so in a page, and is harmless to click twice', async () => {
    const ann = await addSubscriber(db, { portfolio: 'core', email: 'ann@example.com', name: 'Ann <b>', amount: 1000 });
    const first = await fetch(`${server.url}/unsubscribe?token=${ann.unsubscribeToken}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await first.text()).toContain('Unsubscribed ann@example.com from core.');
    expect((await listSubscribers(db, { portfolio: 'core', includeUnsubscribed: true }))[0]!.unsubscribedAt).not.toBeNull();
    const again = await fetch(`${server.url}/unsubscribe?token=${ann.unsubscribeToken}`);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('Already unsubscribed');
  });

  it('takes the one-click POST of mail clients (RFC 8058)', async () => {
    const bob = await addSubscriber(db, { portfolio: 'core', email: 'bob@example.com', amount: 1000 });
    const response = await fetch(`${server.url}/unsubscribe?token=${bob.unsubscribeToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(200);
    expect((await listSubscribers(db, { portfolio: 'core' })).map((s) => s.email)).not.toContain('bob@example.com');
  });

  it('answers unknown, empty and wrong-method requests plainly; other endpoints still need the API token', async () => {
    const unknown = await fetch(`${server.url}/unsubscribe?token=<script>`);
    expect(unknown.status).toBe(404);
    const page = await unknown.text();
    expect(page).toContain('Unknown unsubscribe link');
    expect(page).not.toContain('<script>');
    expect((await fetch(`${server.url}/unsubscribe`)).status).toBe(400);
    expect((await fetch(`${server.url}/unsubscribe?token=x`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${server.url}/api/run`, { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('says "try again later" (503) when the database cannot be reached, keeping the details in the log', async () => {
    const logged: string[] = [];
    const down = await startServer({
      port: 0,
      log: (line) => logged.push(line),
      unsubscribe: () => Promise.reject(new DatabaseError('the embedded database is in use (pid 4242; lock /home/x/pgdata.lock)')),
    });
    try {
      const response = await fetch(`${down.url}/unsubscribe?token=abc`, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
      expect(response.status).toBe(503);
      const page = await response.text();
      expect(page).toContain('Please try again later');
      expect(page).not.toMatch(/4242|pgdata/);
      expect(logged.some((line) => line.includes('pid 4242'))).toBe(true);
    } finally {
      await down.close();
    }
  });
});
