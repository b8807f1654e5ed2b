/**
 * Report charts as PNG without a browser: echarts renders SVG server-side (no DOM, no canvas),
 * resvg rasterises it with DejaVu Sans from the dejavu-fonts-ttf package, never the system's fonts:
 * a machine without fonts (a slim container, a bare CI box) draws the same text. Mail clients show
 * PNG everywhere; SVG they mostly do not. Every chart is disposed after rendering, or its timers
 * would keep the process alive.
 */
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import { BarChart, LineChart } from 'echarts/charts';
import { GraphicComponent, GridComponent, LegendComponent, MarkAreaComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { ValidationError } from '../errors.js';
import type { PerformanceSeries, SinceStartSeries } from './report-models.js';

echarts.use([LineChart, BarChart, GridComponent, TitleComponent, LegendComponent, GraphicComponent, MarkAreaComponent, SVGRenderer]);

export interface ChartSize {
  /** Layout size in CSS pixels (the size the email shows it at). */
  readonly width: number;
  readonly height: number;
  /** PNG pixels per CSS pixel (2 for sharp images on high-density screens); default 1. */
  readonly pixelRatio?: number;
}

/** One bar pair of the weights chart. */
export interface WeightBar {
  readonly symbol: string;
  readonly previous: number;
  readonly weight: number;
}

const FONT = 'DejaVu Sans';
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((file) =>
  createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${file}`),
);
const BLUE = '#1565c0';
const RED = '#c0392b';
const GREY = '#b8bec8';
const MUTED = '#6b7280';
const MAX_SIDE = 4000;
const DAY = 86_400_000;

/** Drawdown from the running peak (<= 0); NaN where there is no value yet. */
export function drawdownFromEquity(equity: ArrayLike<number>): Float64Array {
  const out = new Float64Array(equity.length);
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < equity.length; i++) {
    const v = equity[i]!;
    if (!Number.isFinite(v)) {
      out[i] = Number.NaN;
      continue;
    }
    peak = Math.max(peak, v);
    out[i] = peak > 0 ? v / peak - 1 : Number.NaN;
  }
  return out;
}

/** Rows the weights chart shows: held before or after. */
export function weightBarCount(bars: readonly WeightBar[]): number {
  return bars.filter((b) => b.previous > 0 || b.weight > 0).length;
}

/** A height that fits `count` bar pairs at a readable size. */
export function weightsChartHeight(count: number): number {
  return 84 + Math.max(count, 1) * 34;
}

/**
 * @example writeFileSync('equity.png', equityDrawdownPng({ dates, equity }, { width: 600, height: 340, pixelRatio: 2 }))
 */
export function equityDrawdownPng(series: PerformanceSeries | null, size: ChartSize): Buffer {
  return svgToPng(equityDrawdownSvg(series, size), size.pixelRatio);
}

/** @example weightsChartPng([{ symbol: 'SPY', previous: 0.2, weight: 0.3 }], { width: 600, height: 200 }) */
export function weightsChartPng(bars: readonly WeightBar[], size: ChartSize): Buffer {
  return svgToPng(weightsChartSvg(bars, size), size.pixelRatio);
}

/** Two panels on one time axis: equity above, drawdown from the running peak below. */
export function equityDrawdownSvg(series: PerformanceSeries | null, size: ChartSize): string {
  checkSize(size);
  const dates = series?.dates ?? [];
  const n = Math.min(dates.length, series?.equity.length ?? 0);
  const time = dates.slice(0, n).map(utcMillis);
  const equity = series ? Array.from({ length: n }, (_, i) => series.equity[i]!) : [];
  const drawdownSource = series?.drawdown && series.drawdown.length >= n ? series.drawdown : drawdownFromEquity(equity);
  const points = (values: ArrayLike<number>) =>
    time.flatMap((t, i) => (Number.isFinite(t) && Number.isFinite(values[i]!) ? [[t, values[i]!]] : []));
  const equityPoints = points(equity);
  const drawdownPoints = points(drawdownSource);
  const single = equityPoints.length === 1;
  // A lone date would get an hourly axis: widen it to a month around the point.
  const times = equityPoints.map((p) => p[0]!);
  const span =
    times.length > 0 && Math.max(...times) - Math.min(...times) < 2 * DAY ? { min: times[0]! - 15 * DAY, max: times[0]! + 15 * DAY } : {};
  const top = 34;
  const gap = 40;
  const bottom = 28;
  const equityHeight = Math.round((size.height - top - gap - bottom) * 0.64);
  const drawdownHeight = size.height - top - gap - bottom - equityHeight;
  const axisLabel = { color: MUTED, fontSize: 11 };
  const splitLine = { lineStyle: { color: '#eceef1' } };
  return renderSvg(size, {
    title: [
      { text: 'Equity', left: 8, top: 6, textStyle: { fontSize: 13, fontWeight: 'bold', color: '#1f2933' } },
      {
        text: 'Drawdown from peak',
        left: 8,
        top: top + equityHeight + 12,
        textStyle: { fontSize: 13, fontWeight: 'bold', color: '#1f2933' },
      },
    ],
    grid: [
      { left: 64, right: 18, top, height: equityHeight },
      { left: 64, right: 18, top: top + equityHeight + gap, height: drawdownHeight },
    ],
    xAxis: [
      { type: 'time', gridIndex: 0, ...span, axisLabel: { show: false }, axisTick: { show: false }, splitLine: { show: false } },
      { type: 'time', gridIndex: 1, ...span, axisLabel: { ...axisLabel, hideOverlap: true }, splitLine: { show: false } },
    ],
    yAxis: [
      { type: 'value', gridIndex: 0, scale: true, axisLabel: { ...axisLabel, formatter: compactNumber }, splitLine },
      {
        type: 'value',
        gridIndex: 1,
        max: 0,
        // Never a flat axis: at least 0 .. -1% (echarts would otherwise draw 0 .. +100%).
        min: (extent: { min: number }) => niceFloor(Math.min(extent.min, -0.01)),
        axisLabel: { ...axisLabel, formatter: (v: number) => `${+(v * 100).toFixed(1)}%` },
        splitLine,
      },
    ],
    series: [
      {
        type: 'line',
        xAxisIndex: 0,
        yAxisIndex: 0,
        data: equityPoints,
        showSymbol: single,
        symbolSize: 6,
        lineStyle: { width: 1.6, color: BLUE },
        itemStyle: { color: BLUE },
        areaStyle: { color: 'rgba(21,101,192,0.08)' },
        ...sampleMarks(series?.outOfSampleFrom ?? null, equityPoints),
      },
      {
        type: 'line',
        xAxisIndex: 1,
        yAxisIndex: 1,
        data: drawdownPoints,
        showSymbol: drawdownPoints.length === 1,
        symbolSize: 6,
        lineStyle: { width: 1.2, color: RED },
        itemStyle: { color: RED },
        areaStyle: { color: 'rgba(192,57,43,0.22)' },
      },
    ],
    graphic: equityPoints.length === 0 ? [{ ...noData('No history yet'), top: top + equityHeight / 2 - 8 }] : [],
  });
}

/**
 * In sample and out of sample as two labelled bands on the equity panel: the strategy was chosen
 * on the first, and had not seen the second.
 */
function sampleMarks(from: string | null, points: readonly number[][]) {
  const split = from === null ? Number.NaN : utcMillis(from);
  if (!Number.isFinite(split) || points.length < 2) return {};
  const first = points[0]![0]!;
  const last = points[points.length - 1]![0]!;
  if (!(split > first && split <= last)) return {};
  const label = (color: string) => ({ show: true, position: 'insideTop', color, fontSize: 11, fontWeight: 'bold' });
  return {
    markArea: {
      silent: true,
      data: [
        [{ name: 'in sample', xAxis: first, itemStyle: { color: 'rgba(107,114,128,0.06)' }, label: label(MUTED) }, { xAxis: split }],
        [{ name: 'out of sample', xAxis: split, itemStyle: { color: 'rgba(21,101,192,0.12)' }, label: label(BLUE) }, { xAxis: last }],
      ],
    },
  };
}

/** @example sinceStartPng({ dates, value, invested, benchmark: { symbol: 'SPY', value } }, { width: 592, height: 300 }) */
export function sinceStartPng(series: SinceStartSeries, size: ChartSize): Buffer {
  return svgToPng(sinceStartSvg(series, size), size.pixelRatio);
}

/** The reader's money since they started, the same money in the benchmark, and what they put in. */
export function sinceStartSvg(series: SinceStartSeries, size: ChartSize): string {
  checkSize(size);
  const time = series.dates.map(utcMillis);
  const points = (values: readonly (number | null)[]) =>
    time.flatMap((t, i) => (Number.isFinite(t) && values[i] !== null && Number.isFinite(values[i]!) ? [[t, values[i]!]] : []));
  const mine = points(series.value);
  const times = mine.map((p) => p[0]!);
  const span =
    times.length > 0 && Math.max(...times) - Math.min(...times) < 2 * DAY ? { min: times[0]! - 15 * DAY, max: times[0]! + 15 * DAY } : {};
  const line = (name: string, data: number[][], color: string, extra: Record<string, unknown> = {}) => ({
    type: 'line',
    name,
    data,
    showSymbol: data.length === 1,
    symbolSize: 6,
    lineStyle: { width: 1.6, color, ...((extra.lineStyle as object) ?? {}) },
    itemStyle: { color },
  });
  return renderSvg(size, {
    title: { text: 'Your portfolio since you started', left: 8, top: 6, textStyle: { fontSize: 13, fontWeight: 'bold', color: '#1f2933' } },
    legend: { top: 28, left: 8, itemGap: 18, itemWidth: 14, itemHeight: 8, textStyle: { color: '#1f2933', fontSize: 11 } },
    grid: { left: 64, right: 18, top: 58, bottom: 28 },
    xAxis: { type: 'time', ...span, axisLabel: { color: MUTED, fontSize: 11, hideOverlap: true }, splitLine: { show: false } },
    yAxis: {
      type: 'value',
      scale: true,
      axisLabel: { color: MUTED, fontSize: 11, formatter: compactNumber },
      splitLine: { lineStyle: { color: '#eceef1' } },
    },
    series: [
      line('your portfolio', mine, BLUE),
      ...(series.benchmark ? [line(`${series.benchmark.symbol}, the same money`, points(series.benchmark.value), '#8a6d1f')] : []),
      line('money put in', points(series.invested), GREY, { lineStyle: { type: 'dashed', width: 1.2 } }),
    ],
    graphic: mine.length === 0 ? [noData('No history yet')] : [],
  });
}

/** Weight before and after the rebalance per holding, largest new weight on top. */
export function weightsChartSvg(bars: readonly WeightBar[], size: ChartSize): string {
  checkSize(size);
  const shown = bars.filter((b) => b.previous > 0 || b.weight > 0).sort((a, b) => b.weight - a.weight || b.previous - a.previous);
  // echarts draws the first category at the bottom: reverse so the largest is on top.
  const ordered = shown.slice().reverse();
  const largest = Math.max(0.05, ...shown.map((b) => Math.max(b.previous, b.weight)));
  const step = largest > 0.3 ? 0.1 : 0.05;
  const max = Math.min(1, Math.ceil((largest * 1.12) / step) * step);
  const percent = (v: number) => `${(v * 100).toFixed(v !== 0 && Math.abs(v) < 0.1 ? 1 : 0)}%`;
  return renderSvg(size, {
    legend: { top: 6, right: 12, itemWidth: 14, itemHeight: 10, textStyle: { color: '#1f2933', fontSize: 12 } },
    title: { text: 'Weights before and after', left: 8, top: 6, textStyle: { fontSize: 13, fontWeight: 'bold', color: '#1f2933' } },
    grid: { left: 84, right: 56, top: 40, bottom: 28 },
    xAxis: {
      type: 'value',
      min: 0,
      max,
      interval: step,
      axisLabel: { color: MUTED, fontSize: 11, formatter: (v: number) => `${+(v * 100).toFixed(1)}%` },
      splitLine: { lineStyle: { color: '#eceef1' } },
    },
    yAxis: {
      type: 'category',
      data: ordered.map((b) => b.symbol),
      axisLabel: { color: '#1f2933', fontSize: 12, width: 76, overflow: 'truncate' },
      axisTick: { show: false },
    },
    series: [
      { type: 'bar', name: 'before', data: ordered.map((b) => b.previous), itemStyle: { color: GREY }, barGap: '10%', barMaxWidth: 14 },
      {
        type: 'bar',
        name: 'after',
        data: ordered.map((b) => b.weight),
        itemStyle: { color: BLUE },
        barMaxWidth: 14,
        label: {
          show: true,
          position: 'right',
          color: '#1f2933',
          fontSize: 11,
          formatter: (p: { value: number }) => (p.value > 0 ? percent(p.value) : 'sold'),
        },
      },
    ],
    graphic: shown.length === 0 ? [noData('All cash: no holdings')] : [],
  });
}

/** Rasterise an SVG at `pixelRatio` PNG pixels per SVG unit. */
export function svgToPng(svg: string, pixelRatio = 1): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: pixelRatio },
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: FONT, sansSerifFamily: FONT },
  });
  return resvg.render().asPng();
}

function renderSvg(size: ChartSize, option: Record<string, unknown>): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ animation: false, useUTC: true, backgroundColor: '#ffffff', textStyle: { fontFamily: FONT }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function noData(text: string) {
  return {
    type: 'text',
    left: 'center',
    top: 'middle',
    style: { text, fill: MUTED, fontSize: 14, fontFamily: FONT },
    z: 100,
    silent: true,
  };
}

function checkSize(size: ChartSize): void {
  for (const key of ['width', 'height'] as const) {
    const v = size[key];
    if (!Number.isInteger(v) || v < 50 || v > MAX_SIDE) {
      throw new ValidationError(`size.${key}`, `chart ${key} must be a whole number of pixels from 50 to ${MAX_SIDE}, got ${v}`);
    }
  }
  const ratio = size.pixelRatio ?? 1;
  if (!Number.isFinite(ratio) || ratio <= 0 || ratio > 4) {
    throw new ValidationError('size.pixelRatio', `pixel ratio must be a number in (0, 4], got ${ratio}`);
  }
}

/** An ISO date (or instant) as epoch ms in UTC; NaN when unparseable. */
function utcMillis(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Date.parse(iso);
}

/** Down to a round drawdown: whole percent above -5%, then 5% steps. */
function niceFloor(x: number): number {
  const step = x > -0.05 ? 0.01 : 0.05;
  return Math.floor(x / step - 1e-9) * step;
}

function compactNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(a >= 100 ? 0 : 2)}`;
}
