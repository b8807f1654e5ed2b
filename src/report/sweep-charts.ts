/**
 * A sweep's charts as Plotly figures: the heatmap of a metric over two parameters, and a
 * parallel-coordinates view of every swept parameter with the metric last. Plotly's own
 * `parcoords` trace draws with WebGL and is not in the cartesian bundle the reports load
 * (plotly-html.ts), so the parallel coordinates are drawn here with plain scatter lines: one
 * polyline per combination across the axes, coloured by the metric's quintile, each axis labelled
 * with its values.
 */
import type { ParamValue } from '../strategies/strategy.js';
import { formatMetric, metricOf, paramValues, sweptParams, type MetricUnit, type SweepHeatmap, type SweepRow } from './sweep-view.js';
import { chartLayout, type PlotlyFigure } from './tearsheet-charts.js';

/** d3-format of each unit, as formatMetric writes it. */
const D3_FORMAT: Record<MetricUnit, string> = { percent: '.2%', ratio: '.2f', count: '.0f' };

/** Low to high, the viridis scale's quintiles. */
const BANDS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#e0c90f'];

const label = (value: ParamValue) => String(value);

/**
 * @example const view = sweepHeatmap(rows, { x: 'lookback', y: 'topPct' }); plot(...Object.values(sweepHeatmapFigure(view)))
 */
export function sweepHeatmapFigure(view: SweepHeatmap): PlotlyFigure {
  const metric = metricOf(view.metric);
  const format = D3_FORMAT[metric.unit];
  const yLabels = view.y ? view.y.values.map(label) : [metric.label];
  return {
    data: [
      {
        type: 'heatmap',
        x: view.x.values.map(label),
        y: yLabels,
        z: view.z,
        customdata: view.counts,
        colorscale: 'Viridis',
        texttemplate: `%{z:${format}}`,
        hovertemplate: `${view.x.param} %{x}${view.y ? `, ${view.y.param} %{y}` : ''}: %{z:${format}} (%{customdata} combinations)<extra></extra>`,
        xgap: 1,
        ygap: 1,
        colorbar: { tickformat: format },
      },
    ],
    layout: chartLayout(`${metric.label} by ${view.x.param}${view.y ? ` and ${view.y.param}` : ''}: ${view.description}`, {
      hovermode: 'closest',
      xaxis: { type: 'category', title: { text: view.x.param } },
      yaxis: { type: 'category', title: { text: view.y?.param ?? '' } },
    }),
    height: 160 + Math.max(2, yLabels.length) * 40,
  };
}

/**
 * Every combination as a line through its parameters' values and the metric (top: highest).
 * @example plot(...Object.values(sweepParallelFigure(rows, 'sharpe')))
 */
export function sweepParallelFigure(
  rows: readonly SweepRow[],
  metricKey: string,
  params: readonly string[] = sweptParams(rows),
): PlotlyFigure {
  const metric = metricOf(metricKey);
  const scored = rows
    .map((row) => ({ row, value: metric.of(row.metrics) }))
    .filter((s): s is { row: SweepRow; value: number } => s.value !== null && Number.isFinite(s.value));
  const values = params.map((p) => paramValues(rows, p));
  const low = Math.min(...scored.map((s) => s.value));
  const high = Math.max(...scored.map((s) => s.value));
  const spread = high - low;
  const metricY = (v: number) => (spread > 0 ? (v - low) / spread : 0.5);
  const paramY = (axis: number, v: ParamValue | undefined) => {
    const n = values[axis]!.length;
    return n > 1 ? values[axis]!.findIndex((x) => x === v) / (n - 1) : 0.5;
  };
  const sorted = [...scored].sort((a, b) => a.value - b.value);
  const bands = BANDS.map((color, band) => {
    const members = sorted.slice(
      Math.floor((band * sorted.length) / BANDS.length),
      Math.floor(((band + 1) * sorted.length) / BANDS.length),
    );
    const x: (number | null)[] = [];
    const y: (number | null)[] = [];
    const text: (string | null)[] = [];
    for (const { row, value } of members) {
      const description = `#${row.backtestId} ${params.map((p) => `${p} ${label(row.params[p]!)}`).join(', ')}: ${metric.label} ${formatMetric(metric.unit, value)}`;
      params.forEach((p, axis) => {
        x.push(axis);
        y.push(paramY(axis, row.params[p]));
        text.push(description);
      });
      x.push(params.length, null);
      y.push(metricY(value), null);
      text.push(description, null);
    }
    const range =
      members.length > 0
        ? `${formatMetric(metric.unit, members[0]!.value)} to ${formatMetric(metric.unit, members[members.length - 1]!.value)}`
        : '';
    return {
      type: 'scatter',
      mode: 'lines+markers',
      name: range,
      x,
      y,
      text,
      hovertemplate: '%{text}<extra></extra>',
      line: { color, width: 1.5 },
      marker: { color, size: 4 },
      opacity: 0.7,
      connectgaps: false,
    };
  }).filter((trace) => trace.x.length > 0);
  const tick = (axis: number, y: number, text: string) => ({
    x: axis,
    y,
    xref: 'x',
    yref: 'y',
    text,
    showarrow: false,
    xanchor: 'right',
    xshift: -4,
    font: { size: 10 },
  });
  const annotations = [
    ...params.flatMap((_, axis) => values[axis]!.map((v) => tick(axis, paramY(axis, v), label(v)))),
    ...[0, 0.25, 0.5, 0.75, 1].map((q) => tick(params.length, q, formatMetric(metric.unit, spread > 0 ? low + q * spread : low))),
  ];
  return {
    data: bands,
    layout: chartLayout(`${metric.label} of every combination across its parameters (colour: the metric's quintile)`, {
      hovermode: 'closest',
      showlegend: true,
      xaxis: {
        tickvals: [...params.keys(), params.length],
        ticktext: [...params, metric.label],
        range: [-0.4, params.length + 0.1],
        side: 'top',
        showgrid: true,
        gridcolor: '#9aa1a9',
        gridwidth: 1.5,
        zeroline: false,
      },
      yaxis: { visible: false, range: [-0.05, 1.05] },
      legend: { orientation: 'h', x: 0, y: -0.05, yanchor: 'top', xanchor: 'left', title: { text: `${metric.label}:` } },
      margin: { l: 48, r: 16, t: 96, b: 48 },
      annotations,
    }),
    height: 460,
  };
}
