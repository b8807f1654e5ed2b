/**
 * The web application's step 3 walked in headless Chromium (playwright-core) on the synthetic
 * market, at phone width: a stored backtest's page draws the tearsheet's charts (plotly.js from a
 * script file, the data from a JSON block), the out-of-sample simulation is started from its form
 * and followed on its job page to its figures beside the in-sample ones. No Content Security
 * Policy violation is reported; the page does not scroll sideways. Screenshots in test-artifacts/browser/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/api/server.js';
import { saveScreenshot } from '../helpers/screenshot.js';
import { engineName } from '../helpers/test-database.js';
import { openWebInChromium, type WebInChromium } from '../helpers/web-client.js';

describe(`step 3 of the web application in Chromium (${engineName})`, () => {
  let web: WebInChromium;
  let page: Page;
  let server: RunningServer;
  let violations: string[];
  let reference: number;

  beforeAll(async () => {
    web = await openWebInChromium();
    ({ page, server, problems: violations, reference } = web);
  });
  afterAll(() => web?.close());

  it("the overview links to the backtest's page, which draws the tearsheet's charts", async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: String(reference), exact: true }).click();
    expect(await page.locator('h1').innerText()).toBe(`Backtest ${reference}: xs-momentum`);
    // Every chart box is drawn by plotly (its SVG), none is left empty.
    const boxes = page.locator('[data-chart]');
    await page.locator('[data-chart="equity"] .main-svg').first().waitFor({ timeout: 0 });
    const count = await boxes.count();
    expect(count).toBeGreaterThanOrEqual(6);
    for (let i = 0; i < count; i++) await boxes.nth(i).locator('.main-svg').first().waitFor({ timeout: 0 });
    expect(await page.locator('[data-chart="equity"] .scatterlayer .trace').count()).toBe(1);
    expect(await page.locator('table[data-table="summary"]').innerText()).toContain('Sharpe ratio');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await saveScreenshot(page, 'web-backtest.png');
    expect(violations).toEqual([]);
  });

  it('a period overlapping the backtest is refused beside its field', async () => {
    await page.getByLabel(/^From/).fill('2009-06-01');
    await page.getByRole('button', { name: 'Run the simulation' }).click();
    expect(await page.locator('#from-error').innerText()).toContain('overlaps backtest');
    expect(await page.getByLabel(/^From/).getAttribute('aria-invalid')).toBe('true');
    await saveScreenshot(page, 'web-backtest-refused.png');
    expect(violations).toEqual([]);
  });

  it('the simulation is followed to its figures beside the in-sample ones', async () => {
    await page.getByLabel(/^From/).fill('2010-01-01');
    await page.getByLabel(/Simulate even if the backtest fails its gates/).check();
    await page.getByRole('button', { name: 'Run the simulation' }).click();
    await page.getByRole('heading', { name: 'Out-of-sample simulation: succeeded' }).waitFor({ timeout: 0 });
    const table = page.locator('table[data-table="simulation"]');
    expect(await table.locator('thead').innerText()).toMatch(
      new RegExp(`In sample \\(backtest ${reference}\\)\\s+Out of sample \\(backtest \\d+\\)`),
    );
    expect(await table.getByRole('row', { name: /^Sharpe ratio/ }).innerText()).toMatch(/^Sharpe ratio\t-?\d+\.\d\d\t-?\d+\.\d\d$/);
    expect(await page.locator('main').innerText()).toMatch(/Gate verdict \(default\): (passed|failed)/);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    // Side by side: the table fits the phone's width, no column hidden in its scroll box.
    expect(await table.evaluate((t) => t.scrollWidth <= t.parentElement!.clientWidth)).toBe(true);
    await saveScreenshot(page, 'web-simulation-job.png');
    expect(violations).toEqual([]);
  });
});
