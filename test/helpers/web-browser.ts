/**
 * The web application in headless Chromium on the synthetic market: a server on loopback over a
 * test database with the synthetic reference stored, a page at phone width, and every Content
 * Security Policy violation the page reports, collected for the tests to assert there is none.
 */
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { launchTestBrowser } from './packaged-chromium.js';
import { SYNTHETIC_SYMBOLS, storeSyntheticReference } from './synthetic-reference.js';
import { openTestDatabase, type TestDatabase } from './test-database.js';

export interface WebInBrowser {
  readonly db: TestDatabase;
  readonly server: RunningServer;
  readonly page: Page;
  /** The id of the synthetic reference backtest (xs-momentum, 2003-2009). */
  readonly reference: number;
  /** The console's CSP violation reports so far. */
  readonly violations: string[];
  close(): Promise<void>;
}

/** @example const web = await openWebInBrowser(); await web.page.goto(`${web.server.url}/`); ...; await web.close() */
export async function openWebInBrowser(): Promise<WebInBrowser> {
  const db = await openTestDatabase();
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await server?.close();
    await db.close();
  };
  try {
    const reference = await storeSyntheticReference(db);
    server = await startServer({
      port: 0,
      env: {},
      log: () => undefined,
      api: { withDb: (work) => work(db) },
      web: { universes: () => [{ name: 'synthetic', description: 'six generated series', symbols: SYNTHETIC_SYMBOLS }] },
    });
    browser = await launchTestBrowser();
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
    });
    return { db, server, page, reference, violations, close };
  } catch (error) {
    await close();
    throw error;
  }
}
