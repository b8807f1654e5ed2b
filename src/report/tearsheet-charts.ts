/**
 * The tearsheet's charts as Plotly figures (data, layout, height): plain objects, so a notebook can
 * draw any one of them (notebookPlotter) and the page draws them all (render-tearsheet.ts). The
 * equity and underwater charts overlay every backtest compared; the others describe the first.
 */
import type { Tearsheet } from '../backtest/tearsheet.js';
import { isoDates } from './plotly-html.js';

export interface PlotlyFigure {
  readonly data: readonly object[];
  readonly layout: object;
  readonly height: number;
}

export interface TearsheetFigures {
  readonly equity: PlotlyFigure;
  readonly drawdown: PlotlyFigure;
  readonly monthly: PlotlyFigure;
  readonly rollingSharpe: PlotlyFigure;
  readonly rollingVolatility: PlotlyFigure;
  /** Null without a benchmark. */
  readonly rollingBeta: PlotlyFigure | null;
  readonly distribution: PlotlyFigure;
  /** Null when the exposure (or traded value) was not stored. */
  readonly exposure: PlotlyFigure | null;
  readonly turnover: PlotlyFigure | null;
}

const COLORS = ['#1565c0', '#c0392b', '#2e7d32', '#8a6d1f', '#6a1b9a', '#00838f', '#ef6c00', '#5d4037'];
const FONT = { family: 'DejaVu Sans, Helvetica, Arial, sans-serif', size: 12 };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The layout every report chart shares: font, title top left, legend above, margins. */
export function chartLayout(title: string, extra: object = {}): object {
  return {
    font: FONT,
    title: { text: title, font: { size: 14 }, x: 0, xanchor: 'left', y: 0.99, yanchor: 'top' },
    margin: { l: 64, r: 16, t: 64, b: 40 },
    legend: { orientation: 'h', x: 0, y: 1.01, yanchor: 'bottom', xanchor: 'left' },
    hovermode: 'x unified',
    ...extra,
  };
}

/**
 * Values to 5 significant digits (NaN kept: plotly's gap): a chart cannot show more, and a page of
 * several 20-year daily series stays a third of the size.
 */
function rounded(values: ArrayLike<number>): number[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? Number(v.toPrecision(5)) : Number.NaN));
}

const line = (x: unknown, y: ArrayLike<number> | null, name: string, color: string, extra: object = {}) => ({
  x,
  y: y && rounded(y),
  name,
  type: 'scatter',
  mode: 'lines',
  line: { color, width: 1.5 },
  ...extra,
});

/** @example const figures = tearsheetFigures([sheet, other]); plot(figures.equity.data, figures.equity.layout) */
export function tearsheetFigures(sheets: readonly Tearsheet[]): TearsheetFigures {
  const main = sheets[0]!;
  const dates = isoDates(main.dates);
  const color = (i: number) => COLORS[i % COLORS.length]!;
  const six = main.rolling.sixMonths;
  const twelve = main.rolling.twelveMonths;
  const rollingPair = (title: string, pick: (r: typeof six) => Float64Array | null, format: string): PlotlyFigure => ({
    data: [line(dates, pick(six), '6 months', COLORS[0]!), line(dates, pick(twelve), '12 months', COLORS[1]!)],
    layout: chartLayout(title, { yaxis: { tickformat: format, zeroline: true } }),
    height: 300,
  });
  return {
    equity: {
      data: sheets.map((s, i) => line(isoDates(s.dates), s.equity, s.label, color(i))),
      layout: chartLayout('Equity (log scale)', { yaxis: { type: 'log', title: { text: 'equity' } } }),
      height: 420,
    },
    drawdown: {
      data: sheets.map((s, i) =>
        line(
          isoDates(s.dates),
          s.drawdown.map((d) => -d),
          s.label,
          color(i),
          i === 0 ? { fill: 'tozeroy' } : {},
        ),
      ),
      layout: chartLayout('Drawdown from the peak (underwater)', { yaxis: { tickformat: '.0%' } }),
      height: 300,
    },
    monthly: monthlyHeatmap(main),
    rollingSharpe: rollingPair('Rolling Sharpe ratio', (r) => r.sharpe, '.2f'),
    rollingVolatility: rollingPair('Rolling volatility (annualised)', (r) => r.volatility, '.0%'),
    rollingBeta: main.benchmarkSymbol ? rollingPair(`Rolling beta to ${main.benchmarkSymbol}`, (r) => r.beta, '.2f') : null,
    distribution: {
      data: [
        { x: main.distribution.centres, y: main.distribution.counts, type: 'bar', name: 'returns', marker: { color: COLORS[0] } },
        line(main.distribution.centres, main.distribution.normal, 'normal, same mean and std', COLORS[1]!),
      ],
      layout: chartLayout('Distribution of bar returns against a normal', {
        bargap: 0.05,
        hovermode: 'closest',
        xaxis: { tickformat: '.1%' },
        yaxis: { title: { text: 'bars' } },
      }),
      height: 320,
    },
    exposure: main.exposure
      ? {
          data: [line(dates, main.exposure, 'gross exposure / equity', COLORS[0]!, { fill: 'tozeroy' })],
          layout: chartLayout('Exposure', { yaxis: { tickformat: '.0%', rangemode: 'tozero' } }),
          height: 260,
        }
      : null,
    turnover: main.turnover
      ? {
          data: [
            {
              x: main.turnover.map((m) => `${m.year}-${String(m.month).padStart(2, '0')}`),
              y: main.turnover.map((m) => m.turnover),
              type: 'bar',
              name: 'traded / mean equity',
              marker: { color: COLORS[3] },
            },
          ],
          layout: chartLayout('Turnover per month (traded value / mean equity)', { yaxis: { tickformat: '.0%' } }),
          height: 260,
        }
      : null,
  };
}

/** Years down, months across and the year's total last; each cell labelled with its return. */
function monthlyHeatmap(sheet: Tearsheet): PlotlyFigure {
  const years = sheet.calendar.years.map((y) => y.year);
  const z = years.map((year) => [
    ...MONTHS.map((_, m) => sheet.calendar.months.find((c) => c.year === year && c.month === m + 1)?.return ?? null),
    sheet.calendar.years.find((y) => y.year === year)!.return,
  ]);
  // The scale fits the months; a year's total beyond it shows at full colour.
  const largest = Math.max(0.01, ...sheet.calendar.months.map((m) => Math.abs(m.return)));
  return {
    data: [
      {
        type: 'heatmap',
        x: [...MONTHS, 'Year'],
        y: years.map(String),
        z,
        zmin: -largest,
        zmax: largest,
        colorscale: [
          [0, '#b42318'],
          [0.5, '#ffffff'],
          [1, '#1a7f37'],
        ],
        texttemplate: '%{z:.1%}',
        hovertemplate: '%{y} %{x}: %{z:.2%}<extra></extra>',
        xgap: 1,
        ygap: 1,
        colorbar: { tickformat: '.0%' },
      },
    ],
    layout: chartLayout('Monthly returns, with the year', { hovermode: 'closest', yaxis: { autorange: 'reversed', type: 'category' } }),
    height: 120 + years.length * 22,
  };
}
