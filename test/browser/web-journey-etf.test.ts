/**
 * The journey's steps 1-4 walked in headless Chromium at phone width on real prices: eight ETFs
 * across asset classes from ../shared/data/etf-daily (dividends, holidays, USO's reverse split),
 * imported as a user would. Step 1 the overview, step 2 a backtest chosen in the form, step 3 its
 * tearsheet drawn and a simulation on the years it has not seen beside it, step 4 a model portfolio
 * with gates ignored, allocated as a SIP, stored and subscribed to, and its page with the chart
 * against SPY. No Content Security Policy violation or script error on any page; no sideways
 * scroll. Screenshots in test-artifacts/browser/ (web-etf-*.png). Skipped only when the shared
 * data is absent.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/api/server.js';
import { ingest } from '../../src/data/ingest.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { listSubscribers } from '../../src/mail/subscriber-store.js';
import { launchTestBrowser } from '../helpers/packaged-chromium.js';
import { saveScreenshot } from '../helpers/screenshot.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { startWebServer } from '../helpers/web-client.js';

const ETF = resolve(__dirname, '../../../shared/data/etf-daily');
const SYMBOLS = ['SPY', 'EFA', 'EEM', 'TLT', 'IEF', 'GLD', 'DBC', 'USO'];
const UNIVERSE = { name: 'etf-walk', description: 'eight ETFs across asset classes', symbols: SYMBOLS, benchmark: 'SPY' };

describe.skipIf(!existsSync(join(ETF, 'SPY.csv')))(`the journey in Chromium on the ETF data (${engineName})`, () => {
  let db: TestDatabase;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const settled = async () => {
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(problems).toEqual([]);
  };

  beforeAll(async () => {
    db = await openTestDatabase();
    const report = await ingest(db, new CsvProvider({ path: ETF }), { symbols: SYMBOLS, interval: '1d' });
    expect(report.status).toBe('ok');
    server = await startWebServer(db, { universes: () => [UNIVERSE] });
    browser = await launchTestBrowser();
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.close();
  });

  it('step 1: the overview lists the eight series with their first and last bars', async () => {
    await page.goto(`${server.url}/`);
    expect(await page.locator('#data + p').innerText()).toMatch(/^8 series/);
    expect(await page.getByRole('row', { name: /^SPY/ }).innerText()).toMatch(/SPY\t1d\t\d\d? \w{3} \d{4}\t\d\d? \w{3} 2020\t\d{4,}/);
    expect(await page.locator('section', { has: page.locator('#universes') }).innerText()).toContain('etf-walk (8 symbols)');
    await saveScreenshot(page, 'web-etf-overview.png');
    await settled();
  });

  it('step 2: cross-sectional momentum on the ETFs, 2006-2015, followed to its figures', async () => {
    await page.getByRole('link', { name: 'Strategies' }).click();
    await page.getByLabel('Universe', { exact: true }).selectOption('etf-walk');
    await page.getByRole('radio', { name: /^Cross-sectional momentum/ }).check();
    await page.getByLabel('From', { exact: true }).fill('2006-01-01');
    await page.getByLabel('To', { exact: true }).fill('2015-12-31');
    await page.getByRole('button', { name: 'Run the backtest' }).click();
    await page.getByRole('heading', { name: 'Backtest: succeeded' }).waitFor({ timeout: 0 });
    expect(await page.locator('main').innerText()).toMatch(/Backtest \d+: xs-momentum on etf-walk/);
    await saveScreenshot(page, 'web-etf-backtest-job.png');
    await settled();
  });

  it("step 3: the backtest's tearsheet drawn, then simulated on 2016-2020 beside it", async () => {
    await page.getByRole('link', { name: /The backtest's results/ }).click();
    await page.locator('[data-chart="equity"] .main-svg').first().waitFor({ timeout: 0 });
    expect(await page.locator('table[data-table="summary"]').innerText()).toContain('Sharpe ratio');
    await saveScreenshot(page, 'web-etf-backtest.png');
    await page.getByLabel(/Simulate even if the backtest fails its gates/).check();
    await page.getByRole('button', { name: 'Run the simulation' }).click();
    await page.getByRole('heading', { name: 'Out-of-sample simulation: succeeded' }).waitFor({ timeout: 0 });
    const table = page.locator('table[data-table="simulation"]');
    expect(await table.getByRole('row', { name: /^Sharpe ratio/ }).innerText()).toMatch(/^Sharpe ratio\t-?\d+\.\d\d\t-?\d+\.\d\d$/);
    // Out of sample: from the first trading day after the backtest's end to the last stored bar.
    expect(await table.getByRole('row', { name: /^period/ }).innerText()).toMatch(
      /^period\t2006-01-03 to 2015-12-31\t2016-01-04 to 2020-\d\d-\d\d$/,
    );
    expect(await page.locator('main').innerText()).toContain('GATES IGNORED');
    await saveScreenshot(page, 'web-etf-simulation.png');
    await settled();
  });

  it('step 4: a model portfolio with gates ignored, allocated as a SIP, stored, subscribed to', async () => {
    await page.goto(`${server.url}/strategies`);
    await page.getByLabel('Universe', { exact: true }).selectOption('etf-walk');
    await page.getByRole('radio', { name: /^Cross-sectional momentum/ }).check();
    await page.getByLabel('Portfolio name').fill('etf core');
    await page.getByLabel('Amount to invest').fill('100000');
    await page.getByLabel(/As of/).fill('2020-06-30');
    await page.getByLabel(/Ignore the backtest and simulation gates/).check();
    await page.getByRole('button', { name: 'Create the portfolio' }).click();
    await page.getByRole('heading', { name: 'Model portfolio: succeeded' }).waitFor({ timeout: 0 });
    expect(await page.locator('main').innerText()).toContain('GATES IGNORED');

    await page.getByRole('link', { name: 'allocate it as a lump sum or a SIP' }).click();
    await page.getByLabel(/^SIP/).check();
    await page.getByLabel(/^Amount now/).fill('20000');
    await page.getByLabel(/^Installment after the first/).fill('2000');
    await page.getByLabel('Every', { exact: true }).selectOption('month');
    await page.getByLabel(/^Installments, the first included/).fill('12');
    await page.getByRole('button', { name: 'Show the allocation' }).click();
    expect(await page.locator('main').innerText()).toContain('The first installment buys:');
    for (const row of await page.locator('table').first().locator('tbody tr').allInnerTexts())
      expect(SYMBOLS).toContain(row.split('\t')[0]);
    await saveScreenshot(page, 'web-etf-allocation-sip.png');
    await page.getByLabel('Name of the new portfolio').fill('etf sip');
    await page.getByRole('button', { name: 'Store the model portfolio' }).click();
    await page.getByRole('heading', { name: 'Model portfolio: succeeded' }).waitFor({ timeout: 0 });
    expect(await page.locator('main').innerText()).toContain('Stored as model portfolio etf sip (SIP of $20,000.00)');

    await page.getByRole('link', { name: 'subscribe an email address to it' }).click();
    await page.getByLabel('Email address').fill('bo@example.com');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    expect(await page.locator('h1').innerText()).toBe('Subscribed');
    expect(await listSubscribers(db, { portfolio: 'etf sip' })).toEqual([expect.objectContaining({ email: 'bo@example.com' })]);
    await settled();
  });

  it("the portfolio's page: its holdings and the chart against SPY", async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'etf core' }).click();
    await page.locator('#since-start-chart .main-svg').first().waitFor({ timeout: 0 });
    expect((await page.locator('#since-start-chart .legend').textContent()) ?? '').toContain('SPY, the same money');
    await saveScreenshot(page, 'web-etf-portfolio.png');
    await settled();
  });
});
