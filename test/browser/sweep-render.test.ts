/**
 * A sweep's page laid out by a real browser (the packaged headless Chromium): a real sweep of three
 * parameters on ../shared/data ETFs, gated, written by sweepHtml and opened as a file, draws its
 * heatmap and parallel coordinates with no console error; the heatmap's cells are the stored
 * combinations' metrics averaged (or the best) by an independent computation from the stored rows
 * (listBacktests); the table and the gate verdict show the stored figures; the screenshot is saved
 * (test-artifacts/browser/sweep.png). The notebook fragment draws too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBacktests } from '../../src/backtest/backtest-store.js';
import { parseBacktestSpec } from '../../src/backtest/backtest-spec.js';
import { runSweep } from '../../src/backtest/sweep.js';
import { ingest } from '../../src/data/ingest.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { gateSweep, type SweepVerdict } from '../../src/research/gate-runner.js';
import { DEFAULT_GATE_SETS } from '../../src/research/gate-set.js';
import { plotlyLoader } from '../../src/report/plotly-html.js';
import { formatNumber } from '../../src/report/report-format.js';
import { sweepHtml } from '../../src/report/render-sweep.js';
import { collectPageErrors, launchTestBrowser } from '../helpers/packaged-chromium.js';
import { ARTIFACTS, saveScreenshot } from '../helpers/screenshot.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

interface PlotElement {
  readonly data: { readonly type?: string; readonly x?: unknown[]; readonly y?: unknown[]; readonly z?: (number | null)[][] }[];
}
declare const document: {
  querySelectorAll(selector: string): ArrayLike<unknown>;
  readonly documentElement: { readonly scrollWidth: number };
};

const ETF = resolve(__dirname, '../../../shared/data/etf-daily');
const SYMBOLS = ['SPY', 'TLT', 'GLD', 'EFA'];
const GRID = { lookback: [63, 126, 252], skip: [0, 21], topPct: [25, 50] };

let db: TestDatabase;
let browser: Browser;
let page: Page;
let sweepId: number;
let verdict: SweepVerdict;
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  db = await openTestDatabase();
  await ingest(db, new CsvProvider({ path: ETF }), { symbols: SYMBOLS, interval: '1d' });
  const spec = parseBacktestSpec({ strategy: 'xs-momentum', symbols: SYMBOLS, from: '2008-01-01', to: '2016-12-31' });
  sweepId = (await runSweep(db, spec, GRID, { workers: 1 })).sweepId;
  verdict = await gateSweep(db, sweepId, 'default', DEFAULT_GATE_SETS.default!, { blocks: 8 });
  browser = await launchTestBrowser();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  collectPageErrors(page, errors);
});

afterAll(async () => {
  await browser?.close();
  await db?.close();
});

/** The stored combinations, read apart from the page's loader: (lookback, skip, topPct) -> figures. */
async function storedRows() {
  const rows = await listBacktests(db, { sweepId, limit: 1000 });
  return rows.map((r) => ({ id: r.id, params: r.params as Record<string, number>, sharpe: r.sharpe, cagr: r.cagr }));
}

/** What the heatmap's title says each cell is. */
const heatmapTitle = () =>
  page.evaluate(
    () => (document.querySelectorAll('.js-plotly-plot') as ArrayLike<{ layout: { title: { text: string } } }>)[0]!.layout.title.text,
  );

/** Opens a page as a file and returns its plots' data once every chart has drawn. */
async function open(html: string, name: string): Promise<PlotElement['data'][]> {
  const file = join(ARTIFACTS, name);
  writeFileSync(file, html);
  errors.length = 0;
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4);
  return page.evaluate(() => Array.from(document.querySelectorAll('.js-plotly-plot') as ArrayLike<PlotElement>).map((p) => p.data));
}

describe(`a sweep's page in Chromium (${engineName})`, () => {
  it('draws the heatmap of the mean Sharpe by lookback and topPct, the parallel coordinates, the table and the verdict', async () => {
    const plots = await open(await sweepHtml(db, sweepId, { x: 'lookback', y: 'topPct' }), 'sweep.html');
    expect(plots).toHaveLength(2);
    const heatmap = plots[0]![0]!;
    expect(heatmap.type).toBe('heatmap');
    expect(heatmap.x).toEqual(['63', '126', '252']);
    expect(heatmap.y).toEqual(['25', '50']);
    // Independently: each cell is the mean Sharpe of the two skips at that lookback and topPct.
    const rows = await storedRows();
    expect(rows).toHaveLength(12);
    for (const [yi, topPct] of GRID.topPct.entries()) {
      for (const [xi, lookback] of GRID.lookback.entries()) {
        const cell = rows.filter((r) => r.params.lookback === lookback && r.params.topPct === topPct).map((r) => r.sharpe!);
        expect(cell).toHaveLength(2);
        expect(heatmap.z![yi]![xi]).toBeCloseTo((cell[0]! + cell[1]!) / 2, 12);
      }
    }
    expect(await heatmapTitle()).toBe('Sharpe ratio by lookback and topPct: mean over skip (2 values)');
    // The parallel coordinates: every combination once, a line through lookback, skip, topPct and the Sharpe.
    const lines = plots[1]!.flatMap((trace) => trace.x!.filter((x) => x === 3));
    expect(lines).toHaveLength(12);
    expect(errors).toEqual([]);

    // The table: every combination, best Sharpe first, with its stored figures and its verdict's DSR.
    const table = page.locator('table[data-table="sweep"] tbody tr');
    expect(await table.count()).toBe(12);
    const best = [...rows].sort((a, b) => b.sharpe! - a.sharpe!)[0]!;
    const first = await table.nth(0).locator('td').allInnerTexts();
    expect(first.slice(0, 6)).toEqual([
      '1',
      String(best.id),
      String(best.params.lookback),
      String(best.params.skip),
      String(best.params.topPct),
      formatNumber(best.sharpe, 2),
    ]);
    const bestVerdict = verdict.results.find((r) => r.backtestId === best.id)!;
    expect(first.at(-2)).toBe(formatNumber(bestVerdict.statistics.dsr, 3));
    expect(await page.locator('[data-role="gate"]').getAttribute('data-pbo')).toBe(formatNumber(verdict.pbo, 3));

    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1200);
    await saveScreenshot(page, 'sweep.png');
  });

  it('maps another metric, the best CAGR over topPct, when asked', async () => {
    const plots = await open(
      await sweepHtml(db, sweepId, { metric: 'cagr', x: 'skip', y: 'lookback', aggregate: 'max' }),
      'sweep-cagr.html',
    );
    const heatmap = plots[0]![0]!;
    const rows = await storedRows();
    expect(heatmap.x).toEqual(['0', '21']);
    expect(heatmap.y).toEqual(['63', '126', '252']);
    for (const [yi, lookback] of GRID.lookback.entries()) {
      for (const [xi, skip] of GRID.skip.entries()) {
        const cell = rows.filter((r) => r.params.lookback === lookback && r.params.skip === skip).map((r) => r.cagr!);
        expect(cell).toHaveLength(2);
        expect(heatmap.z![yi]![xi]).toBe(Math.max(...cell));
      }
    }
    expect(await heatmapTitle()).toBe('CAGR by skip and lookback: max over topPct (2 values)');
    expect(await page.locator('table[data-table="sweep"] thead th').nth(5).innerText()).toBe('CAGR');
    expect(errors).toEqual([]);
  });

  it('draws the notebook fragment after a loader already on the page', async () => {
    await page.goto('about:blank');
    errors.length = 0;
    const fragment = await sweepHtml(db, sweepId, { fragment: true, includeBundle: false });
    expect(fragment).not.toContain('DecompressionStream');
    await page.setContent(`<!doctype html><html><head></head><body>${plotlyLoader()}${fragment}</body></html>`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4);
    expect(await page.locator('.js-plotly-plot').count()).toBe(2);
    expect(errors).toEqual([]);
  });
});
