/**
 * Walk-forward analysis: split the period into windows; in each, sweep the grid on the training
 * bars, pick the best combination by a metric, and run it on the test bars that follow; then
 * stitch the test segments into one out-of-sample equity curve. Rolling windows slide the
 * training span; anchored ones keep its start and grow it. Test spans never overlap, and a
 * window's choice only ever sees bars before its test span.
 */
import type { BacktestSpec } from '../backtest/backtest-spec.js';
import type { Trade } from '../backtest/engine.js';
import { computeMetrics, type BacktestMetrics } from '../backtest/metrics.js';
import { backtestOnPanel, type BacktestData } from '../backtest/run-backtest.js';
import { gridCombinations, type SweepGrid, type SweepSortKey } from '../backtest/sweep.js';
import { formatBarTime } from '../data/bar.js';
import { panelFingerprint } from '../data/fingerprint.js';
import { ValidationError } from '../errors.js';
import { getStrategy } from '../strategies/registry.js';
import { resolveParams, type StrategyParams } from '../strategies/strategy.js';
import { codeVersion } from '../util/code-version.js';

export interface WalkForwardOptions {
  readonly grid: SweepGrid;
  /** Bars in each training span (the first one with `anchored`). */
  readonly trainBars: number;
  /** Bars in each test span; windows advance by this much. */
  readonly testBars: number;
  readonly mode: 'rolling' | 'anchored';
  /** The in-sample metric that picks the combination. */
  readonly selectBy: SweepSortKey;
}

export interface WindowFigures {
  readonly sharpe: number | null;
  readonly cagr: number | null;
  readonly totalReturnPct: number;
  readonly maxDrawdownPct: number;
  readonly trades: number;
}

export interface WalkForwardWindow {
  readonly seq: number;
  readonly trainFrom: string;
  readonly trainTo: string;
  readonly testFrom: string;
  readonly testTo: string;
  readonly chosen: StrategyParams;
  /** The chosen combination's training figures, and the value of the selection metric. */
  readonly inSample: WindowFigures & { readonly score: number | null };
  readonly outOfSample: WindowFigures;
}

export interface WalkForwardResult {
  readonly windows: readonly WalkForwardWindow[];
  /** The stitched out-of-sample curve: each test segment continues from the previous one's end. */
  readonly dates: Float64Array;
  readonly equity: Float64Array;
  readonly metrics: BacktestMetrics;
  readonly dataFingerprint: string;
  readonly codeVersion: string;
}

function figures(m: BacktestMetrics): WindowFigures {
  return {
    sharpe: m.returns.sharpe,
    cagr: m.returns.cagr,
    totalReturnPct: m.returns.totalReturnPct,
    maxDrawdownPct: m.drawdown.maxDepthPct,
    trades: m.trades.closed,
  };
}

export function scoreOf(m: BacktestMetrics, key: SweepSortKey): number | null {
  switch (key) {
    case 'sharpe':
      return m.returns.sharpe;
    case 'cagr':
      return m.returns.cagr;
    case 'sortino':
      return m.returns.sortino;
    case 'calmar':
      return m.returns.calmar;
    case 'total-return':
      return m.returns.totalReturnPct;
  }
}

/** [train start, train end, test start, test end] bar indices of each window. */
export function windowBars(
  first: number,
  last: number,
  options: Pick<WalkForwardOptions, 'trainBars' | 'testBars' | 'mode'>,
): [number, number, number, number][] {
  const windows: [number, number, number, number][] = [];
  for (let testStart = first + options.trainBars; testStart <= last; testStart += options.testBars) {
    const trainStart = options.mode === 'anchored' ? first : testStart - options.trainBars;
    windows.push([trainStart, testStart - 1, testStart, Math.min(last, testStart + options.testBars - 1)]);
  }
  return windows;
}

/**
 * Runs the analysis on loaded data (pure). The spec's `from`/`to` bound the whole analysis.
 * @example walkForwardOnData(spec, await loadBacktestData(db, spec), { grid: { lookback: [63, 252] }, trainBars: 756, testBars: 252, mode: 'rolling', selectBy: 'sharpe' })
 */
export function walkForwardOnData(spec: BacktestSpec, data: BacktestData, options: WalkForwardOptions): WalkForwardResult {
  validate(options);
  const strategy = getStrategy(spec.strategy);
  const combos = gridCombinations(options.grid).map((combo) => resolveParams(strategy, spec.interval, { ...spec.params, ...combo }));
  const dates = data.panel.dates;
  const first = spec.from ? dates.findIndex((t) => t >= Date.parse(`${spec.from}T00:00:00Z`)) : 0;
  const toLimit = spec.to ? Date.parse(`${spec.to}T00:00:00Z`) + 86_399_999 : Infinity;
  let last = dates.length - 1;
  while (last >= 0 && dates[last]! > toLimit) last--;
  const spans = first < 0 ? [] : windowBars(first, last, options);
  if (spans.length === 0) {
    throw new ValidationError(
      'trainBars',
      `no complete window: ${options.trainBars} training bars leave no test bars in the ${Math.max(0, last - Math.max(first, 0) + 1)} bars of the period; shorten the training span or lengthen the period`,
    );
  }
  const day = (bar: number) => formatBarTime(dates[bar]!, spec.interval);
  const windows: WalkForwardWindow[] = [];
  const segments: { dates: Float64Array; growth: Float64Array; trades: Trade[] }[] = [];
  for (const [seq, [trainStart, trainEnd, testStart, testEnd]] of spans.entries()) {
    let best: { params: StrategyParams; metrics: BacktestMetrics; score: number } | undefined;
    for (const params of combos) {
      const metrics = backtestOnPanel({ ...spec, params, from: day(trainStart), to: day(trainEnd) }, data).metrics;
      const score = scoreOf(metrics, options.selectBy) ?? Number.NEGATIVE_INFINITY;
      if (!best || score > best.score) best = { params, metrics, score };
    }
    const test = backtestOnPanel({ ...spec, params: best!.params, from: day(testStart), to: day(testEnd) }, data);
    segments.push({
      dates: test.dates,
      growth: test.equity.map((v) => v / spec.initialCash),
      // Closed trades for the trade figures (only their P&L and holding time are read).
      trades: test.trades
        .filter((t) => !t.open)
        .map((t) => ({
          symbol: 0,
          entryBar: 0,
          exitBar: t.barsHeld,
          direction: t.direction,
          maxShares: t.maxShares,
          entryPrice: t.entryPrice,
          exitPrice: t.exitPrice,
          pnl: t.pnl,
          fees: t.fees,
          pnlNet: t.pnlNet,
        })),
    });
    windows.push({
      seq,
      trainFrom: day(trainStart),
      trainTo: day(trainEnd),
      testFrom: day(testStart),
      testTo: day(testEnd),
      chosen: best!.params,
      inSample: { ...figures(best!.metrics), score: Number.isFinite(best!.score) ? best!.score : null },
      outOfSample: figures(test.metrics),
    });
  }
  const stitched = stitch(segments, spec.initialCash);
  const metrics = computeMetrics({
    interval: spec.interval,
    dates: stitched.dates,
    equity: stitched.equity,
    initialCash: spec.initialCash,
    trades: segments.flatMap((s) => s.trades),
  });
  return {
    windows,
    dates: stitched.dates,
    equity: stitched.equity,
    metrics,
    dataFingerprint: data.fingerprint ?? panelFingerprint(data.panel),
    codeVersion: codeVersion(),
  };
}

/** Chains the test segments: each starts from the capital the previous one ended with. */
function stitch(
  segments: readonly { dates: Float64Array; growth: Float64Array }[],
  initialCash: number,
): { dates: Float64Array; equity: Float64Array } {
  const total = segments.reduce((n, s) => n + s.dates.length, 0);
  const dates = new Float64Array(total);
  const equity = new Float64Array(total);
  let at = 0;
  let capital = initialCash;
  for (const segment of segments) {
    dates.set(segment.dates, at);
    for (let i = 0; i < segment.growth.length; i++) equity[at + i] = capital * segment.growth[i]!;
    at += segment.dates.length;
    capital = equity[at - 1]!;
  }
  return { dates, equity };
}

function validate(options: WalkForwardOptions): void {
  if (!Number.isInteger(options.trainBars) || options.trainBars < 2)
    throw new ValidationError('trainBars', `expected a whole number of bars, at least 2; got ${options.trainBars}`);
  if (!Number.isInteger(options.testBars) || options.testBars < 2)
    throw new ValidationError('testBars', `expected a whole number of bars, at least 2; got ${options.testBars}`);
}
