/**
 * The web application's steps 1-2 walked in headless Chromium (playwright-core) on the synthetic
 * market, at phone width: the overview, the strategy form (keyboard-reachable labels), a backtest
 * and a model portfolio with gates ignored, each followed on its job page until done. No Content
 * Security Policy violation is reported on any page. Screenshots in test-artifacts/browser/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/api/server.js';
import { saveScreenshot } from '../helpers/screenshot.js';
import { engineName } from '../helpers/test-database.js';
import { openWebInBrowser, type WebInBrowser } from '../helpers/web-browser.js';

describe(`the web application in Chromium (${engineName})`, () => {
  let web: WebInBrowser;
  let page: Page;
  let server: RunningServer;
  let violations: string[];

  beforeAll(async () => {
    web = await openWebInBrowser();
    ({ page, server, violations } = web);
  });
  afterAll(() => web?.close());

  it('step 1: the overview shows the stored series, their staleness and the stored backtest', async () => {
    const response = await page.goto(`${server.url}/`);
    expect(response!.status()).toBe(200);
    expect(await page.locator('h1').innerText()).toBe('Overview');
    expect(await page.locator('#data + p').innerText()).toBe('6 series, 6 stale.');
    expect(await page.getByRole('row', { name: /SYN-EQ-US/ }).innerText()).toContain('31 Dec 2014');
    expect(await page.locator('section', { has: page.locator('#backtests') }).innerText()).toContain('xs-momentum');
    // Readable at phone width: the page itself does not scroll sideways (wide tables scroll in their box).
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await saveScreenshot(page, 'web-overview.png');
    expect(violations).toEqual([]);
  });

  it('step 2: a backtest chosen in the form, followed to its figures', async () => {
    await page.getByRole('link', { name: 'Strategies' }).click();
    expect(await page.locator('h1').innerText()).toBe('Choose a strategy');
    await page.getByLabel('Universe', { exact: true }).selectOption('synthetic');
    await page.getByRole('radio', { name: /^Cross-sectional momentum/ }).check();
    await page.getByLabel('From', { exact: true }).fill('2004-01-01');
    await page.getByLabel('To', { exact: true }).fill('2010-12-31');
    await saveScreenshot(page, 'web-strategies.png');
    await page.getByRole('button', { name: 'Run the backtest' }).click();
    await page.getByRole('heading', { name: 'Backtest: succeeded' }).waitFor({ timeout: 0 });
    expect(await page.locator('main').innerText()).toMatch(/Backtest \d+: xs-momentum on synthetic/);
    expect(await page.locator('.figures').innerText()).toContain('Sharpe');
    await saveScreenshot(page, 'web-backtest-job.png');
    expect(violations).toEqual([]);
  });

  it('step 2: a model portfolio with gates ignored: its weights and whole shares, GATES IGNORED', async () => {
    await page.goto(`${server.url}/strategies`);
    await page.getByLabel('Portfolio name').fill('browser core');
    await page.getByLabel('Amount to invest').fill('100000');
    await page.getByLabel(/As of/).fill('2014-12-31');
    await page.getByLabel(/Ignore the backtest and simulation gates/).check();
    await page.getByRole('button', { name: 'Create the portfolio' }).click();
    await page.getByRole('heading', { name: 'Model portfolio: succeeded' }).waitFor({ timeout: 0 });
    expect(await page.locator('p.loud').innerText()).toContain('GATES IGNORED');
    const rows = await page.locator('tbody tr').allInnerTexts();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/^SYN-[A-Z-]+\t[\d.]+%\t[\d,]+\t/);
    await saveScreenshot(page, 'web-portfolio-job.png');
    expect(violations).toEqual([]);
  });
});
