/**
 * The tearsheet laid out by a real browser (the packaged headless Chromium): a page written by
 * tearsheetHtml for two real ETF backtests, opened as a file, draws every Plotly chart with no
 * console error, shows the numbers of the summary table where they belong, and screenshots to a
 * non-blank image (test-artifacts/browser/tearsheet.png). The notebook fragment draws too, once
 * plotly.js is on the page.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBacktest } from '../../src/backtest/backtest-store.js';
import { parseBacktestSpec } from '../../src/backtest/backtest-spec.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { ingest } from '../../src/data/ingest.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { plotlyLoader } from '../../src/report/plotly-html.js';
import { formatNumber, formatPercent, formatShares } from '../../src/report/report-format.js';
import { loadTearsheets, tearsheetHtml } from '../../src/report/render-tearsheet.js';
import { collectPageErrors, launchTestBrowser } from '../helpers/packaged-chromium.js';
import { ARTIFACTS, saveScreenshot } from '../helpers/screenshot.js';
import { pngInfo } from '../report/png-info.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

interface PlotElement {
  readonly data: { readonly name?: string; readonly type?: string; readonly x?: unknown[] }[];
  readonly layout: { readonly yaxis?: { readonly type?: string } };
}
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    drawImage(image: unknown, x: number, y: number): void;
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  };
}
declare const document: {
  readonly documentElement: { readonly scrollWidth: number };
  querySelectorAll(selector: string): ArrayLike<unknown>;
  createElement(tag: 'canvas'): Canvas;
};
declare const Image: new () => { src: string; naturalWidth: number; naturalHeight: number; decode(): Promise<void> };

const ETF = resolve(__dirname, '../../../shared/data/etf-daily');
const SYMBOLS = ['SPY', 'TLT', 'GLD', 'EFA'];

let db: TestDatabase;
let browser: Browser;
let page: Page;
let ids: number[];
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  db = await openTestDatabase();
  await ingest(db, new CsvProvider({ path: ETF }), { symbols: SYMBOLS, interval: '1d' });
  ids = [];
  for (const strategy of ['xs-momentum', 'ts-momentum']) {
    const spec = parseBacktestSpec({ strategy, symbols: SYMBOLS, from: '2007-01-01', to: '2019-12-31', benchmark: 'SPY' });
    ids.push(await storeBacktest(db, await runBacktest(db, spec)));
  }
  browser = await launchTestBrowser();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  collectPageErrors(page, errors);
});

afterAll(async () => {
  await browser?.close();
  await db?.close();
});

/** The screenshot's pixels, decoded by the browser on a page of its own: distinct colours and the share of pixels not white. */
async function pixelStats(png: Buffer): Promise<{ colours: number; nonWhite: number }> {
  const viewer = await browser.newPage();
  try {
    return await viewer.evaluate(
      async (src) => {
        const image = new Image();
        image.src = src;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.naturalWidth;
        canvas.height = image.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(image, 0, 0);
        const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
        const colours = new Set<number>();
        let nonWhite = 0;
        for (let i = 0; i < data.length; i += 4) {
          colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
          if (data[i]! < 250 || data[i + 1]! < 250 || data[i + 2]! < 250) nonWhite++;
        }
        return { colours: colours.size, nonWhite: nonWhite / (data.length / 4) };
      },
      `data:image/png;base64,${png.toString('base64')}`,
    );
  } finally {
    await viewer.close();
  }
}

describe(`the tearsheet in Chromium (${engineName})`, () => {
  it('draws every chart of the page, opened as a file, with the summary figures and a non-blank screenshot', async () => {
    const file = join(ARTIFACTS, 'tearsheet.html');
    writeFileSync(file, await tearsheetHtml(db, ids));
    errors.length = 0;
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // Nine charts: equity, drawdown, monthly, rolling Sharpe, volatility, beta, distribution, exposure, turnover.
    await page.waitForFunction(() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 18);
    const plots = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.js-plotly-plot') as ArrayLike<PlotElement>).map((p) => ({
        traces: p.data.map((d) => d.type ?? 'scatter'),
        names: p.data.map((d) => d.name ?? ''),
        points: p.data[0]!.x?.length ?? 0,
        yType: p.layout.yaxis?.type ?? null,
      })),
    );
    expect(plots).toHaveLength(9);
    const [sheet] = await loadTearsheets(db, ids);
    // The equity chart: both backtests on a log axis, one point per bar.
    expect(plots[0]!.yType).toBe('log');
    expect(plots[0]!.names).toEqual([
      expect.stringMatching(new RegExp(`^#${ids[0]} xs-momentum`)),
      expect.stringMatching(`^#${ids[1]} ts-momentum`),
    ]);
    expect(plots[0]!.points).toBe(sheet!.dates.length);
    expect(plots[2]!.traces).toEqual(['heatmap']);
    expect(plots[6]!.traces).toEqual(['bar', 'scatter']);
    expect(errors).toEqual([]);

    // The summary table shows metrics.ts's figures of each backtest, in its column.
    const sharpe = page.locator('table[data-table="summary"] tr[data-metric="sharpe"] td');
    expect(await sharpe.count()).toBe(3);
    const sheets = await loadTearsheets(db, ids);
    for (let i = 0; i < sheets.length; i++) {
      expect(await sharpe.nth(i + 1).innerText()).toBe(formatNumber(sheets[i]!.metrics.returns.sharpe, 2));
    }
    const worst = page.locator('table[data-table="drawdowns"] tr[data-drawdown="1"] td');
    const deepest = sheet!.worstDrawdowns[0]!;
    expect(await worst.allInnerTexts()).toEqual([
      '1',
      sheet!.metrics.drawdown.start,
      sheet!.metrics.drawdown.trough,
      sheet!.metrics.drawdown.recovery ?? 'not recovered',
      formatPercent(-sheet!.metrics.drawdown.maxDepthPct / 100, 2),
      formatNumber(sheet!.metrics.drawdown.durationBars, 0),
      formatNumber(deepest.days, 0),
    ]);
    const firstTrade = page.locator('table[data-table="trades"] tr[data-trade="0"] td');
    expect(await firstTrade.nth(4).innerText()).toBe(formatShares(sheet!.trades[0]!.maxShares));
    expect(await page.locator('table[data-table="trades"] tr[data-trade]').count()).toBe(sheet!.trades.length);

    // Nothing wider than the window.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1200);
    const png = await saveScreenshot(page, 'tearsheet.png');
    const info = pngInfo(png);
    expect(info.width).toBe(1200);
    expect(info.height).toBeGreaterThan(3000);
    const pixels = await pixelStats(png);
    expect(pixels.colours).toBeGreaterThan(50);
    expect(pixels.nonWhite).toBeGreaterThan(0.05);
  });

  it('draws the notebook fragment after a loader already on the page, without a second plotly.js', async () => {
    await page.goto('about:blank');
    errors.length = 0;
    const fragment = await tearsheetHtml(db, [ids[1]!], { fragment: true, includeBundle: false });
    expect(fragment).not.toContain('DecompressionStream');
    await page.setContent(`<!doctype html><html><head></head><body>${plotlyLoader()}${fragment}</body></html>`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 18);
    expect(await page.locator('.js-plotly-plot').count()).toBe(9);
    expect(errors).toEqual([]);
  });
});
