/**
 * The web application's step 4 and the portfolio page walked in headless Chromium (playwright-core)
 * on the synthetic market, at phone width: a model portfolio created with gates ignored, rebalanced
 * once (as the batch service would), allocated as a lump sum then as a SIP, the SIP stored as
 * another model portfolio, an email address subscribed to it, and its page with the since-start
 * chart drawn by plotly. No Content Security Policy violation and no script error on any page; the
 * pages do not scroll sideways. Screenshots in test-artifacts/browser/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/api/server.js';
import { listSubscribers } from '../../src/mail/subscriber-store.js';
import { rebalancePortfolio } from '../../src/portfolio/model-portfolio.js';
import { DEFAULT_GATE_SETS } from '../../src/research/gate-set.js';
import { saveScreenshot } from '../helpers/screenshot.js';
import { engineName, type TestDatabase } from '../helpers/test-database.js';
import { createPortfolioInForm, openWebInChromium, type WebInChromium } from '../helpers/web-client.js';

describe(`step 4 and the portfolio page in Chromium (${engineName})`, () => {
  let web: WebInChromium;
  let db: TestDatabase;
  let server: RunningServer;
  let page: Page;
  let problems: string[];

  const noSidewaysScroll = async () => expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

  beforeAll(async () => {
    web = await openWebInChromium();
    ({ db, server, page, problems: problems } = web);
  });
  afterAll(() => web?.close());

  it('a model portfolio with gates ignored, rebalanced once, links its page and its allocation', async () => {
    await createPortfolioInForm(page, server.url, 'browser core', '2013-12-31');
    expect(await page.locator('main').innerText()).toContain('Stored as model portfolio browser core (lump sum of $100,000.00)');
    // The batch service's next rebalance.
    await rebalancePortfolio(db, 'browser core', { asOf: '2014-06-30', gates: { name: 'default', set: DEFAULT_GATE_SETS.default! } });
    await page.getByRole('link', { name: 'allocate it as a lump sum or a SIP' }).click();
    expect(await page.locator('h1').innerText()).toBe('Allocate browser core');
    expect(problems).toEqual([]);
  });

  it('step 4: the allocation as a lump sum, then as a SIP with its installments', async () => {
    await page.getByLabel(/^Lump sum/).check();
    await page.getByLabel(/^Amount now/).fill('30000');
    await page.getByRole('button', { name: 'Show the allocation' }).click();
    const main = page.locator('main');
    expect(await main.innerText()).toMatch(/The lump sum buys: invested \$[\d,.]+, costs \$[\d,.]+, cash left \$[\d,.]+\./);
    const rows = await page.locator('tbody tr').allInnerTexts();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/^SYN-[A-Z-]+\t[\d.]+%\t[\d,]+\t\$/);
    await noSidewaysScroll();
    await saveScreenshot(page, 'web-allocation-lumpsum.png');

    await page.getByLabel(/^SIP/).check();
    await page.getByLabel(/^Amount now/).fill('5000');
    await page.getByLabel(/^Installment after the first/).fill('1000');
    await page.getByLabel('Every', { exact: true }).selectOption('month');
    await page.getByLabel(/^Installments, the first included/).fill('6');
    await page.getByRole('button', { name: 'Show the allocation' }).click();
    expect(await main.innerText()).toContain('The first installment buys:');
    const installments = page.locator('table', { has: page.getByRole('columnheader', { name: 'Date' }) }).locator('tbody tr');
    expect(await installments.allInnerTexts()).toEqual([
      '0\t30 Jun 2014\t$5,000.00',
      '1\t30 Jul 2014\t$1,000.00',
      '2\t30 Aug 2014\t$1,000.00',
      '3\t30 Sep 2014\t$1,000.00',
      '4\t30 Oct 2014\t$1,000.00',
      '5\t30 Nov 2014\t$1,000.00',
    ]);
    await noSidewaysScroll();
    await saveScreenshot(page, 'web-allocation-sip.png');
    expect(problems).toEqual([]);
  });

  it('step 4: the SIP stored as a model portfolio, then an email address subscribed to it', async () => {
    await page.getByLabel('Name of the new portfolio').fill('browser sip');
    await page.getByRole('button', { name: 'Store the model portfolio' }).click();
    await page.getByRole('heading', { name: 'Model portfolio: succeeded' }).waitFor({ timeout: 0 });
    expect(await page.locator('main').innerText()).toContain('Stored as model portfolio browser sip (SIP of $5,000.00)');
    await page.getByRole('link', { name: 'subscribe an email address to it' }).click();
    expect(await page.locator('h1').innerText()).toBe('Model portfolio browser sip');
    await page.getByLabel('Email address').fill('not an address');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    expect(await page.locator('#email-error').innerText()).toContain('is not an email address');
    await page.getByLabel('Email address').fill('ann@example.com');
    await page.getByLabel('Name (optional)').fill('Ann');
    await page.getByLabel(/^Amount they follow with/).fill('12000');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    expect(await page.locator('h1').innerText()).toBe('Subscribed');
    expect(await page.locator('main').innerText()).toMatch(/Subscribed ann@example\.com \(Ann\) to browser sip with \$12,000\.00/);
    expect(await listSubscribers(db, { portfolio: 'browser sip' })).toEqual([
      expect.objectContaining({ email: 'ann@example.com', amount: 12_000 }),
    ]);
    await saveScreenshot(page, 'web-subscribed.png');
    expect(problems).toEqual([]);
  });

  it('the portfolio page: holdings, rebalances, alerts and the since-start chart against the benchmark, drawn', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'browser core' }).click();
    expect(await page.locator('h1').innerText()).toBe('Model portfolio browser core');
    await page.locator('#since-start-chart .main-svg').first().waitFor({ timeout: 0 });
    const legend = (await page.locator('#since-start-chart .legend').textContent()) ?? '';
    expect(legend).toContain('SYN-EQ-US, the same money');
    expect(legend).toContain('Drawdown');
    expect(
      await page
        .locator('section', { has: page.locator('#rebalances') })
        .locator('tbody tr')
        .count(),
    ).toBe(2);
    expect(await page.locator('.figures').innerText()).toContain('Deepest drawdown');
    await noSidewaysScroll();
    await saveScreenshot(page, 'web-portfolio-page.png');
    expect(problems).toEqual([]);
  });
});
