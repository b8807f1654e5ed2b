/**
 * The sweep page walked in headless Chromium (playwright-core) on the synthetic market, at phone
 * width: the form with the strategy's sweep ranges, a small gated sweep started and followed on its
 * job page, then its page: the heatmap drawn by plotly (from the JSON block, by the static script),
 * the gate verdict, no Content Security Policy violation, no sideways scroll. Screenshots in
 * test-artifacts/browser/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/api/server.js';
import { launchTestBrowser } from '../helpers/packaged-chromium.js';
import { saveScreenshot } from '../helpers/screenshot.js';
import { engineName, type TestDatabase } from '../helpers/test-database.js';
import { startSyntheticWebServer } from '../helpers/web-client.js';

describe(`the sweep page in Chromium (${engineName})`, () => {
  let db: TestDatabase;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const violations: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    ({ db, server } = await startSyntheticWebServer());
    browser = await launchTestBrowser();
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.close();
  });

  it('starts a small gated sweep from the form and follows it to its heatmap and gate verdict', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Sweeps' }).click();
    expect(await page.locator('h1').innerText()).toBe('Start a sweep');
    await page.getByLabel('Universe', { exact: true }).selectOption('synthetic');
    await page.getByRole('radio', { name: /^Cross-sectional momentum/ }).check();
    await page.locator('#grid-xs-momentum-lookback').fill('126, 252');
    await page.locator('#grid-xs-momentum-skip').fill('');
    await page.locator('#grid-xs-momentum-topPct').fill('20, 50');
    await page.getByLabel(/^From/).fill('2004-01-01');
    await page.getByLabel(/^To/).fill('2012-12-31');
    expect(await page.getByLabel(/^Gate set/).inputValue()).toBe('default');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await saveScreenshot(page, 'web-sweep-form.png');
    await page.getByRole('button', { name: 'Start the sweep' }).click();

    await page.getByRole('heading', { name: 'Sweep: succeeded' }).waitFor({ timeout: 0 });
    expect(await page.locator('main').innerText()).toContain('4 combinations.');
    await saveScreenshot(page, 'web-sweep-job.png');
    await page.getByRole('link', { name: "The sweep's heatmap and gate verdict" }).click();

    await page.locator('.plotly-figure .main-svg').first().waitFor({ timeout: 0 });
    expect(await page.locator('h1').innerText()).toMatch(/^Sweep \d+: xs-momentum, 4 combinations$/);
    expect(await page.locator('[data-role="gate"]').innerText()).toMatch(/^Gated with the default gates .*\d of 4 combinations passed/);
    expect(await page.locator('.plotly-figure .heatmaplayer').count()).toBe(1);
    expect(await page.locator('table[data-table="sweep"] tbody tr').count()).toBe(4);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await saveScreenshot(page, 'web-sweep.png');
    // And as opened on a desktop.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.reload();
    await page.locator('.plotly-figure .main-svg').first().waitFor({ timeout: 0 });
    await saveScreenshot(page, 'web-sweep-wide.png');
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });
});
