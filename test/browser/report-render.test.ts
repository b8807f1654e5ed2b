/**
 * The rendered emails laid out by a real browser (headless Chromium through playwright-core):
 * what a subscriber sees, checked on the page, with full-page screenshots in test-artifacts/browser/.
 * The browser comes from an npm package (see packaged-chromium.ts), so these tests never depend on
 * one being installed, and never skip.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailContent } from '../../src/mail/mail-content.js';
import { renderDrawdownAlert } from '../../src/report/render-alert.js';
import { renderJobFailure } from '../../src/report/render-job-failure.js';
import { plotlyHtml, plotlyLoader } from '../../src/report/plotly-html.js';
import { renderRebalanceReport } from '../../src/report/render-rebalance.js';
import { launchTestBrowser } from '../helpers/packaged-chromium.js';
import { ARTIFACTS, saveScreenshot } from '../helpers/screenshot.js';
import { drawdownAlert, jobFailure, rebalanceReport, ungatedReport } from '../report/report-fixtures.js';

// The page functions below run in Chromium; the project compiles without DOM types, so this
// module declares the little of the DOM they touch (module-scoped: nothing leaks into other files).
interface Box {
  readonly left: number;
  readonly right: number;
  readonly width: number;
}
interface PageElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly style: { whiteSpace: string };
  getBoundingClientRect(): Box;
}
interface PageImage extends PageElement {
  readonly alt: string;
  readonly naturalWidth: number;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  readonly images: ArrayLike<PageImage>;
  readonly documentElement: { readonly scrollWidth: number };
};

/** Wider than the 640px card, as a desktop mail client's reading pane. */
const VIEWPORT = { width: 800, height: 900 };

let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchTestBrowser();
  page = await browser.newPage({ viewport: VIEWPORT });
});

afterAll(async () => {
  await browser?.close();
});

/** What a mail client does with cid: links: point them at the attached images (here as data: URIs). */
function withInlineImages(mail: MailContent): string {
  let html = mail.html;
  for (const a of mail.attachments) {
    if (a.cid) html = html.split(`cid:${a.cid}`).join(`data:${a.contentType};base64,${a.content.toString('base64')}`);
  }
  expect(html).not.toContain('cid:');
  return html;
}

interface Layout {
  readonly container: { readonly left: number; readonly right: number; readonly width: number };
  readonly scrollWidth: number;
  /** Elements inside the card whose box reaches past its right edge. */
  readonly overflowing: readonly string[];
  readonly images: readonly { readonly alt: string; readonly naturalWidth: number; readonly shownWidth: number }[];
}

async function layout(): Promise<Layout> {
  return page.evaluate(() => {
    const card = document.querySelector('[data-role="container"]')!.getBoundingClientRect();
    const overflowing = Array.from(document.querySelectorAll('[data-role="container"] *'))
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.right > card.right + 1 || r.left < card.left - 1);
      })
      .map((el) => `${el.tagName.toLowerCase()} ${(el.textContent ?? '').trim().slice(0, 40)}`);
    return {
      container: { left: card.left, right: card.right, width: card.width },
      scrollWidth: document.documentElement.scrollWidth,
      overflowing,
      images: Array.from(document.images).map((img) => ({
        alt: img.alt,
        naturalWidth: img.naturalWidth,
        shownWidth: img.getBoundingClientRect().width,
      })),
    };
  });
}

function expectMailWidth(l: Layout): void {
  expect(l.container.width).toBeGreaterThanOrEqual(600);
  expect(l.container.width).toBeLessThanOrEqual(700);
  expect(l.overflowing).toEqual([]);
  expect(l.scrollWidth).toBeLessThanOrEqual(VIEWPORT.width);
}

describe('rendered emails in Chromium', () => {
  it('lays out the rebalance report: holdings rows, trades, warning, loaded charts, within the mail width', async () => {
    const report = ungatedReport();
    const { mail } = renderRebalanceReport(report);
    await page.setContent(withInlineImages(mail), { waitUntil: 'load' });

    const rows = page.locator('table[data-table="weights"] tr[data-symbol]');
    expect(await rows.count()).toBe(report.rows.length);
    for (let i = 0; i < report.rows.length; i++) expect(await rows.nth(i).isVisible()).toBe(true);
    expect(await rows.first().innerText()).toMatch(/SPY[\s\S]*25\.0%[\s\S]*30\.0%[\s\S]*\+5\.0 pp[\s\S]*15[\s\S]*\$7,650\.00/);
    expect(await page.locator('table[data-table="trades"] tr[data-trade]').count()).toBe(report.trades.length);
    for (const role of ['gate-warning', 'glance', 'holding-period', 'gate-verdict', 'notes']) {
      expect(await page.locator(`[data-role="${role}"]`).isVisible(), role).toBe(true);
    }
    expect(await page.locator('[data-role="gate-warning"]').innerText()).toContain('Research gates ignored');
    expect(await page.locator('[data-role="unsubscribe"]').getAttribute('href')).toBe(report.unsubscribeUrl);

    const l = await layout();
    expect(l.images).toHaveLength(2);
    for (const image of l.images) {
      expect(image.naturalWidth, image.alt).toBe(592 * 2);
      expect(image.shownWidth, image.alt).toBeGreaterThan(550);
    }
    expectMailWidth(l);
    await saveScreenshot(page, 'rebalance-gates-ignored.png');
  });

  it('shows no warning box when the gates passed', async () => {
    const interactiveLink = { url: 'https://momentum.example/reports/x.html?expires=1&sig=y', expiresAt: new Date('2024-05-30T00:00:00Z') };
    const { mail } = renderRebalanceReport(rebalanceReport(), { interactiveLink });
    await page.setContent(withInlineImages(mail), { waitUntil: 'load' });
    expect(await page.locator('[data-role="interactive-report"] a').getAttribute('href')).toBe(interactiveLink.url);
    expect(await page.locator('[data-role="gate-warning"]').count()).toBe(0);
    expect(await page.locator('[data-role="gate-verdict"]').innerText()).toContain('Gates passed');
    expectMailWidth(await layout());
    await saveScreenshot(page, 'rebalance.png');
  });

  it('lays out the drawdown alert with its positions and chart', async () => {
    const alert = drawdownAlert();
    await page.setContent(withInlineImages(renderDrawdownAlert(alert)), { waitUntil: 'load' });
    const rows = page.locator('table[data-table="positions"] tr[data-symbol]');
    expect(await rows.count()).toBe(alert.positions.length);
    for (let i = 0; i < alert.positions.length; i++) expect(await rows.nth(i).isVisible()).toBe(true);
    expect(await page.locator('[data-role="exit-rules"]').innerText()).toContain(alert.exitRules);
    const l = await layout();
    expect(l.images.map((i) => i.naturalWidth)).toEqual([592 * 2]);
    expectMailWidth(l);
    await saveScreenshot(page, 'drawdown-alert.png');
  });

  it('lays out the job-failure notice with the error text wrapped inside the card', async () => {
    const long = `DataError: ${'x'.repeat(400)}`;
    await page.setContent(renderJobFailure(jobFailure({ error: long })).html, { waitUntil: 'load' });
    expect(await page.locator('[data-role="error"]').innerText()).toBe(long);
    expectMailWidth(await layout());
    await saveScreenshot(page, 'job-failure.png');
    // The check can fail: without wrapping, the long line stretches the card past the mail width.
    await page.locator('[data-role="error"]').evaluate((el) => ((el as unknown as PageElement).style.whiteSpace = 'pre'));
    const unwrapped = await layout();
    expect(() => expectMailWidth(unwrapped)).toThrow();
  });

  it('draws both interactive Plotly charts in the self-contained report page, opened as a file', async () => {
    const { interactive } = renderRebalanceReport(rebalanceReport());
    // As the demo does for the model portfolio: written to disk, opened from there (plotly.js inline, compressed).
    const file = join(ARTIFACTS, interactive.filename);
    writeFileSync(file, interactive.html);
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForFunction(() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2);
    expect(await page.locator('.js-plotly-plot').count()).toBe(2);
    // The equity trace has one point per date.
    const points = await page.evaluate(() => {
      const plot = document.querySelector('.js-plotly-plot') as unknown as { data: { x: unknown[] }[] };
      return plot.data[0]!.x.length;
    });
    expect(points).toBe(rebalanceReport().performance!.dates.length);
    expect(await page.locator('table[data-table="weights"] tr[data-symbol]').count()).toBe(5);
    await saveScreenshot(page, 'rebalance-interactive.png');
  });

  it('draws charts shown before plotly.js arrives, and a second loader on the page does nothing', async () => {
    // As a notebook whose outputs render out of order: two charts, then the loader twice.
    await page.goto('about:blank'); // a new window: none of the earlier pages' plotly.js
    const charts = [1, 2].map((k) => plotlyHtml([{ y: [k, k + 1, k + 3], type: 'scatter' }], {}, { height: 200, includeBundle: false }));
    await page.setContent(`<!doctype html><html><head></head><body>${charts.join('')}${plotlyLoader()}${plotlyLoader()}</body></html>`, {
      waitUntil: 'load',
    });
    await page.waitForFunction(() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2);
    expect(await page.locator('.js-plotly-plot').count()).toBe(2);
    // One plotly.js on the page: the loader put it in once.
    expect(await page.evaluate(() => document.querySelectorAll('head script').length)).toBe(1);
  });
});
