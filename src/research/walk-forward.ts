/**
 * Walk-forward analysis: split the period into windows; in each, sweep the grid on the training
 * bars, pick the best combination by a metric, and run it on the test bars that follow; then
 * stitch the test segments into one out-of-sample equity curve. Rolling windows slide the
 * training span; anchored ones keep its start and grow it. Test spans never overlap, and a
 * window's choice only ever sees bars before its test span.
 *
 * Accounting, so that the stitched trades agree with the stitched equity:
 * - each test segment trades the capital the previous one ended with (its own backtest, from cash);
 * - positions still open at a window's end are what the next segment starts without: those trades
 *   are closed at the window's last mark (its last close, no exit cost) for the statistics, and
 *   flagged `closedAtWindowEnd`; only the last window's open trades stay open at the end;
 * - so the trades' net P&L (closed and open) sums to the stitched equity's change, to rounding;
 * - turnover, exposure and the benchmark come from the test segments' bars, as in a backtest.
 *
 * Every combination tried on a training span is a trial of the family of that span (the trial
 * registry, src/backtest/trial-registry.ts): `trials` lists them for the store to record.
 */
import type { BacktestSpec } from '../backtest/backtest-spec.js';
import type { Trade } from '../backtest/engine.js';
import { computeMetrics, type BacktestMetrics } from '../backtest/metrics.js';
import { backtestOnPanel, type BacktestData, type BacktestOutcome, type TradeRecord } from '../backtest/run-backtest.js';
import { gridCombinations, scoreOf, type SweepGrid, type SweepSortKey } from '../backtest/sweep.js';
import { trialRun, type TrialRun } from '../backtest/trial-registry.js';
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

/** A trade of a test segment. */
export interface WalkForwardTrade extends TradeRecord {
  /** The window (`seq`) whose test segment traded it. */
  readonly window: number;
  /** Open at its window's end (not the last window's): closed there at the last mark for the statistics. */
  readonly closedAtWindowEnd: boolean;
}

export interface WalkForwardResult {
  readonly windows: readonly WalkForwardWindow[];
  /** The stitched out-of-sample curve: each test segment continues from the previous one's end. */
  readonly dates: Float64Array;
  readonly equity: Float64Array;
  /** Of the stitched curve: trades as the module doc says, turnover, exposure, benchmark. */
  readonly metrics: BacktestMetrics;
  readonly trades: readonly WalkForwardTrade[];
  /** How many trades were open at a window's end and closed at its last mark for the statistics. */
  readonly closedAtWindowEnd: number;
  /** Every combination run on every training span, as trials of that span's family. */
  readonly trials: readonly TrialRun[];
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
  const segments: BacktestOutcome[] = [];
  const trades: WalkForwardTrade[] = [];
  const trials: TrialRun[] = [];
  let capital = spec.initialCash;
  for (const [seq, [trainStart, trainEnd, testStart, testEnd]] of spans.entries()) {
    let best: { params: StrategyParams; metrics: BacktestMetrics; score: number } | undefined;
    for (const params of combos) {
      const train = backtestOnPanel({ ...spec, params, from: day(trainStart), to: day(trainEnd) }, data);
      trials.push(trialRun(train.spec, train, { source: 'walk-forward' }));
      const score = scoreOf(train.metrics, options.selectBy) ?? Number.NEGATIVE_INFINITY;
      if (!best || score > best.score) best = { params, metrics: train.metrics, score };
    }
    // The test segment trades what the previous one ended with.
    const test = backtestOnPanel({ ...spec, params: best!.params, from: day(testStart), to: day(testEnd), initialCash: capital }, data);
    capital = test.equity[test.equity.length - 1]!;
    segments.push(test);
    const lastWindow = seq === spans.length - 1;
    for (const t of test.trades) {
      const markedAtEnd = t.open && !lastWindow;
      trades.push({
        ...t,
        window: seq,
        closedAtWindowEnd: markedAtEnd,
        open: t.open && lastWindow,
        exit: t.exit ?? (markedAtEnd ? day(testEnd) : null),
      });
    }
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
  const joined = (field: 'dates' | 'equity' | 'traded' | 'grossExposure') => concat(segments.map((s) => s[field]));
  const stitchedDates = joined('dates');
  const equity = joined('equity');
  // The test spans tile the bars from the first test bar to the last: the benchmark's are those.
  const tested = (series: Float64Array) => series.slice(spans[0]![2], spans.at(-1)![3] + 1);
  const benchmark = spec.benchmark && data.benchmark ? { symbol: spec.benchmark, prices: tested(data.benchmark) } : undefined;
  const metrics = computeMetrics({
    interval: spec.interval,
    dates: stitchedDates,
    equity,
    initialCash: spec.initialCash,
    trades: trades.filter((t) => !t.open).map(engineTrade),
    openTrades: trades.filter((t) => t.open).map(engineTrade),
    traded: joined('traded'),
    grossExposure: joined('grossExposure'),
    ...(benchmark ? { benchmark } : {}),
    ...(data.riskFree ? { riskFreeReturns: tested(data.riskFree.returns) } : { riskFreeRate: spec.riskFreeRate }),
  });
  return {
    windows,
    dates: stitchedDates,
    equity,
    metrics,
    trades,
    closedAtWindowEnd: trades.filter((t) => t.closedAtWindowEnd).length,
    trials,
    dataFingerprint: data.fingerprint ?? panelFingerprint(data.panel),
    codeVersion: codeVersion(),
  };
}

/** The figures a trade's statistics read (its P&L and holding time), in the engine's shape. */
function engineTrade(t: TradeRecord): Trade {
  const { direction, maxShares, entryPrice, exitPrice, pnl, fees, pnlNet } = t;
  return { symbol: 0, entryBar: 0, exitBar: t.barsHeld, direction, maxShares, entryPrice, exitPrice, pnl, fees, pnlNet };
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

function validate(options: WalkForwardOptions): void {
  if (!Number.isInteger(options.trainBars) || options.trainBars < 2)
    throw new ValidationError('trainBars', `expected a whole number of bars, at least 2; got ${options.trainBars}`);
  if (!Number.isInteger(options.testBars) || options.testBars < 2)
    throw new ValidationError('testBars', `expected a whole number of bars, at least 2; got ${options.testBars}`);
}
