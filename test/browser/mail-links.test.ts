/**
 * The links of subscriber mail followed by a real browser (headless Chromium through
 * playwright-core) against the API server and a real database: the unsubscribe link only asks
 * (RFC 8058: a GET changes nothing), its button unsubscribes, and so does the one-click POST a mail
 * client sends; the signed report link opens the interactive page, whose charts draw with the
 * plotly.js the server serves under its page policy, and a tampered link shows a refusal.
 * Screenshots in test-artifacts/browser/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { subscriberUnsubscribe } from '../../src/api/unsubscribe-page.js';
import { readEnvironment, type Environment } from '../../src/config.js';
import { renderRebalanceReport } from '../../src/report/render-rebalance.js';
import { servedPlotlySrc, subscriberPage, writeReportPage } from '../../src/report/report-pages.js';
import { addSubscriber, listSubscribers } from '../../src/mail/subscriber-store.js';
import { insertPortfolio } from '../helpers/mail-server.js';
import { launchTestBrowser } from '../helpers/packaged-chromium.js';
import { ARTIFACTS, saveScreenshot } from '../helpers/screenshot.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { rebalanceReport } from '../report/report-fixtures.js';

// Page functions run in Chromium; the project compiles without DOM types.
declare const document: { querySelectorAll(selector: string): ArrayLike<unknown> };

const SECRET = 's'.repeat(40);

describe(`mail links in Chromium (${engineName})`, () => {
  let db: TestDatabase;
  let home: string;
  let env: Environment;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const subscribed = async () => (await listSubscribers(db, { portfolio: 'core' })).map((s) => s.email);

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    db = await openTestDatabase();
    await insertPortfolio(db, 'core');
    home = mkdtempSync(join(tmpdir(), 'momentum-links-'));
    server = await startServer({
      port: 0,
      log: () => {},
      unsubscribe: subscriberUnsubscribe((work) => work(db)),
      reports: { dir: join(home, 'reports'), secret: SECRET },
    });
    env = readEnvironment({ MOMENTUM_HOME: home, MOMENTUM_PUBLIC_URL: server.url, MOMENTUM_LINK_SECRET: SECRET });
    browser = await launchTestBrowser();
    page = await browser.newPage({ viewport: { width: 800, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('the unsubscribe link asks first; its button unsubscribes', async () => {
    const ann = await addSubscriber(db, { portfolio: 'core', email: 'ann@example.com', amount: 1000 });
    const response = await page.goto(`${server.url}/unsubscribe?token=${ann.unsubscribeToken}`);
    expect(response!.status()).toBe(200);
    expect(await page.locator('h1').innerText()).toBe('Unsubscribe?');
    expect(await page.locator('p').innerText()).toContain('Unsubscribe ann@example.com from core?');
    await page.reload(); // a second look (or a scanner's) changes nothing either
    expect(await subscribed()).toContain('ann@example.com');
    await saveScreenshot(page, 'unsubscribe-confirm.png');

    await Promise.all([page.waitForURL(/unsubscribe/), page.getByRole('button', { name: 'Unsubscribe' }).click()]);
    expect(await page.locator('h1').innerText()).toBe('Unsubscribed');
    expect(await page.locator('p').innerText()).toContain('Unsubscribed ann@example.com from core.');
    expect(await subscribed()).not.toContain('ann@example.com');
    await saveScreenshot(page, 'unsubscribe-done.png');
  });

  it('the one-click POST a mail client sends (List-Unsubscribe-Post) unsubscribes', async () => {
    const bob = await addSubscriber(db, { portfolio: 'core', email: 'bob@example.com', amount: 1000 });
    await page.goto(`${server.url}/health`);
    const status = await page.evaluate(
      (link) =>
        fetch(link, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        }).then((r) => r.status),
      `${server.url}/unsubscribe?token=${bob.unsubscribeToken}`,
    );
    expect(status).toBe(200);
    expect(await subscribed()).not.toContain('bob@example.com');
  });

  it('the signed report link opens the page with both charts drawn; a tampered one is refused', async () => {
    const link = subscriberPage(env, 'core', '2024-03-01', 7);
    const { interactive } = renderRebalanceReport(rebalanceReport(), { plotlySrc: servedPlotlySrc() });
    writeReportPage(env, link.file, interactive.html);
    const errors: string[] = [];
    page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
    const response = await page.goto(link.url, { waitUntil: 'load' });
    expect(response!.status()).toBe(200);
    await page.waitForFunction(() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2);
    expect(await page.locator('.js-plotly-plot').count()).toBe(2);
    expect(errors).toEqual([]); // nothing the page policy blocked
    await saveScreenshot(page, 'report-link.png');

    const forged = await page.goto(link.url.replace(/sig=./, (m) => (m.endsWith('A') ? 'sig=B' : 'sig=A')));
    expect(forged!.status()).toBe(403);
    expect(await page.locator('h1').innerText()).toBe('This report link is not valid');
    expect(await page.locator('.js-plotly-plot').count()).toBe(0);
  });
});
