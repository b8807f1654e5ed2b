/**
 * The subscriber's rebalance report: the email (HTML with inline PNG charts, its own plain-text
 * part, a link to the interactive page) and the interactive Plotly page, returned for the caller
 * to write where `momentum serve` answers its signed link (report-pages.ts). The page is never
 * attached: with plotly.js in it a mail would pass the size relays accept.
 */
import Handlebars from 'handlebars';
import { weightsChartHeight, weightsChartPng, weightBarCount, drawdownFromEquity } from './charts.js';
import type { MailContent } from '../mail/mail-content.js';
import { plotlyHtml, plotlyLoader } from './plotly-html.js';
import { formatDate, formatDays, formatMoney, formatPercent, formatShares } from './report-format.js';
import type { Headline, HoldingRow, KeyMetrics, RebalanceReport, ReportEvidence } from './report-models.js';
import {
  checkedLink,
  CONTENT_WIDTH,
  DEFAULT_PIXEL_RATIO,
  equityImage,
  finiteOrNull,
  oneLine,
  pngImage,
  sinceStartImage,
  slug,
  type InlineImage,
} from './report-view.js';
import { reportTemplates, type ReportTemplates } from './templates.js';

export interface RebalanceRenderOptions {
  /** Templates to use (default: the package's reports/). */
  readonly templates?: ReportTemplates;
  /** The signed link to the interactive page (report-pages.ts), shown in the email; none: the email does not mention the page. */
  readonly interactiveLink?: { readonly url: string; readonly expiresAt: Date } | null;
  /**
   * Where the page loads plotly.js from, relative to the page (the served asset, servedPlotlySrc());
   * default: inlined compressed (plotlyLoader), so the page also works as a file, offline.
   */
  readonly plotlySrc?: string;
  /** PNG pixels per CSS pixel of the inline charts (default 2). */
  readonly pixelRatio?: number;
}

export interface RenderedRebalance {
  readonly mail: MailContent;
  /** The interactive report page: HTML loading plotly.js from `plotlySrc`, else self-contained. */
  readonly interactive: { readonly filename: string; readonly html: string };
}

/** Weight changes smaller than this are "unchanged" (a rounding difference, not a decision). */
const SAME = 5e-4;

/**
 * @example
 *   const { mail, interactive } = renderRebalanceReport(report, { interactiveLink: page, plotlySrc: servedPlotlySrc() });
 *   writeReportPage(env, page.file, interactive.html);
 */
export function renderRebalanceReport(report: RebalanceReport, options: RebalanceRenderOptions = {}): RenderedRebalance {
  const templates = options.templates ?? reportTemplates();
  const pixelRatio = options.pixelRatio ?? DEFAULT_PIXEL_RATIO;
  const view = rebalanceView(report);
  const equity = equityImage(report.performance, pixelRatio);
  const weights = weightsImage(view.rows, pixelRatio);
  const since = report.sinceStart ? sinceStartImage(report.sinceStart, pixelRatio) : null;
  const filename = `${slug(report.portfolio.name)}-${report.asOf}.html`;
  const interactiveHtml = templates.html('rebalance-interactive', {
    ...view,
    plots: interactivePlots(report, view.rows, options.plotlySrc),
  });
  const link = options.interactiveLink ?? null;
  const interactive = link ? { url: checkedLink(link.url, 'interactiveLink'), expires: link.expiresAt.toISOString() } : null;
  const mail: MailContent = {
    subject: view.subject,
    html: templates.html('rebalance', {
      ...view,
      charts: { equity: equity.view, weights: weights.view, sinceStart: since?.view ?? null },
      interactive,
    }),
    text: templates.text('rebalance', { ...view, interactive }),
    attachments: [equity.attachment, weights.attachment, ...(since ? [since.attachment] : [])],
  };
  return { mail, interactive: { filename, html: interactiveHtml } };
}

interface RowView {
  readonly symbol: string;
  readonly name: string | null;
  readonly assetClass: string | null;
  readonly previousWeight: number;
  readonly weight: number;
  readonly change: number;
  readonly shares: number;
  /** `120 -> 130` when the trades change the count, else `130`. */
  readonly sharesMove: string;
  readonly sharesBefore: number | null;
  readonly value: number;
  readonly price: number | null;
  readonly reason: string;
  readonly signal: number | null;
  /** A new holding's latest headlines, at most MAX_HEADLINES, http(s) links only. */
  readonly headlines: readonly Headline[];
  readonly status: 'new' | 'sold' | 'up' | 'down' | 'same';
  readonly isNew: boolean;
  readonly sold: boolean;
}

/** Everything the rebalance templates read, every field present (the templates are strict). */
function rebalanceView(report: RebalanceReport) {
  const subscriber = report.subscriber ?? null;
  const amount = subscriber?.amount ?? report.portfolio.amount;
  const currency = subscriber?.currency ?? report.portfolio.currency;
  const rows = report.rows
    .map(rowView)
    .sort((a, b) => Number(a.sold) - Number(b.sold) || b.weight - a.weight || b.previousWeight - a.previousWeight);
  const held = rows.filter((r) => !r.sold);
  const invested = held.reduce((sum, r) => sum + r.value, 0);
  const costs = finiteOrNull(report.costs);
  // Sells first, as they are to be placed; the order among each side is the caller's.
  const trades = [...report.trades.filter((t) => t.side === 'sell'), ...report.trades.filter((t) => t.side === 'buy')].map((t) => ({
    side: t.side,
    isSell: t.side === 'sell',
    symbol: t.symbol,
    shares: t.shares,
    value: t.value,
    price: finiteOrNull(t.price) ?? (t.shares > 0 ? t.value / t.shares : null),
  }));
  const warning = gateWarning(report);
  const notes = [...(report.notes ?? [])];
  const subject = oneLine(
    `${report.portfolio.name}: new weights for ${formatDate(report.asOf)}` +
      (report.gatesIgnored ? ' (WARNING: research gates ignored)' : report.gatesFailed ? ' (WARNING: research gates failed)' : ''),
  );
  const total = invested + report.cash;
  const next = report.holdingPeriod.nextRebalance;
  return {
    subject,
    header: {
      kicker: report.subscriber ? 'Your rebalance report' : 'Rebalance report',
      heading: report.portfolio.name,
      subheading: `As of ${formatDate(report.asOf)} · data to ${formatDate(report.dataAsOf)} (${report.dataAgeDays === 0 ? 'today' : `${formatDays(report.dataAgeDays)} old`}) · ${report.portfolio.strategy}`,
    },
    glance: [
      {
        label: 'Holdings',
        value: String(held.length),
        note: rows.length > held.length ? `${rows.length - held.length} sold` : `${trades.length} trades`,
        color: '#1f2933',
      },
      { label: 'Invested', value: formatMoney(invested, currency), note: `of ${formatMoney(total, currency)}`, color: '#1f2933' },
      {
        label: 'Cash left',
        value: formatMoney(report.cash, currency),
        note: total > 0 ? `${formatPercent(report.cash / total)} of the total` : '',
        color: '#1f2933',
      },
      { label: 'Hold until', value: next ? formatDate(next) : 'next signal', note: 'next rebalance, tentative', color: '#0f3d5e' },
    ],
    title: `${report.portfolio.name}: rebalance for ${formatDate(report.asOf)}`,
    preheader: `${held.length} holdings, ${trades.length} trades to place; next rebalance ${formatDate(report.holdingPeriod.nextRebalance)}.`,
    portfolio: {
      name: report.portfolio.name,
      strategy: report.portfolio.strategy,
      universe: report.portfolio.universe ?? null,
      sip: report.portfolio.mode === 'sip',
    },
    asOf: report.asOf,
    dataAsOf: report.dataAsOf,
    dataAgeDays: report.dataAgeDays,
    subscriber: subscriber ? { name: subscriber.name } : null,
    amount,
    currency,
    rows,
    trades,
    hasTrades: trades.length > 0,
    invested,
    cash: report.cash,
    costs,
    total,
    cashWeight: total > 0 ? report.cash / total : null,
    holdingPeriod: { nextRebalance: report.holdingPeriod.nextRebalance, exitRule: report.holdingPeriod.exitRule },
    evidence: evidenceView(report.evidence),
    warning,
    notes,
    performanceLabel: report.performance?.label ?? null,
    outOfSampleFrom: report.performance?.outOfSampleFrom ?? null,
    sinceStart: sinceStartView(report),
    unsubscribeUrl: checkedLink(report.unsubscribeUrl, 'unsubscribeUrl'),
  };
}

/** The since-you-started summary: when, what went in, what it is worth, and the benchmark with the same money. */
function sinceStartView(report: RebalanceReport) {
  const series = report.sinceStart;
  const last = series ? series.dates.length - 1 : -1;
  if (!series || last < 0) return null;
  const benchmark = series.benchmark?.value[last] ?? null;
  return {
    from: series.dates[0]!,
    to: series.dates[last]!,
    invested: series.invested[last]!,
    value: series.value[last]!,
    benchmarkSymbol: series.benchmark?.symbol ?? null,
    benchmarkValue: finiteOrNull(benchmark),
  };
}

function rowView(row: HoldingRow): RowView {
  const change = row.weight - row.previousWeight;
  const sold = row.weight <= 0 && row.previousWeight > 0;
  const isNew = row.previousWeight <= 0 && row.weight > 0;
  const status = sold ? 'sold' : isNew ? 'new' : Math.abs(change) < SAME ? 'same' : change > 0 ? 'up' : 'down';
  return {
    symbol: row.symbol,
    name: row.name ?? null,
    assetClass: row.assetClass ?? null,
    previousWeight: row.previousWeight,
    weight: row.weight,
    change,
    shares: row.shares,
    sharesBefore: finiteOrNull(row.sharesBefore) !== null && row.sharesBefore !== row.shares ? row.sharesBefore! : null,
    sharesMove:
      finiteOrNull(row.sharesBefore) !== null && row.sharesBefore !== row.shares
        ? `${formatShares(row.sharesBefore)} -> ${formatShares(row.shares)}`
        : formatShares(row.shares),
    value: row.value,
    price: finiteOrNull(row.price),
    reason: row.reason,
    signal: finiteOrNull(row.signal),
    headlines: isNew ? headlinesOf(row) : [],
    status,
    isNew,
    sold,
  };
}

/** Headlines shown per new holding. */
export const MAX_HEADLINES = 3;

/** A row's newest headlines with a web link (a hand-written report could hold any; Handlebars escapes the rest). */
function headlinesOf(row: HoldingRow): Headline[] {
  return [...(row.headlines ?? [])]
    .filter((h) => /^https?:\/\/\S+$/i.test(h.link))
    .sort((a, b) => Date.parse(b.publishedAt) - Date.parse(a.publishedAt))
    .slice(0, MAX_HEADLINES)
    .map((h) => ({ ...h, title: oneLine(h.title), publisher: oneLine(h.publisher) }));
}

/** The evidence as two columns that are always there (a missing one prints "–"), and the gate verdict. */
function evidenceView(evidence: ReportEvidence) {
  const gate = evidence.gate;
  const column = (label: string, entry: { readonly id: number; readonly metrics: KeyMetrics } | null, absent: string) => ({
    label: entry ? `${label} #${entry.id}` : label,
    period: entry?.metrics.period ?? absent,
    totalReturn: finiteOrNull(entry?.metrics.totalReturn),
    cagr: finiteOrNull(entry?.metrics.cagr),
    sharpe: finiteOrNull(entry?.metrics.sharpe),
    volatility: finiteOrNull(entry?.metrics.volatility),
    maxDrawdown: finiteOrNull(entry?.metrics.maxDrawdown),
    trades: finiteOrNull(entry?.metrics.trades),
  });
  return {
    is: column('Backtest', evidence.backtest, 'none stored'),
    oos: column('Simulation', evidence.simulation, 'not run'),
    sharpeRatio: finiteOrNull(evidence.simulation?.sharpeRatio),
    hasMetrics: evidence.backtest !== null || evidence.simulation !== null,
    gate: gate
      ? {
          name: gate.name,
          passed: gate.passed,
          failedReasons: gate.failedReasons,
          dsr: finiteOrNull(gate.dsr),
          pbo: finiteOrNull(gate.pbo),
          trials: finiteOrNull(gate.trials),
          hasStatistics: finiteOrNull(gate.dsr) !== null || finiteOrNull(gate.pbo) !== null,
        }
      : null,
  };
}

/** The loud note when the gates were ignored or failed: a title, a text and the failed reasons. */
function gateWarning(report: RebalanceReport) {
  const show = report.gatesIgnored || report.gatesFailed;
  const title = report.gatesIgnored ? 'Research gates ignored' : 'Research gates failed';
  const defaultText = report.gatesIgnored
    ? report.gatesFailed
      ? 'This portfolio was generated although its strategy failed the research gates (the reasons are below). The backtest and out-of-sample evidence does not support it: treat it as an experiment, not a recommendation.'
      : 'This portfolio was generated without requiring its strategy to pass the research gates (backtest thresholds and an out-of-sample simulation). Treat it as untested.'
    : 'The strategy behind this portfolio failed its research gates (the reasons are below). Treat its weights with caution.';
  return {
    show,
    title,
    text: report.gateWarning ?? defaultText,
    reasons: report.evidence.gate && !report.evidence.gate.passed ? report.evidence.gate.failedReasons : [],
  };
}

function weightsImage(rows: readonly RowView[], pixelRatio: number): InlineImage {
  const bars = rows.map((r) => ({ symbol: r.symbol, previous: r.previousWeight, weight: r.weight }));
  const size = { width: CONTENT_WIDTH, height: weightsChartHeight(weightBarCount(bars)), pixelRatio };
  return pngImage('weights.png', 'weights@momentum', weightsChartPng(bars, size), size, 'Weights before and after the rebalance');
}

/**
 * The interactive charts as trusted markup: plotlyHtml writes the data as JSON with `<` escaped
 * (no value can close its script), so these are the only unescaped strings in the page.
 */
function interactivePlots(report: RebalanceReport, rows: readonly RowView[], plotlySrc: string | undefined) {
  const perf = report.performance;
  const n = perf ? Math.min(perf.dates.length, perf.equity.length) : 0;
  const dates = perf ? perf.dates.slice(0, n) : [];
  const equity = perf ? Array.from({ length: n }, (_, i) => perf.equity[i]!) : [];
  const drawdown =
    perf?.drawdown && perf.drawdown.length >= n
      ? Array.from({ length: n }, (_, i) => perf.drawdown![i]!)
      : Array.from(drawdownFromEquity(equity));
  const font = { family: 'DejaVu Sans, Helvetica, Arial, sans-serif', size: 12 };
  const equityPlot = plotlyHtml(
    [
      { x: dates, y: equity, type: 'scatter', mode: n === 1 ? 'markers' : 'lines', name: 'equity', line: { color: '#1565c0', width: 1.6 } },
      {
        x: dates,
        y: drawdown,
        type: 'scatter',
        mode: n === 1 ? 'markers' : 'lines',
        name: 'drawdown',
        yaxis: 'y2',
        fill: 'tozeroy',
        line: { color: '#c0392b', width: 1 },
      },
    ],
    {
      font,
      margin: { l: 64, r: 16, t: 36, b: 40 },
      title: { text: 'Equity and drawdown', font: { size: 14 } },
      showlegend: false,
      ...outOfSampleShapes(perf?.outOfSampleFrom ?? null, dates),
      xaxis: { anchor: 'y2' },
      yaxis: { domain: [0.36, 1], title: { text: 'equity' } },
      yaxis2: { domain: [0, 0.28], tickformat: '.0%', title: { text: 'drawdown' }, rangemode: 'tozero' },
      hovermode: 'x unified',
    },
    { height: 460, includeBundle: false },
  );
  const ordered = rows.filter((r) => r.weight > 0 || r.previousWeight > 0).reverse();
  const weightsPlot = plotlyHtml(
    [
      // Horizontal groups stack the first trace at the bottom: "before" above "after", as in the email's chart.
      {
        y: ordered.map((r) => r.symbol),
        x: ordered.map((r) => r.weight),
        type: 'bar',
        orientation: 'h',
        name: 'after',
        marker: { color: '#1565c0' },
      },
      {
        y: ordered.map((r) => r.symbol),
        x: ordered.map((r) => r.previousWeight),
        type: 'bar',
        orientation: 'h',
        name: 'before',
        marker: { color: '#b8bec8' },
      },
    ],
    {
      font,
      barmode: 'group',
      margin: { l: 90, r: 16, t: 64, b: 40 },
      title: { text: 'Weights before and after', font: { size: 14 } },
      xaxis: { tickformat: '.0%', rangemode: 'tozero' },
      legend: { orientation: 'h', traceorder: 'reversed', x: 1, xanchor: 'right', y: 1, yanchor: 'bottom' },
    },
    { height: 120 + Math.max(ordered.length, 1) * 40, includeBundle: false },
  );
  const since = report.sinceStart;
  const sincePlot = since
    ? plotlyHtml(
        [
          {
            x: since.dates,
            y: since.value,
            type: 'scatter',
            mode: 'lines',
            name: 'your portfolio',
            line: { color: '#1565c0', width: 1.8 },
          },
          ...(since.benchmark
            ? [
                {
                  x: since.dates,
                  y: since.benchmark.value,
                  type: 'scatter',
                  mode: 'lines',
                  name: `${since.benchmark.symbol}, the same money`,
                  line: { color: '#8a6d1f', width: 1.4 },
                },
              ]
            : []),
          {
            x: since.dates,
            y: since.invested,
            type: 'scatter',
            mode: 'lines',
            name: 'money put in',
            line: { color: '#b8bec8', width: 1.2, dash: 'dash' },
          },
        ],
        {
          font,
          margin: { l: 64, r: 16, t: 56, b: 40 },
          title: { text: 'Your portfolio since you started', font: { size: 14 } },
          legend: { orientation: 'h', x: 0, y: 1.12 },
          hovermode: 'x unified',
        },
        { height: 380, includeBundle: false },
      )
    : '';
  return {
    bundle: new Handlebars.SafeString(
      plotlySrc === undefined ? plotlyLoader() : `<script src="${Handlebars.escapeExpression(plotlySrc)}"></script>`,
    ),
    equity: new Handlebars.SafeString(equityPlot),
    weights: new Handlebars.SafeString(weightsPlot),
    sinceStart: since ? new Handlebars.SafeString(sincePlot) : null,
  };
}

/** The out-of-sample part of the evidence as a shaded, labelled band (plotly shapes and annotations). */
function outOfSampleShapes(from: string | null, dates: readonly string[]) {
  const last = dates[dates.length - 1];
  if (from === null || last === undefined || !(from > dates[0]! && from <= last)) return {};
  return {
    shapes: [
      { type: 'rect', xref: 'x', yref: 'paper', x0: from, x1: last, y0: 0, y1: 1, fillcolor: 'rgba(21,101,192,0.08)', line: { width: 0 } },
    ],
    annotations: [
      {
        xref: 'x',
        yref: 'paper',
        x: dates[0],
        y: 1,
        xanchor: 'left',
        yanchor: 'top',
        text: 'in sample',
        showarrow: false,
        font: { color: '#6b7280' },
      },
      {
        xref: 'x',
        yref: 'paper',
        x: from,
        y: 1,
        xanchor: 'left',
        yanchor: 'top',
        text: 'out of sample',
        showarrow: false,
        font: { color: '#1565c0' },
      },
    ],
  };
}
