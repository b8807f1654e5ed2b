/**
 * A backtest's tearsheet as HTML: a page of its own (`momentum report backtest`), or a fragment for
 * a notebook cell; several backtests side by side in the summary table and the equity and drawdown
 * charts. Every summary figure is the backtest's metrics (metrics.ts); the charts and tables are
 * tearsheet.ts's. plotly.js is loaded once per page: inline and compressed by default (the file
 * works offline), or from `plotlySrc`.
 */
import Handlebars from 'handlebars';
import { loadTearsheetInput } from '../backtest/tearsheet-input.js';
import { tearsheetOf, type Tearsheet } from '../backtest/tearsheet.js';
import type { BacktestMetrics } from '../backtest/metrics.js';
import type { Database } from '../db/database.js';
import { ValidationError } from '../errors.js';
import { plotlyHtml, plotlyLoader } from './plotly-html.js';
import { formatDrawdown, formatNumber, formatPercent, formatShares, MISSING } from './report-format.js';
import { tearsheetFigures, type PlotlyFigure, type TearsheetFigures } from './tearsheet-charts.js';
import { reportTemplates } from './templates.js';

export interface TearsheetRenderOptions {
  /** Where the page loads plotly.js from; default: inline (plotlyLoader). */
  readonly plotlySrc?: string;
  /** A fragment for a notebook cell rather than a page (default false). */
  readonly fragment?: boolean;
  /** With `fragment`: false when the notebook already loaded plotly.js (notebookPlotter); default true. */
  readonly includeBundle?: boolean;
}

/**
 * The tearsheet of stored backtests: the first in full, the others beside it in the summary table
 * and the equity and drawdown charts.
 * @example writeFileSync('tearsheet.html', await tearsheetHtml(db, [12, 15]))
 * @example tslab.display.html(await tearsheetHtml(db, [12], { fragment: true }))
 */
export async function tearsheetHtml(db: Database, ids: readonly number[], options: TearsheetRenderOptions = {}): Promise<string> {
  return renderTearsheet(await loadTearsheets(db, ids), options);
}

/** The tearsheets' figures, to look at or plot in a notebook. @example (await loadTearsheets(db, [12]))[0].worstDrawdowns */
export async function loadTearsheets(db: Database, ids: readonly number[]): Promise<Tearsheet[]> {
  if (ids.length === 0) throw new ValidationError('ids', 'name at least one stored backtest (see momentum backtests list)');
  const sheets: Tearsheet[] = [];
  for (const id of ids) sheets.push(tearsheetOf(await loadTearsheetInput(db, id)));
  return sheets;
}

/** @example renderTearsheet([tearsheetOf(input)]) // "<!DOCTYPE html>..." */
export function renderTearsheet(sheets: readonly Tearsheet[], options: TearsheetRenderOptions = {}): string {
  const plot = (figure: PlotlyFigure) =>
    new Handlebars.SafeString(plotlyHtml(figure.data, figure.layout, { height: figure.height, includeBundle: false }));
  const view = tearsheetView(sheets, plot);
  return reportTemplates().html(options.fragment ? 'tearsheet-fragment' : 'tearsheet', {
    ...view,
    plots: { ...view.plots, bundle: new Handlebars.SafeString(pagePlotly(options)) },
  });
}

/**
 * The view of partials/tearsheet-body: its tables, and each chart as `plot` draws it (markup
 * trusted by the template), so a page can draw the charts its own way (the web pages: no inline script).
 * @example tearsheetView(sheets, (figure) => new Handlebars.SafeString(`<div data-height="${figure.height}"></div>`))
 */
export function tearsheetView(
  sheets: readonly Tearsheet[],
  plot: (figure: PlotlyFigure, name: keyof TearsheetFigures) => Handlebars.SafeString,
) {
  if (sheets.length === 0) throw new ValidationError('sheets', 'a tearsheet needs at least one backtest');
  const main = sheets[0]!;
  const figures = tearsheetFigures(sheets);
  const draw = (name: keyof TearsheetFigures) => {
    const figure = figures[name];
    return figure ? plot(figure, name) : null;
  };
  const m = main.metrics;
  return {
    heading: true,
    title: `Tearsheet: ${main.label}`,
    subtitle: `${m.period.start} to ${m.period.end}, ${m.period.bars} ${m.period.interval} bars (${formatNumber(m.period.years, 2)} years)${
      sheets.length > 1
        ? `; compared with ${sheets
            .slice(1)
            .map((s) => s.label)
            .join(', ')}`
        : ''
    }`,
    notes: notes(main),
    columns: sheets.map((s) => s.label),
    summary: [
      { key: 'parameters', label: 'parameters', values: sheets.map((s) => s.description || MISSING) },
      ...summaryRows(sheets.map((s) => s.metrics)),
    ],
    drawdowns: main.worstDrawdowns.map((d, i) => ({
      rank: i + 1,
      start: d.start,
      trough: d.trough,
      recovery: d.recovery ?? 'not recovered',
      depth: formatDrawdown(d.depthPct / 100),
      lengthBars: formatNumber(d.bars, 0),
      lengthDays: formatNumber(d.days, 0),
    })),
    distributionNote: `Mean ${formatPercent(main.distribution.mean, 3)} a bar, standard deviation ${formatPercent(main.distribution.std, 3)}, skewness ${formatNumber(main.distribution.skewness, 2)}, excess kurtosis ${formatNumber(main.distribution.excessKurtosis, 2)}.`,
    tradesNote: `${main.trades.length} trades (${main.trades.filter((t) => t.open).length} open at the end); P&L after fees, prices adjusted.`,
    trades: main.trades.map((t) => ({
      symbol: t.symbol,
      side: t.direction > 0 ? 'long' : 'short',
      entry: t.entry,
      exit: t.exit ?? 'open',
      maxShares: formatShares(t.maxShares),
      entryPrice: formatNumber(t.entryPrice, 2),
      exitPrice: t.open ? MISSING : formatNumber(t.exitPrice, 2),
      fees: formatNumber(t.fees, 2),
      pnlNet: formatNumber(t.pnlNet, 2),
      barsHeld: formatNumber(t.barsHeld, 0),
    })),
    plots: {
      equity: draw('equity'),
      drawdown: draw('drawdown'),
      monthly: draw('monthly'),
      rollingSharpe: draw('rollingSharpe'),
      rollingVolatility: draw('rollingVolatility'),
      rollingBeta: draw('rollingBeta'),
      distribution: draw('distribution'),
      exposure: draw('exposure'),
      turnover: draw('turnover'),
    },
  };
}

/** How a report page or fragment loads plotly.js: a `<script src>`, inline once, or not at all (the notebook has it). */
export function pagePlotly(options: TearsheetRenderOptions): string {
  if (options.plotlySrc !== undefined) return `<script src="${Handlebars.escapeExpression(options.plotlySrc)}"></script>`;
  return options.fragment && options.includeBundle === false ? '' : plotlyLoader();
}

function notes(sheet: Tearsheet): string[] {
  const out: string[] = [];
  if (!sheet.benchmarkSymbol) out.push('No benchmark: no rolling beta (run the backtest with --benchmark SYMBOL).');
  if (!sheet.exposure) out.push('Exposure was not stored with this backtest.');
  if (!sheet.turnover)
    out.push('The traded value was not stored with this backtest (stored before it was kept, or a sweep): no turnover chart.');
  return out;
}

export interface SummaryRow {
  readonly key: string;
  readonly label: string;
  readonly values: string[];
}

/** One row per figure, one column per backtest; percents as percents throughout. @example summaryRows([inSample.metrics, outOfSample.metrics]) */
export function summaryRows(all: readonly BacktestMetrics[]): SummaryRow[] {
  const row = (key: string, label: string, value: (m: BacktestMetrics) => string): SummaryRow => ({ key, label, values: all.map(value) });
  const pct = (x: number | null | undefined) => formatPercent(x, 2);
  const num = (x: number | null | undefined) => formatNumber(x, 2);
  const rows = [
    row('period', 'period', (m) => `${m.period.start} to ${m.period.end}`),
    row('total-return', 'total return', (m) => pct(m.returns.totalReturnPct / 100)),
    row('cagr', 'CAGR', (m) => pct(m.returns.cagr)),
    row('volatility', 'volatility (annualised)', (m) => pct(m.returns.volatility)),
    row('sharpe', 'Sharpe ratio', (m) => num(m.returns.sharpe)),
    row('sortino', 'Sortino ratio', (m) => num(m.returns.sortino)),
    row('calmar', 'Calmar ratio', (m) => num(m.returns.calmar)),
    row('max-drawdown', 'max drawdown', (m) => formatDrawdown(m.drawdown.maxDepthPct / 100)),
    row('drawdown-length', 'max drawdown length (bars)', (m) => formatNumber(m.drawdown.durationBars, 0)),
    row('longest-drawdown', 'longest under water (bars)', (m) => formatNumber(m.drawdown.longestBars, 0)),
    row('skewness', 'skewness', (m) => num(m.returns.skewness)),
    row('kurtosis', 'excess kurtosis', (m) => num(m.returns.excessKurtosis)),
    row('trades', 'closed trades', (m) => formatNumber(m.trades.closed, 0)),
    row('win-rate', 'win rate', (m) => pct(m.trades.winRate)),
    row('profit-factor', 'profit factor', (m) => num(m.trades.profitFactor)),
    row('turnover', 'turnover (annualised, x equity)', (m) => num(m.activity.turnover)),
    row('time-in-market', 'time in market', (m) => pct(m.activity.timeInMarket)),
    row('exposure', 'average gross exposure', (m) => pct(m.activity.avgGrossExposure)),
  ];
  if (all.some((m) => m.benchmark)) {
    const benchmarkRows: [string, string, (b: NonNullable<BacktestMetrics['benchmark']>) => string][] = [
      ['benchmark', 'benchmark', (b) => b.symbol],
      ['benchmark-cagr', 'benchmark CAGR', (b) => pct(b.cagr)],
      ['beta', 'beta', (b) => num(b.beta)],
      ['alpha', 'alpha (annualised)', (b) => pct(b.alpha)],
      ['information-ratio', 'information ratio', (b) => num(b.informationRatio)],
    ];
    for (const [key, label, pick] of benchmarkRows) rows.push(row(key, label, (m) => (m.benchmark ? pick(m.benchmark) : MISSING)));
  }
  return rows;
}
