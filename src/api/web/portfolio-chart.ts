/**
 * The portfolio page's chart as a plotly figure, drawn by the pages' one chart script
 * (reports/web-charts.js) from the page's JSON block: the portfolio's value since the start, the
 * benchmark with the same money, the money put in, and below them the drawdown.
 */
import type { FollowerPath } from '../../monitor/follower-path.js';

export interface SinceStartChart extends FollowerPath {
  /** The drawdown per date (new money not counted as gain), as a fraction <= 0. */
  readonly drawdown: readonly number[];
  readonly currency: string;
}

/** @example chartData({ 'since-start': sinceStartFigure(view.chart) }) */
export function sinceStartFigure(chart: SinceStartChart) {
  const line = (name: string, y: readonly (number | null)[], style: object) => ({
    x: chart.dates,
    y,
    type: 'scatter',
    mode: 'lines',
    name,
    line: style,
  });
  const data = [
    line('Portfolio', chart.value, { color: '#0969da', width: 2 }),
    ...(chart.benchmark ? [line(`${chart.benchmark.symbol}, the same money`, chart.benchmark.value, { color: '#bf8700', width: 2 })] : []),
    line('Put in', chart.invested, { color: '#6b7280', dash: 'dot', shape: 'hv' }),
    { ...line('Drawdown', chart.drawdown, { color: '#b42318', width: 1 }), fill: 'tozeroy', xaxis: 'x', yaxis: 'y2' },
  ];
  const layout = {
    margin: { l: 56, r: 8, t: 8, b: 32 },
    legend: { orientation: 'h', y: -0.12 },
    grid: { rows: 2, columns: 1, roworder: 'top to bottom' },
    yaxis: { tickformat: ',.0f', title: { text: chart.currency }, domain: [0.36, 1] },
    yaxis2: { tickformat: '.0%', domain: [0, 0.26], title: { text: 'Drawdown' } },
    xaxis: { anchor: 'y2' },
  };
  return { data, layout, height: 420 };
}
