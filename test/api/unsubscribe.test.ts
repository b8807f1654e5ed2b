/**
 * The unsubscribe link of subscriber mail, served by the API server (a real HTTP server) against a
 * real database, over plain HTTP: GET only asks (mail link scanners follow every link), the
 * one-click POST of mail clients unsubscribes, repeated and unknown links, and no API token needed
 * for it while every other endpoint keeps requiring one. In a browser: test/browser/mail-links.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { subscriberUnsubscribe } from '../../src/api/unsubscribe-page.js';
import { DatabaseError } from '../../src/errors.js';
import { addSubscriber, listSubscribers } from '../../src/mail/subscriber-store.js';
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
      token: 'secret-token-of-16-chars',
      log: () => {},
      unsubscribe: subscriberUnsubscribe((work) => work(db)),
    });
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  it('a plain GET (a person, or a mail link scanner) changes nothing: it asks for confirmation', async () => {
    const ann = await addSubscriber(db, { portfolio: 'core', email: 'ann@example.com', name: 'Ann <b>', amount: 1000 });
    const link = `${server.url}/unsubscribe?token=${ann.unsubscribeToken}`;
    for (const method of ['GET', 'GET', 'HEAD']) {
      const response = await fetch(link, { method });
      expect(
        (await listSubscribers(db, { portfolio: 'core' })).map((s) => s.email),
        method,
      ).toContain('ann@example.com');
      expect(response.status).toBe(200);
    }
    const page = await (await fetch(link)).text();
    expect(page).toContain('Unsubscribe ann@example.com from core?');
    expect(page).toMatch(/<form method="post" action="\?token=[\w-]+"><button type="submit" name="List-Unsubscribe" value="One-Click"/);
  });

  it('unsubscribes on the one-click POST of mail clients (RFC 8058); clicking again is harmless', async () => {
    const bob = await addSubscriber(db, { portfolio: 'core', email: 'bob@example.com', amount: 1000 });
    const link = `${server.url}/unsubscribe?token=${bob.unsubscribeToken}`;
    const oneClick = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    };
    const response = await fetch(link, oneClick);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain('Unsubscribed bob@example.com from core.');
    expect((await listSubscribers(db, { portfolio: 'core' })).map((s) => s.email)).not.toContain('bob@example.com');
    for (const again of [await fetch(link, oneClick), await fetch(link)]) {
      expect(again.status).toBe(200);
      expect(await again.text()).toContain('Already unsubscribed');
    }
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
      unsubscribe: subscriberUnsubscribe(() =>
        Promise.reject(new DatabaseError('the embedded database is in use (pid 4242; lock /home/x/pgdata.lock)')),
      ),
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
