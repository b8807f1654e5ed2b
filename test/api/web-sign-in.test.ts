/**
 * The web pages on a server that needs a token (as one bound beyond loopback does): a browser is
 * sent to the sign-in page and back, signs in once with the token in a form (CSRF-protected), gets
 * a new session id, and signs out; a wrong token is refused next to the field and counts against
 * the address's budget; a signed-in cookie never opens the JSON API; scripts keep the bearer header.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { safeNext } from '../../src/api/web/sign-in.js';
import { webSessions } from '../../src/api/web/web-session.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const TOKEN = 'a-long-enough-token-123';

async function get(url: string, cookie = '') {
  const response = await fetch(url, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  return { status: response.status, html: await response.text(), headers: response.headers };
}

function post(url: string, fields: Record<string, string>, cookie: string) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

const cookieOf = (headers: Headers) => headers.get('set-cookie')!.split(';')[0]!;
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!;

describe(`signing in to the web pages (${engineName})`, () => {
  let db: TestDatabase;
  let server: RunningServer;

  beforeAll(async () => {
    db = await openTestDatabase();
    server = await startServer({
      port: 0,
      env: {},
      token: TOKEN,
      publicRateLimit: 3,
      log: () => undefined,
      api: { withDb: (work) => work(db) },
      web: { universes: () => [] },
    });
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('a page asked for without signing in sends the browser to the sign-in form, and back after', async () => {
    for (const path of ['/', '/sweeps', '/backtests/1', '/portfolios/core', '/static/web-sweep-chart.js', '/static/web-charts.js']) {
      const answer = await get(`${server.url}${path}`);
      expect([answer.status, answer.headers.get('location')], path).toEqual([303, `/login?next=${encodeURIComponent(path)}`]);
    }
    const away = await get(`${server.url}/strategies`);
    expect(away.status).toBe(303);
    expect(away.headers.get('location')).toBe('/login?next=%2Fstrategies');
    const form = await get(`${server.url}/login?next=%2Fstrategies`);
    expect(form.status).toBe(200);
    expect(form.headers.get('content-security-policy')).toMatch(/^default-src 'self';/);
    expect(form.html).toContain('<label for="token">API token</label>');
    expect(form.html).toContain('name="next" value="/strategies"');
    expect(form.html).not.toContain('Sign out');
    const before = cookieOf(form.headers);

    const signedIn = await post(`${server.url}/login`, { csrf: csrfOf(form.html), next: '/strategies', token: TOKEN }, before);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/strategies');
    const after = cookieOf(signedIn.headers);
    expect(signedIn.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect(after).not.toBe(before); // a new session id: one planted before signing in is worth nothing

    const page = await get(`${server.url}/strategies`, after);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h1>Choose a strategy</h1>');
    expect(page.html).toContain('<button type="submit">Sign out</button>');
    expect((await get(`${server.url}/strategies`, before)).status).toBe(303);
    // The JSON API takes the bearer token only: a cookie a browser sends by itself opens no API.
    expect((await get(`${server.url}/api/v1/openapi.json`, after)).status).toBe(401);

    const signedOut = await post(`${server.url}/logout`, { csrf: csrfOf(page.html) }, after);
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get('location')).toBe('/login');
    expect((await get(`${server.url}/strategies`, after)).status).toBe(303);
  });

  it('refuses a sign-in without the form’s CSRF token, a wrong token next to the field, then too many tries', async () => {
    const form = await get(`${server.url}/login`);
    const cookie = cookieOf(form.headers);
    expect((await post(`${server.url}/login`, { token: TOKEN }, cookie)).status).toBe(403);
    expect((await post(`${server.url}/login`, { csrf: csrfOf(form.html), token: TOKEN }, '')).status).toBe(403);

    const wrong = await post(`${server.url}/login`, { csrf: csrfOf(form.html), token: 'not-the-token-at-all' }, cookie);
    expect(wrong.status).toBe(401);
    const html = await wrong.text();
    expect(html).toContain('aria-invalid="true" aria-describedby="token-error"');
    expect(html).toContain('<p class="field-error" id="token-error">That is not the token of this server.</p>');
    let answer = wrong;
    for (let i = 0; i < 5 && answer.status !== 429; i++)
      answer = await post(`${server.url}/login`, { csrf: csrfOf(form.html), token: `wrong-${i}` }, cookie);
    expect(answer.status).toBe(429);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('an off-site `next` leads home, and scripts still reach the pages with the bearer token', async () => {
    const form = await get(`${server.url}/login`);
    const cookie = cookieOf(form.headers);
    // (This address spent its budget above on wrong tokens; a right one is never counted.)
    const answer = await post(`${server.url}/login`, { csrf: csrfOf(form.html), next: '//evil.example/x', token: TOKEN }, cookie);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/');
    const scripted = await fetch(`${server.url}/strategies`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(scripted.status).toBe(200);
  });
});

describe('signing in where no token is needed (loopback)', () => {
  it('the sign-in page sends the browser on, and pages show no sign-out', async () => {
    const server = await startServer({
      port: 0,
      env: {},
      log: () => undefined,
      api: { withDb: () => Promise.reject(new Error('not reached')) },
      web: { universes: () => [] },
    });
    try {
      const answer = await get(`${server.url}/login?next=%2Fstrategies`);
      expect(answer.status).toBe(303);
      expect(answer.headers.get('location')).toBe('/strategies');
      expect((await get(`${server.url}/strategies`)).html).not.toContain('Sign out');
    } finally {
      await server.close();
    }
  });
});

describe('sign-in rules', () => {
  it('after signing in, only a path of this site', () => {
    expect(safeNext('/jobs/abc?x=1')).toBe('/jobs/abc?x=1');
    for (const next of ['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '', null, '/a b'])
      expect(safeNext(next)).toBe('/');
  });

  it('a sign-in lasts twelve hours', () => {
    let now = 0;
    const sessions = webSessions(Buffer.alloc(32, 1), () => now);
    const signed = sessions.signIn({ headers: {} } as never);
    const req = { headers: { cookie: signed.setCookie!.split(';')[0] } } as never;
    expect(sessions.of(req).signedIn).toBe(true);
    now = 12 * 3600_000 - 1;
    expect(sessions.of(req).signedIn).toBe(true);
    now = 12 * 3600_000;
    expect(sessions.of(req).signedIn).toBe(false);
  });
});
