/**
 * A sweep's combinations seen as a grid: which parameters were swept, any metric by two of them
 * (the heatmap; the other swept parameters fixed at a value or aggregated, and the chart says
 * which), and the figures of every combination. Pure: the rows come from the stored backtests
 * (render-sweep.ts reads them); only per-combination metrics are used, never equity curves.
 */
import type { BacktestMetrics } from '../backtest/metrics.js';
import { ValidationError } from '../errors.js';
import type { ParamValue } from '../strategies/strategy.js';
import { formatNumber, formatPercent } from './report-format.js';

/** One combination of a sweep: its stored backtest, parameters and metrics. */
export interface SweepRow {
  readonly backtestId: number;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly metrics: BacktestMetrics;
}

/** How a metric is written: a fraction shown as a percent, a ratio, or a count. */
export type MetricUnit = 'percent' | 'ratio' | 'count';

export interface SweepMetric {
  readonly label: string;
  /** A short heading for a table column. */
  readonly column: string;
  readonly unit: MetricUnit;
  /** Higher is better for every metric here (a drawdown is a negative fraction), so "max" is the best. */
  readonly of: (m: BacktestMetrics) => number | null;
}

export const SWEEP_METRICS = {
  sharpe: { label: 'Sharpe ratio', column: 'Sharpe', unit: 'ratio', of: (m) => m.returns.sharpe },
  sortino: { label: 'Sortino ratio', column: 'Sortino', unit: 'ratio', of: (m) => m.returns.sortino },
  calmar: { label: 'Calmar ratio', column: 'Calmar', unit: 'ratio', of: (m) => m.returns.calmar },
  cagr: { label: 'CAGR', column: 'CAGR', unit: 'percent', of: (m) => m.returns.cagr },
  'total-return': { label: 'total return', column: 'return', unit: 'percent', of: (m) => m.returns.totalReturnPct / 100 },
  volatility: { label: 'volatility (annualised)', column: 'volatility', unit: 'percent', of: (m) => m.returns.volatility },
  'max-drawdown': { label: 'max drawdown', column: 'max DD', unit: 'percent', of: (m) => -m.drawdown.maxDepthPct / 100 },
  'win-rate': { label: 'win rate', column: 'win rate', unit: 'percent', of: (m) => m.trades.winRate },
  'profit-factor': { label: 'profit factor', column: 'profit factor', unit: 'ratio', of: (m) => m.trades.profitFactor },
  trades: { label: 'closed trades', column: 'trades', unit: 'count', of: (m) => m.trades.closed },
  turnover: { label: 'turnover (annualised, x equity)', column: 'turnover', unit: 'ratio', of: (m) => m.activity.turnover },
  'time-in-market': { label: 'time in market', column: 'in market', unit: 'percent', of: (m) => m.activity.timeInMarket },
} as const satisfies Record<string, SweepMetric>;

export type SweepMetricKey = keyof typeof SWEEP_METRICS;
export const SWEEP_METRIC_KEYS = Object.keys(SWEEP_METRICS) as SweepMetricKey[];

export const AGGREGATES = ['mean', 'median', 'max', 'min'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

/** A metric's value as the tables write it: percents to 2 decimals with %, ratios to 2, counts whole. */
export function formatMetric(unit: MetricUnit, x: number | null | undefined): string {
  if (unit === 'percent') return formatPercent(x, 2);
  return formatNumber(x, unit === 'count' ? 0 : 2);
}

/** @example metricOf('sharpe') // SWEEP_METRICS.sharpe; unknown names are refused with the list */
export function metricOf(key: string): SweepMetric {
  if (!(key in SWEEP_METRICS)) throw new ValidationError('metric', `unknown metric "${key}": one of ${SWEEP_METRIC_KEYS.join(', ')}`);
  return SWEEP_METRICS[key as SweepMetricKey];
}

/** Numbers ascending, then text, then booleans (false first). */
export function compareValues(a: ParamValue, b: ParamValue): number {
  const rank = (v: ParamValue) => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/** The distinct values of a parameter across the rows, in order. */
export function paramValues(rows: readonly SweepRow[], param: string): ParamValue[] {
  const values = new Map<string, ParamValue>();
  for (const row of rows) {
    const v = row.params[param];
    if (v !== undefined) values.set(JSON.stringify(v), v);
  }
  return [...values.values()].sort(compareValues);
}

/**
 * The parameters that take more than one value across the sweep, in the order the first row
 * names them. @example sweptParams(rows) // ['lookback', 'skip', 'topPct']
 */
export function sweptParams(rows: readonly SweepRow[]): string[] {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.params)))];
  return keys.filter((k) => paramValues(rows, k).length > 1);
}

export interface HeatmapOptions {
  readonly metric?: string;
  /** Default: the first two swept parameters not fixed. */
  readonly x?: string;
  readonly y?: string;
  /** How the combinations sharing a cell (the other swept parameters) become one value; default mean. */
  readonly aggregate?: Aggregate;
  /** Other swept parameters held at one value (only those combinations count). */
  readonly fixed?: Readonly<Record<string, ParamValue>>;
}

export interface SweepHeatmap {
  readonly metric: SweepMetricKey;
  readonly x: { readonly param: string; readonly values: readonly ParamValue[] };
  /** Null when the sweep varied one parameter only: a single row. */
  readonly y: { readonly param: string; readonly values: readonly ParamValue[] } | null;
  /** z[row][column]: the metric (a fraction for percents), null where no combination has a value. */
  readonly z: readonly (readonly (number | null)[])[];
  /** How many combinations each cell aggregates. */
  readonly counts: readonly (readonly number[])[];
  readonly aggregate: Aggregate;
  readonly fixed: Readonly<Record<string, ParamValue>>;
  /** The swept parameters neither on an axis nor fixed: each cell aggregates over them. */
  readonly over: readonly string[];
  /** What a cell is, in words: "mean over skip (2 values)", "skip = 21", "one combination". */
  readonly description: string;
}

/**
 * The heatmap of a metric over two swept parameters.
 * @example sweepHeatmap(rows, { metric: 'sharpe', x: 'lookback', y: 'topPct', aggregate: 'max' }).z
 */
export function sweepHeatmap(rows: readonly SweepRow[], options: HeatmapOptions = {}): SweepHeatmap {
  const metric = (options.metric ?? 'sharpe') as SweepMetricKey;
  const { of } = metricOf(metric);
  const swept = sweptParams(rows);
  const known = new Set(rows.flatMap((r) => Object.keys(r.params)));
  const fixed = options.fixed ?? {};
  // Default axes: the swept parameters not held fixed, in order.
  const free = swept.filter((p) => !(p in fixed));
  const xParam = options.x ?? free.find((p) => p !== options.y);
  if (xParam === undefined) throw new ValidationError('x', 'the sweep varied no parameter: nothing to map');
  const yParam = options.y ?? free.find((p) => p !== xParam);
  for (const [field, param] of [
    ['x', xParam],
    ['y', yParam],
  ] as const) {
    if (param !== undefined && !known.has(param))
      throw new ValidationError(field, `"${param}" is not a parameter of the sweep: one of ${[...known].join(', ')}`);
  }
  if (xParam === yParam) throw new ValidationError('y', `x and y are both "${xParam}": name two different parameters`);
  for (const [param, value] of Object.entries(fixed)) {
    if (param === xParam || param === yParam) throw new ValidationError('fix', `"${param}" is on an axis: it cannot also be fixed`);
    if (!paramValues(rows, param).some((v) => v === value))
      throw new ValidationError(
        'fix',
        `the sweep has no combination with ${param}=${String(value)}: its values are ${paramValues(rows, param).join(', ')}`,
      );
  }
  const selected = rows.filter((r) => Object.entries(fixed).every(([k, v]) => r.params[k] === v));
  const xValues = paramValues(rows, xParam);
  const yValues: (ParamValue | null)[] = yParam === undefined ? [null] : paramValues(rows, yParam);
  const cells = yValues.map(() => xValues.map((): number[] => []));
  const counts = yValues.map(() => xValues.map(() => 0));
  for (const row of selected) {
    const xi = xValues.indexOf(row.params[xParam]!);
    const yi = yParam === undefined ? 0 : yValues.indexOf(row.params[yParam]!);
    if (xi < 0 || yi < 0) continue;
    counts[yi]![xi]!++;
    const value = of(row.metrics);
    if (value !== null && Number.isFinite(value)) cells[yi]![xi]!.push(value);
  }
  const aggregate = options.aggregate ?? 'mean';
  const over = swept.filter((p) => p !== xParam && p !== yParam && !(p in fixed));
  return {
    metric,
    x: { param: xParam, values: xValues },
    y: yParam === undefined ? null : { param: yParam, values: yValues as ParamValue[] },
    z: cells.map((row) => row.map((values) => aggregateOf(aggregate, values))),
    counts,
    aggregate,
    fixed,
    over,
    description: describeCell(rows, aggregate, fixed, over),
  };
}

function describeCell(
  rows: readonly SweepRow[],
  aggregate: Aggregate,
  fixed: Readonly<Record<string, ParamValue>>,
  over: readonly string[],
): string {
  const parts = Object.entries(fixed).map(([k, v]) => `${k} = ${String(v)}`);
  if (over.length > 0) parts.push(`${aggregate} over ${over.map((p) => `${p} (${paramValues(rows, p).length} values)`).join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : 'each cell is one combination';
}

/** @example aggregateOf('median', [3, 1, 2]) // 2; null for no values */
export function aggregateOf(aggregate: Aggregate, values: readonly number[]): number | null {
  if (values.length === 0) return null;
  if (aggregate === 'max') return Math.max(...values);
  if (aggregate === 'min') return Math.min(...values);
  if (aggregate === 'mean') return values.reduce((a, b) => a + b, 0) / values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The rows best first by a metric; those without a value last, then by backtest id. */
export function rankRows(rows: readonly SweepRow[], metric: SweepMetricKey): SweepRow[] {
  const { of } = SWEEP_METRICS[metric];
  const score = (r: SweepRow) => of(r.metrics) ?? Number.NEGATIVE_INFINITY;
  return [...rows].sort((a, b) => score(b) - score(a) || a.backtestId - b.backtestId);
}
