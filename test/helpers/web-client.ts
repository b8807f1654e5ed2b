/**
 * The web pages' tests as a browser without scripts sees them: a page fetched (with the session
 * cookie), a form posted, a session's cookie and CSRF token, a job's page followed until it stops
 * reloading itself; and the step-2 form filled in Chromium to create a model portfolio.
 */
import type { Browser, Page as BrowserPage } from 'playwright-core';
import { expect } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import type { WebOptions } from '../../src/api/web/web-app.js';
import type { WebUniverse } from '../../src/api/web/web-views.js';
import type { Database } from '../../src/db/database.js';
import { launchTestBrowser } from './packaged-chromium.js';
import { SYNTHETIC_SYMBOLS, storeSyntheticReference } from './synthetic-reference.js';
import { openTestDatabase, type TestDatabase } from './test-database.js';

/** The synthetic market's universe, compared with its US equity series. */
export const SYNTHETIC_UNIVERSE = {
  name: 'synthetic',
  description: 'six generated series',
  symbols: SYNTHETIC_SYMBOLS,
  benchmark: 'SYN-EQ-US',
};

/** A server on loopback with the API v1 and the pages on `db` (the synthetic universe unless `web` says otherwise). */
export function startWebServer(db: Database, web: Partial<WebOptions> = {}): Promise<RunningServer> {
  return startServer({
    port: 0,
    env: {},
    log: () => undefined,
    api: { withDb: (work) => work(db) },
    web: { universes: () => [SYNTHETIC_UNIVERSE], ...web },
  });
}

export interface Page {
  readonly status: number;
  readonly html: string;
  readonly headers: Headers;
}

export async function get(url: string, cookie = ''): Promise<Page> {
  const response = await fetch(url, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  return { status: response.status, html: await response.text(), headers: response.headers };
}

export function postForm(url: string, fields: Record<string, string>, cookie: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** A new session on the page at `url` (one with a form): its cookie and CSRF token, as a browser would hold them. */
/** The headers of every page; `charts`: a page that draws charts (inline styles allowed, never inline scripts). */
export function expectSecurityHeaders(page: Page, charts = false): void {
  const policy = page.headers.get('content-security-policy');
  expect(policy).toMatch(/^default-src 'self';/);
  expect(policy).toContain("script-src 'self';");
  if (charts) expect(policy).toContain("style-src 'self' 'unsafe-inline';");
  else expect(policy).not.toContain('unsafe-inline');
  expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  expect(page.headers.get('referrer-policy')).toBe('same-origin');
}

export async function formSession(url: string): Promise<{ cookie: string; csrf: string; page: Page }> {
  const page = await get(url);
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)![1]!;
  return { cookie, csrf, page };
}

/**
 * A form's fields as a forger would send them: without a token, with a forged one, without the
 * session cookie, and with another session's token (each refused with 403).
 */
export function forgedForms(
  fields: Record<string, string>,
  session: { cookie: string; csrf: string },
  otherCsrf: string,
): [body: Record<string, string>, cookie: string][] {
  return [
    [fields, session.cookie],
    [{ ...fields, csrf: 'forged' }, session.cookie],
    [{ ...fields, csrf: session.csrf }, ''],
    [{ ...fields, csrf: otherCsrf }, session.cookie],
  ];
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

/** Step 2 in Chromium: a model portfolio of $100,000 with gates ignored, created in the form and followed until its job succeeded. */
export async function createPortfolioInForm(page: BrowserPage, base: string, name: string, asOf: string): Promise<void> {
  await page.goto(`${base}/strategies`);
  await page.getByLabel('Portfolio name').fill(name);
  await page.getByLabel('Amount to invest').fill('100000');
  await page.getByLabel(/As of/).fill(asOf);
  await page.getByLabel(/Ignore the backtest and simulation gates/).check();
  await page.getByRole('button', { name: 'Create the portfolio' }).click();
  await page.getByRole('heading', { name: 'Model portfolio: succeeded' }).waitFor({ timeout: 0 });
}

export interface WebInChromium {
  readonly db: TestDatabase;
  readonly server: RunningServer;
  readonly browser: Browser;
  /** A tab at phone width (390 x 844). */
  readonly page: BrowserPage;
  /** The id of the synthetic reference backtest (xs-momentum, 2003-2009). */
  readonly reference: number;
  /** Content Security Policy violations and script errors seen so far, in the order they came. */
  readonly problems: string[];
  close(): Promise<void>;
}

/** A tab at phone width (390 x 844), collecting its Content Security Policy violations and script errors. */
export async function phoneTab(browser: Browser): Promise<{ page: BrowserPage; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  return { page, problems };
}

/** The synthetic market in a test database, a server with the pages over it, and Chromium at phone width. */
export async function openWebInChromium(): Promise<WebInChromium> {
  const db = await openTestDatabase();
  const reference = await storeSyntheticReference(db);
  const server = await startWebServer(db);
  const browser = await launchTestBrowser();
  const { page, problems } = await phoneTab(browser);
  return {
    db,
    server,
    browser,
    page,
    reference,
    problems,
    async close() {
      await browser.close();
      await server.close();
      await db.close();
    },
  };
}

/** A test database holding the synthetic market and a server with the pages over it, offering `universes`. */
export async function startSyntheticWebServer(
  universes: readonly WebUniverse[] = [SYNTHETIC_UNIVERSE],
): Promise<{ db: TestDatabase; server: RunningServer }> {
  const db = await openTestDatabase();
  await storeSyntheticReference(db);
  return { db, server: await startWebServer(db, { universes: () => universes }) };
}
