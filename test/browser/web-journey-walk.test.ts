/**
 * The journey's steps 1-4 walked in headless Chromium at phone width, one after the other, on the
 * synthetic market and on real prices: eight ETFs across asset classes from
 * ../shared/data/etf-daily (dividends, holidays, USO's reverse split), imported as a user would.
 * Step 1 the overview, step 2 a backtest chosen in the form, step 3 its tearsheet drawn and a
 * simulation on the years it has not seen beside it, step 4 a model portfolio with gates ignored,
 * allocated as a SIP, stored and subscribed to, and its page with the chart against the benchmark.
 * No Content Security Policy violation or script error on any page; no sideways scroll.
 * Screenshots in test-artifacts/browser/ (web-walk-<market>-*.png). The ETF walk is skipped only
 * when the shared data is absent.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/api/server.js';
import type { WebUniverse } from '../../src/api/web/web-views.js';
import { ingest } from '../../src/data/ingest.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import type { Database } from '../../src/db/database.js';
import { listSubscribers } from '../../src/mail/subscriber-store.js';
import { launchTestBrowser } from '../helpers/packaged-chromium.js';
import { saveScreenshot } from '../helpers/screenshot.js';
import { storeSyntheticReference } from '../helpers/synthetic-reference.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { phoneTab, startWebServer, SYNTHETIC_UNIVERSE } from '../helpers/web-client.js';

const ETF = resolve(__dirname, '../../../shared/data/etf-daily');
const ETFS = ['SPY', 'EFA', 'EEM', 'TLT', 'IEF', 'GLD', 'DBC', 'USO'];

interface Market {
  readonly key: string;
  readonly present: boolean;
  readonly store: (db: Database) => Promise<unknown>;
  readonly universe: WebUniverse & { readonly benchmark: string };
  /** The backtest's period in the form; the simulation runs from the day after to the last bar. */
  readonly from: string;
  readonly to: string;
  /** The model portfolio's as-of date. */
  readonly asOf: string;
}

const MARKETS: readonly Market[] = [
  {
    key: 'synthetic',
    present: true,
    store: storeSyntheticReference,
    universe: SYNTHETIC_UNIVERSE,
    from: '2003-01-01',
    to: '2009-12-31',
    asOf: '2014-06-30',
  },
  {
    key: 'etf',
    present: existsSync(join(ETF, 'SPY.csv')),
    store: async (db) => {
      const report = await ingest(db, new CsvProvider({ path: ETF }), { symbols: ETFS, interval: '1d' });
      expect(report.status).toBe('ok');
    },
    universe: { name: 'etf-walk', description: 'eight ETFs across asset classes', symbols: ETFS, benchmark: 'SPY' },
    from: '2006-01-01',
    to: '2015-12-31',
    asOf: '2020-06-30',
  },
];

describe.each(MARKETS.filter((m) => m.present))(`the journey in Chromium (${engineName}) on the $key market`, (market) => {
  const { universe } = market;
  let db: TestDatabase;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const shot = (name: string) => saveScreenshot(page, `web-walk-${market.key}-${name}.png`);

  const settled = async () => {
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(problems).toEqual([]);
  };

  beforeAll(async () => {
    db = await openTestDatabase();
    await market.store(db);
    server = await startWebServer(db, { universes: () => [universe] });
    browser = await launchTestBrowser();
    ({ page, problems } = await phoneTab(browser));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.close();
  });

  it('step 1: the overview lists every series of the universe with its first and last bars', async () => {
    await page.goto(`${server.url}/`);
    expect(await page.locator('#data + p').innerText()).toMatch(new RegExp(`^${universe.symbols.length} series`));
    for (const symbol of universe.symbols)
      expect(await page.getByRole('row', { name: new RegExp(`^${symbol}\\b`) }).innerText()).toMatch(
        /\t1d\t\d\d? \w{3} \d{4}\t\d\d? \w{3} \d{4}\t\d{4,}/,
      );
    expect(await page.locator('section', { has: page.locator('#universes') }).innerText()).toContain(
      `${universe.name} (${universe.symbols.length} symbols)`,
    );
    await shot('overview');
    await settled();
  });

  it('step 2: cross-sectional momentum chosen in the form, followed to its figures', async () => {
    await page.getByRole('link', { name: 'Strategies' }).click();
    await page.getByLabel('Universe', { exact: true }).selectOption(universe.name);
    await page.getByRole('radio', { name: /^Cross-sectional momentum/ }).check();
    await page.getByLabel('From', { exact: true }).fill(market.from);
    await page.getByLabel('To', { exact: true }).fill(market.to);
    await page.getByRole('button', { name: 'Run the backtest' }).click();
    await page.getByRole('heading', { name: 'Backtest: succeeded' }).waitFor({ timeout: 0 });
    expect(await page.locator('main').innerText()).toMatch(new RegExp(`Backtest \\d+: xs-momentum on ${universe.name}`));
    await shot('backtest-job');
    await settled();
  });

  it("step 3: the backtest's tearsheet drawn, then simulated on the years after, beside it", async () => {
    await page.getByRole('link', { name: /The backtest's results/ }).click();
    await page.locator('[data-chart="equity"] .main-svg').first().waitFor({ timeout: 0 });
    expect(await page.locator('table[data-table="summary"]').innerText()).toContain('Sharpe ratio');
    await shot('backtest');
    await page.getByLabel(/Simulate even if the backtest fails its gates/).check();
    await page.getByRole('button', { name: 'Run the simulation' }).click();
    await page.getByRole('heading', { name: 'Out-of-sample simulation: succeeded' }).waitFor({ timeout: 0 });
    const table = page.locator('table[data-table="simulation"]');
    expect(await table.getByRole('row', { name: /^Sharpe ratio/ }).innerText()).toMatch(/^Sharpe ratio\t-?\d+\.\d\d\t-?\d+\.\d\d$/);
    // Out of sample: from the first bar after the backtest's last to the last stored bar.
    const period = /^period\t(\S+) to (\S+)\t(\S+) to (\S+)$/.exec(await table.getByRole('row', { name: /^period/ }).innerText());
    expect(period).not.toBeNull();
    const [, inFirst, inLast, outFirst] = period!;
    expect(inFirst! >= market.from && inLast! <= market.to).toBe(true);
    expect(outFirst! > inLast! && outFirst! > market.to).toBe(true);
    expect(Date.parse(outFirst!) - Date.parse(inLast!)).toBeLessThanOrEqual(5 * 86_400_000);
    await shot('simulation');
    await settled();
  });

  it('step 4: a model portfolio with gates ignored, allocated as a SIP, stored, subscribed to', async () => {
    await page.goto(`${server.url}/strategies`);
    await page.getByLabel('Universe', { exact: true }).selectOption(universe.name);
    await page.getByRole('radio', { name: /^Cross-sectional momentum/ }).check();
    await page.getByLabel('Portfolio name').fill('walk core');
    await page.getByLabel('Amount to invest').fill('100000');
    await page.getByLabel(/As of/).fill(market.asOf);
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
    const bought = await page.locator('table').first().locator('tbody tr').allInnerTexts();
    expect(bought.length).toBeGreaterThan(0);
    for (const row of bought) expect(universe.symbols).toContain(row.split('\t')[0]);
    await shot('allocation-sip');
    await page.getByLabel('Name of the new portfolio').fill('walk sip');
    await page.getByRole('button', { name: 'Store the model portfolio' }).click();
    await page.getByRole('heading', { name: 'Model portfolio: succeeded' }).waitFor({ timeout: 0 });
    expect(await page.locator('main').innerText()).toContain('Stored as model portfolio walk sip (SIP of $20,000.00)');

    await page.getByRole('link', { name: 'subscribe an email address to it' }).click();
    await page.getByLabel('Email address').fill('bo@example.com');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    expect(await page.locator('h1').innerText()).toBe('Subscribed');
    expect(await listSubscribers(db, { portfolio: 'walk sip' })).toEqual([expect.objectContaining({ email: 'bo@example.com' })]);
    await settled();
  });

  it("the portfolio's page: its holdings and the chart against the benchmark", async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'walk core' }).click();
    await page.locator('#since-start-chart .main-svg').first().waitFor({ timeout: 0 });
    expect((await page.locator('#since-start-chart .legend').textContent()) ?? '').toContain(`${universe.benchmark}, the same money`);
    await shot('portfolio');
    await settled();
  });
});
