/**
 * A browser's part in the web pages' tests, over fetch: pages read with their headers, the form's
 * session (its cookie and CSRF token), forms posted, a job's page followed until it is done; and
 * the server they are asked of.
 */
import { expect } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import type { WebUniverse } from '../../src/api/web/web-views.js';
import { SYNTHETIC_SYMBOLS, storeSyntheticReference } from './synthetic-reference.js';
import { openTestDatabase, type TestDatabase } from './test-database.js';

export interface Page {
  readonly status: number;
  readonly html: string;
  readonly headers: Headers;
}

export async function get(url: string, cookie = ''): Promise<Page> {
  const response = await fetch(url, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  return { status: response.status, html: await response.text(), headers: response.headers };
}

/** The headers of every page; a chart page (`charts`) may take inline styles, never inline scripts. */
export function expectSecurityHeaders(page: Page, charts = false): void {
  const policy = page.headers.get('content-security-policy');
  expect(policy).toMatch(/^default-src 'self';/);
  expect(policy).toContain("script-src 'self';");
  if (charts) expect(policy).toContain("style-src 'self' 'unsafe-inline';");
  else expect(policy).not.toContain('unsafe-inline');
  expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  expect(page.headers.get('referrer-policy')).toBe('same-origin');
}

/** The session of the form at `path`: its cookie and CSRF token, as a browser would hold them. */
export async function session(base: string, path = '/strategies'): Promise<{ cookie: string; csrf: string; page: Page }> {
  const page = await get(`${base}${path}`);
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)![1]!;
  return { cookie, csrf, page };
}

export function postForm(url: string, fields: Record<string, string>, cookie: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** Follows a job's page until it no longer reloads itself (the job decides when). */
export async function settledPage(base: string, location: string, cookie: string): Promise<Page> {
  for (;;) {
    const page = await get(`${base}${location}`, cookie);
    expect(page.status).toBe(200);
    if (!page.html.includes('http-equiv="refresh"')) return page;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The synthetic market as a configured universe. */
export const SYNTHETIC_UNIVERSE = { name: 'synthetic', description: 'six generated series', symbols: SYNTHETIC_SYMBOLS };

/** A server with the web pages on loopback over a test database holding the synthetic market, offering `universes`. */
export async function startSyntheticWebServer(
  universes: readonly WebUniverse[] = [SYNTHETIC_UNIVERSE],
): Promise<{ db: TestDatabase; server: RunningServer }> {
  const db = await openTestDatabase();
  await storeSyntheticReference(db);
  const server = await startServer({
    port: 0,
    env: {},
    log: () => undefined,
    api: { withDb: (work) => work(db) },
    web: { universes: () => universes },
  });
  return { db, server };
}
