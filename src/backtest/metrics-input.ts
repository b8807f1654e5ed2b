/**
 * What computeMetrics (metrics.ts) takes, and its checks at the API edge: a NaN metric must never be
 * stored silently, so NaN in the equity is an error here rather than a NaN passed through.
 */
import type { Interval } from '../data/bar.js';
import { ValidationError } from '../errors.js';
import type { Trade } from './engine.js';

export interface MetricsInput {
  readonly interval: Interval;
  /** Bar times, epoch ms (00:00 UTC for daily bars), strictly increasing. */
  readonly dates: Float64Array;
  /** Portfolio value at each bar's close. */
  readonly equity: Float64Array;
  /** Portfolio value before the first bar. */
  readonly initialCash: number;
  /** Closed round trips. */
  readonly trades: readonly Trade[];
  readonly openTrades?: readonly Trade[];
  /** Traded value per bar (EngineResult.traded). */
  readonly traded?: Float64Array;
  /** Sum of |position x close| per bar (EngineResult.grossExposure). */
  readonly grossExposure?: Float64Array;
  /** Adjusted closes on the same dates; NaN allowed before its first price only. */
  readonly benchmark?: { readonly symbol: string; readonly prices: Float64Array };
  readonly periodsPerYear?: number;
  /** Annual, e.g. 0.02: rf / periodsPerYear a bar. */
  readonly riskFreeRate?: number;
  /** Per-bar risk-free returns on the same bars (a T-bill fund's), instead of `riskFreeRate`. */
  readonly riskFreeReturns?: Float64Array;
  /** The first bar with a full signal (warm-up.ts), -1 for none in the period: reported as `warmUp`. */
  readonly fullSignalBar?: number;
}

/**
 * Throws a ValidationError naming the field unless: at least 2 bars, one date per bar (finite,
 * strictly increasing), initialCash > 0, finite equity/traded/grossExposure of the same length,
 * finite trade P&L, one risk-free source (finite per-bar returns, one per bar), benchmark prices NaN before its first price only and positive after it.
 * @example validateMetricsInput({ ...input, equity: Float64Array.of(100, NaN) }) // ValidationError "equity: has NaN at bar 1; ..."
 */
export function validateMetricsInput(input: MetricsInput): void {
  const { dates, equity, initialCash } = input;
  const n = equity.length;
  if (n < 2) throw new ValidationError('equity', `needs at least 2 bars, got ${n}`);
  if (dates.length !== n) throw new ValidationError('dates', `has ${dates.length} values but equity has ${n}; pass one date per bar`);
  if (!(initialCash > 0) || !Number.isFinite(initialCash))
    throw new ValidationError('initialCash', `must be a positive number, got ${initialCash}`);
  for (let t = 0; t < n; t++) {
    if (!Number.isFinite(dates[t]!)) throw new ValidationError('dates', `has ${dates[t]} at bar ${t}`);
    if (t > 0 && !(dates[t]! > dates[t - 1]!))
      throw new ValidationError('dates', `must increase strictly; bar ${t} is not after bar ${t - 1}`);
  }
  checkFinite('equity', equity, n);
  if (input.traded) checkFinite('traded', input.traded, n);
  if (input.grossExposure) checkFinite('grossExposure', input.grossExposure, n);
  if (input.periodsPerYear !== undefined && !(input.periodsPerYear > 0 && Number.isFinite(input.periodsPerYear))) {
    throw new ValidationError('periodsPerYear', `must be a positive number, got ${input.periodsPerYear}`);
  }
  if (input.riskFreeRate !== undefined && !Number.isFinite(input.riskFreeRate)) {
    throw new ValidationError('riskFreeRate', `must be a finite annual rate, got ${input.riskFreeRate}`);
  }
  if (input.fullSignalBar !== undefined && !(Number.isInteger(input.fullSignalBar) && input.fullSignalBar >= -1 && input.fullSignalBar < n))
    throw new ValidationError('fullSignalBar', `must be a bar index or -1, got ${input.fullSignalBar}`);
  if (input.riskFreeReturns) {
    if (input.riskFreeRate !== undefined) throw new ValidationError('riskFreeReturns', 'give riskFreeRate or riskFreeReturns, not both');
    checkFinite('riskFreeReturns', input.riskFreeReturns, n);
  }
  input.trades.forEach((trade, i) => {
    if (!Number.isFinite(trade.pnlNet))
      throw new ValidationError(`trades[${i}].pnlNet`, `is ${trade.pnlNet}; every closed trade needs a P&L`);
  });
  if (input.benchmark) checkBenchmark(input.benchmark.prices, n, input.benchmark.symbol);
}

function checkFinite(field: string, x: Float64Array, n: number): void {
  if (x.length !== n) throw new ValidationError(field, `has ${x.length} values but equity has ${n}; pass one per bar`);
  let bad = 0;
  while (bad < n && Number.isFinite(x[bad]!)) bad++;
  if (bad < n) throw new ValidationError(field, `has ${x[bad]} at bar ${bad}; metrics are never computed over missing values`);
}

function checkBenchmark(prices: Float64Array, n: number, symbol: string): void {
  const field = 'benchmark.prices';
  if (prices.length !== n)
    throw new ValidationError(field, `${symbol} has ${prices.length} prices but equity has ${n}; align it to the bar dates`);
  let started = false;
  for (let t = 0; t < n; t++) {
    const p = prices[t]!;
    if (Number.isNaN(p) && !started) continue;
    started = true;
    if (Number.isNaN(p))
      throw new ValidationError(field, `${symbol} has NaN at bar ${t} after its first price; carry the last price forward`);
    if (!(p > 0) || !Number.isFinite(p)) throw new ValidationError(field, `${symbol} has ${p} at bar ${t}; prices must be positive`);
  }
}
