/**
 * Performance metrics of a backtest: one plain, JSON-serialisable object (numbers, strings, null;
 * never NaN or Infinity: a figure that is undefined is null). Definitions, with V_t the equity at
 * bar t's close, V_-1 = initialCash, n bars, ppy = periodsPerYear (default barsPerYear(interval)),
 * rf_t the risk-free return of bar t: riskFreeRate / ppy for an annual constant (default 0), or
 * the given per-bar returns of a T-bill series (riskFreeReturns):
 *
 * - years = (date_{n-1} - date_0) / 365.25 days.
 * - totalReturnPct = (V_{n-1} / initialCash - 1) x 100; cagr = (V_{n-1} / initialCash)^(1 / years) - 1.
 * - r_t = V_t / V_{t-1} - 1 for t = 0..n-1 (so r_0 is measured from the initial cash); x_t = r_t - rf_t.
 * - volatility = sampleStd(r) x sqrt(ppy), sample std with n - 1.
 * - sharpe = mean(x) / sampleStd(x) x sqrt(ppy) (with a constant rf, sampleStd(x) = sampleStd(r));
 *   null with constant returns (zero volatility, or within the relative tolerance of
 *   return-statistics.ts: rounding noise, not risk).
 * - sortino = mean(x) / DD x sqrt(ppy), DD = sqrt(sum(min(x, 0)^2) / n) over all n bars
 *   (quantstats; not the n - 1 or losing-bars-only variants); null when DD = 0.
 * - skewness g1 = m3 / m2^1.5, excessKurtosis g2 = m4 / m2^2 - 3, population moments
 *   (return-statistics.ts); null with zero variance.
 * - calmar = cagr / (max drawdown depth as a fraction); null without a drawdown.
 * - riskFreeRate = mean(rf) x ppy: the annual rate used (the constant itself, or the series' mean).
 * - Drawdown (drawdown.ts, from the initial capital): the deepest episode's peak, trough and recovery
 *   dates. A peak at the initial capital is bar -1 and reported with the first bar's date.
 *   durationBars = recovery bar (or n - 1 if not recovered) - peak bar; durationDays = calendar days
 *   from the reported start date to the recovery (or last) date. longestBars: the longest run of
 *   bars below the running peak, any episode. maxMoneydown: the largest loss in money, any episode.
 * - turnover = sum(traded) / mean(V) / years (two-sided, annualised: 2 = buying and selling the
 *   whole book once a year). timeInMarket = fraction of bars with grossExposure > 0;
 *   avgGrossExposure = mean(grossExposure_t / V_t).
 * - Benchmark (buy and hold from its first price, p_f): totalReturnPct = (p_{n-1} / p_f - 1) x 100,
 *   cagr over its own years (date_{n-1} - date_f), excessCagr = cagr - benchmark cagr. Its own
 *   volatility, sharpe, sortino, calmar and maxDrawdownPct are the strategy's formulas above (one
 *   function computes both) over its returns r_b,t = p_t / p_{t-1} - 1 for t > f and its drawdown
 *   from p_f. Over those bars (none at bar 0, whose r_0 comes from the initial cash), with excess
 *   returns x_t and y_t = r_b,t - rf_t: beta = cov(x, y) / var(y), alpha = (mean(x) - beta x
 *   mean(y)) x ppy (Jensen's), correlation = cov(r, r_b) / (std(r) std(r_b)), trackingError =
 *   std(r - r_b) x sqrt(ppy), informationRatio = mean(r - r_b) x ppy / trackingError.
 *
 * - Warm-up (when the first bar with a full signal is given, warm-up.ts): that bar's date (null when
 *   the signal is never full in the period), barsBefore = its index (n when never), daysBefore =
 *   calendar days from the first bar to it, cashBars = the bars before it with grossExposure 0 (the
 *   book in cash while the signal was incomplete).
 *
 * Returns after the equity reaches 0 or below are undefined, so the statistics built on them are null.
 */
import { formatBarTime, MS_PER_DAY, type Interval } from '../data/bar.js';
import { barsPerYear } from '../strategies/strategy.js';
import { drawdownStats } from './drawdown.js';
import { validateMetricsInput, type MetricsInput } from './metrics-input.js';
import { downsideDeviation, isConstantSpread, mean, sampleCovariance, sampleStd, shapeMoments } from './return-statistics.js';
import { tradeMetrics, type TradeMetrics } from './trade-statistics.js';

export type { MetricsInput } from './metrics-input.js';
export type { TradeMetrics } from './trade-statistics.js';

const MS_PER_YEAR = 365.25 * MS_PER_DAY;

export interface PeriodMetrics {
  /** ISO date (or instant for intraday intervals) of the first and last bar. */
  readonly start: string;
  readonly end: string;
  readonly bars: number;
  readonly years: number;
  readonly interval: Interval;
  readonly periodsPerYear: number;
}

/** Fractions unless the name ends in Pct; ratios are annualised. */
export interface ReturnMetrics {
  readonly totalReturnPct: number;
  readonly cagr: number | null;
  /** Mean per-bar simple return. */
  readonly meanReturn: number | null;
  readonly volatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  readonly skewness: number | null;
  readonly excessKurtosis: number | null;
  readonly riskFreeRate: number;
}

export interface DrawdownMetrics {
  /** Deepest drawdown, percent (25 = 25%); 0 when the equity never fell below its peak. */
  readonly maxDepthPct: number;
  readonly maxMoneydown: number;
  /** Dates of the deepest episode; null without a drawdown (recovery: also while not recovered). */
  readonly start: string | null;
  readonly trough: string | null;
  readonly recovery: string | null;
  readonly durationBars: number;
  readonly durationDays: number;
  readonly longestBars: number;
}

export interface ActivityMetrics {
  /** Null when `traded` was not given. */
  readonly turnover: number | null;
  /** Null when `grossExposure` was not given. */
  readonly timeInMarket: number | null;
  readonly avgGrossExposure: number | null;
}

export interface BenchmarkMetrics {
  readonly symbol: string;
  /** Date of its first price; null (and every figure null) when it has none in the period. */
  readonly start: string | null;
  readonly totalReturnPct: number | null;
  readonly cagr: number | null;
  readonly excessCagr: number | null;
  /** Its own figures, by the strategy's formulas (side by side with ReturnMetrics and DrawdownMetrics). */
  readonly volatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  /** Percent, as DrawdownMetrics.maxDepthPct. */
  readonly maxDrawdownPct: number | null;
  /** Bars with both returns, the sample of the figures below. */
  readonly pairedBars: number;
  readonly beta: number | null;
  readonly alpha: number | null;
  readonly correlation: number | null;
  readonly trackingError: number | null;
  readonly informationRatio: number | null;
}

export interface WarmUpMetrics {
  /** Date of the first bar with a full signal; null when it never came in the period. */
  readonly fullSignal: string | null;
  readonly barsBefore: number;
  readonly daysBefore: number | null;
  /** Bars before the full signal with nothing held. */
  readonly cashBars: number;
}

export interface BacktestMetrics {
  readonly period: PeriodMetrics;
  readonly returns: ReturnMetrics;
  readonly drawdown: DrawdownMetrics;
  readonly trades: TradeMetrics;
  readonly activity: ActivityMetrics;
  /** Null when no benchmark was given. */
  readonly benchmark: BenchmarkMetrics | null;
  /** Null when the full-signal bar was not given (and in results stored before it was reported). */
  readonly warmUp: WarmUpMetrics | null;
}

/**
 * Computes every metric above; throws a ValidationError naming the field on bad input.
 * @example
 * const m = computeMetrics({ interval: '1d', dates, equity: result.equity, initialCash: 1e6, trades: result.trades });
 * m.returns.sharpe // e.g. 0.84, or null for a flat equity
 */
export function computeMetrics(input: MetricsInput): BacktestMetrics {
  validateMetricsInput(input);
  const { dates, equity, initialCash, interval } = input;
  const n = equity.length;
  const ppy = input.periodsPerYear ?? barsPerYear(interval);
  const rf = input.riskFreeReturns ?? new Float64Array(n).fill((input.riskFreeRate ?? 0) / ppy);
  const years = (dates[n - 1]! - dates[0]!) / MS_PER_YEAR;
  const r = simpleReturns(equity, initialCash);
  const cagr = annualised(equity[n - 1]! / initialCash, years);
  const dd = drawdownStats(equity, initialCash);
  const risk = riskFigures(r, rf, cagr, dd.maxDepth, ppy);
  const day = (bar: number) => formatBarTime(dates[bar]!, interval);
  const hasDrawdown = dd.maxDepth > 0;
  const startBar = Math.max(dd.peak, 0);
  const endBar = dd.recovery >= 0 ? dd.recovery : n - 1;
  const shape = shapeMoments(r);
  return {
    period: { start: day(0), end: day(n - 1), bars: n, years, interval, periodsPerYear: ppy },
    returns: {
      totalReturnPct: (equity[n - 1]! / initialCash - 1) * 100,
      cagr: finite(cagr),
      meanReturn: finite(mean(r)),
      ...risk,
      skewness: finite(shape.skewness),
      excessKurtosis: finite(shape.excessKurtosis),
      riskFreeRate: input.riskFreeReturns ? mean(rf) * ppy : (input.riskFreeRate ?? 0),
    },
    drawdown: {
      maxDepthPct: dd.maxDepth * 100,
      maxMoneydown: dd.maxMoneydown,
      start: hasDrawdown ? day(startBar) : null,
      trough: hasDrawdown ? day(dd.trough) : null,
      recovery: hasDrawdown && dd.recovery >= 0 ? day(dd.recovery) : null,
      durationBars: hasDrawdown ? endBar - dd.peak : 0,
      durationDays: hasDrawdown ? (dates[endBar]! - dates[startBar]!) / MS_PER_DAY : 0,
      longestBars: dd.maxLength,
    },
    trades: tradeMetrics(input.trades, input.openTrades ?? []),
    activity: activityMetrics(input, years),
    benchmark: input.benchmark ? benchmarkMetrics(input.benchmark, input, { r, rf, cagr, ppy }) : null,
    warmUp: input.fullSignalBar === undefined ? null : warmUpMetrics(input.fullSignalBar, input),
  };
}

function warmUpMetrics(bar: number, input: MetricsInput): WarmUpMetrics {
  const { dates, grossExposure } = input;
  const before = bar < 0 ? dates.length : bar;
  let cashBars = 0;
  for (let t = 0; t < before; t++) if (!grossExposure || grossExposure[t] === 0) cashBars++;
  return {
    fullSignal: bar < 0 ? null : formatBarTime(dates[bar]!, input.interval),
    barsBefore: before,
    daysBefore: bar < 0 ? null : (dates[bar]! - dates[0]!) / MS_PER_DAY,
    cashBars,
  };
}

/**
 * Volatility, Sharpe, Sortino and Calmar of per-bar returns `r` over risk-free returns `rf` (the
 * strategy's, and the benchmark's by the same formulas); `maxDepth` is a fraction.
 */
/**
 * Sharpe of per-bar returns `r` with excess returns `excess` (r_t - rf_t), annualised; null for
 * constant returns. One definition for the metrics and the tearsheet's rolling windows.
 */
export function sharpeRatio(r: Float64Array, excess: Float64Array, ppy: number): number | null {
  return isConstantSpread(mean(r), sampleStd(r)) ? null : ratio(mean(excess), sampleStd(excess), Math.sqrt(ppy));
}

/** Beta of excess returns x on the benchmark's excess returns y: cov(x, y) / var(y). */
export function excessBeta(xExcess: Float64Array, yExcess: Float64Array): number {
  return sampleCovariance(xExcess, yExcess) / sampleCovariance(yExcess, yExcess);
}

function riskFigures(r: Float64Array, rf: Float64Array, cagr: number, maxDepth: number, ppy: number) {
  const excess = new Float64Array(r.length);
  for (let t = 0; t < r.length; t++) excess[t] = r[t]! - rf[t]!;
  const std = sampleStd(r);
  return {
    volatility: finite(std * Math.sqrt(ppy)),
    sharpe: sharpeRatio(r, excess, ppy),
    sortino: ratio(mean(excess), downsideDeviation(excess), Math.sqrt(ppy)),
    calmar: maxDepth > 0 ? finite(cagr / maxDepth) : null,
  };
}

/** r_t = V_t / V_{t-1} - 1 with V_-1 = initial; NaN once the previous value is 0 or below. */
function simpleReturns(equity: Float64Array, initial: number): Float64Array {
  const r = new Float64Array(equity.length);
  let previous = initial;
  for (let t = 0; t < equity.length; t++) {
    r[t] = previous > 0 ? equity[t]! / previous - 1 : Number.NaN;
    previous = equity[t]!;
  }
  return r;
}

/** growth^(1 / years) - 1; NaN for a negative growth or zero years. */
function annualised(growth: number, years: number): number {
  return years > 0 && growth >= 0 ? growth ** (1 / years) - 1 : Number.NaN;
}

function activityMetrics(input: MetricsInput, years: number): ActivityMetrics {
  const { equity, traded, grossExposure: gross } = input;
  const meanEquity = mean(equity);
  // Plain loops (a sweep computes these per combination), summing in the same order as reduce and mean.
  let tradedSum = 0;
  if (traded) for (let t = 0; t < traded.length; t++) tradedSum += traded[t]!;
  const turnover = traded && meanEquity > 0 ? finite(tradedSum / meanEquity / years) : null;
  if (!gross) return { turnover, timeInMarket: null, avgGrossExposure: null };
  let inMarket = 0;
  const exposure = new Float64Array(gross.length);
  for (let t = 0; t < gross.length; t++) {
    if (gross[t]! > 0) inMarket++;
    exposure[t] = gross[t]! / equity[t]!;
  }
  return { turnover, timeInMarket: inMarket / gross.length, avgGrossExposure: finite(mean(exposure)) };
}

function benchmarkMetrics(
  benchmark: NonNullable<MetricsInput['benchmark']>,
  input: MetricsInput,
  own: { r: Float64Array; rf: Float64Array; cagr: number; ppy: number },
): BenchmarkMetrics {
  const { prices } = benchmark;
  const { dates } = input;
  const { r, rf, ppy } = own;
  const n = prices.length;
  const first = prices.findIndex((p) => !Number.isNaN(p));
  if (first < 0) {
    const none = { totalReturnPct: null, cagr: null, excessCagr: null, beta: null, alpha: null, correlation: null };
    const risk = { volatility: null, sharpe: null, sortino: null, calmar: null, maxDrawdownPct: null };
    return { symbol: benchmark.symbol, start: null, pairedBars: 0, ...none, ...risk, trackingError: null, informationRatio: null };
  }
  const growth = prices[n - 1]! / prices[first]!;
  const benchmarkCagr = annualised(growth, (dates[n - 1]! - dates[first]!) / MS_PER_YEAR);
  // Prices are validated gap-free after the first, so the pairs are the bars after it.
  const from = first + 1;
  const x = r.slice(from);
  const y = new Float64Array(n - from).map((_, i) => prices[from + i]! / prices[from + i - 1]! - 1);
  const rfPaired = rf.slice(from);
  const xExcess = x.map((v, i) => v - rfPaired[i]!);
  const yExcess = y.map((v, i) => v - rfPaired[i]!);
  const active = x.map((v, i) => v - y[i]!);
  const beta = excessBeta(xExcess, yExcess);
  const trackingError = sampleStd(active) * Math.sqrt(ppy);
  const depth = drawdownStats(prices.subarray(first), prices[first]!).maxDepth;
  return {
    symbol: benchmark.symbol,
    start: formatBarTime(dates[first]!, input.interval),
    totalReturnPct: (growth - 1) * 100,
    cagr: finite(benchmarkCagr),
    excessCagr: finite(own.cagr - benchmarkCagr),
    ...riskFigures(y, rfPaired, benchmarkCagr, depth, ppy),
    maxDrawdownPct: finite(depth * 100),
    pairedBars: x.length,
    beta: finite(beta),
    alpha: finite((mean(xExcess) - beta * mean(yExcess)) * ppy),
    correlation: finite(sampleCovariance(x, y) / (sampleStd(x) * sampleStd(y))),
    trackingError: finite(trackingError),
    informationRatio: ratio(mean(active) * ppy, trackingError, 1),
  };
}

/** numerator / denominator x scale, null when the denominator is 0 or anything is not finite. */
function ratio(numerator: number, denominator: number, scale: number): number | null {
  return denominator > 0 ? finite((numerator / denominator) * scale) : null;
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
