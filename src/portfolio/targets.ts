/**
 * A portfolio's targets as of a day: the strategy's latest weights on the data up to that day,
 * each holding described (name, asset class, the signal and the reason it was chosen, its latest
 * price), the tentative holding period, and the evidence behind the strategy. No money yet: the
 * lump-sum generator and the rebalancer turn these into shares and orders.
 *
 * Prices are raw closes (what a subscriber pays); signals use adjusted prices, as in backtests.
 * Only bars on or before the as-of day are loaded, so nothing later can leak in.
 */
import { parseBacktestSpec, type BacktestSpec } from '../backtest/backtest-spec.js';
import { getBacktest } from '../backtest/backtest-store.js';
import { loadBacktestData } from '../backtest/run-backtest.js';
import { dateToTs, formatBarTime, MS_PER_DAY, type AssetClass } from '../data/bar.js';
import { carryForwardValues, loadPanel } from '../data/panel.js';
import { getInstruments, symbolsWithBars } from '../data/price-store.js';
import type { Database } from '../db/database.js';
import { DataError, ValidationError } from '../errors.js';
import type { GateSet } from '../research/gate-set.js';
import { prepareStrategy } from '../strategies/registry.js';
import { trailingReturn } from '../strategies/indicators.js';
import { periodForecast } from '../strategies/momentum-forecast.js';
import { barsPerMonth, barsPerYear, type Strategy } from '../strategies/strategy.js';
import { parseCalendarDate } from '../util/calendar-date.js';
import { codeVersion } from '../util/code-version.js';
import { findMatchingBacktest, gatherEvidence, requireEvidence, type Evidence } from './evidence.js';
import type { PortfolioRequest } from './portfolio-spec.js';
import { strategySignal } from './strategy-signal.js';

/** One symbol's target: a weight and why, with its price, but no shares or money yet (ProposedHolding adds them). */
export interface TargetHolding {
  readonly symbol: string;
  readonly name: string | null;
  readonly assetClass: AssetClass | null;
  /** The strategy's target weight (after dropping shorts and scaling leverage down to 1). */
  readonly targetWeight: number;
  /** The strategy's signal at the signal date (NaN when it has none) and its rank among the universe (1 = highest). */
  readonly score: number;
  readonly rank: number | null;
  readonly reason: string;
  /** Latest raw close on or before the as-of day, and its date. */
  readonly price: number;
  readonly priceDate: string;
  /** Next month's return forecast for the MPO optimiser (shrunk 12-1 momentum; 0 without enough history). */
  readonly forecast: number;
}

export interface PortfolioTargets {
  readonly asOf: string;
  /** The last bar's date, and how many calendar days it lags the as-of day. */
  readonly dataAsOf: string;
  readonly dataAgeDays: number;
  /** The strategy's latest rebalance on or before the as-of day: the weights come from it. */
  readonly signalDate: string;
  readonly strategy: { readonly name: string; readonly title: string; readonly scoreLabel: string; readonly exitRule: string };
  readonly spec: BacktestSpec;
  /** Every symbol of the universe with data, its target (0 when not held) and price. */
  readonly universe: readonly TargetHolding[];
  /** The held ones, largest target first. */
  readonly holdings: readonly TargetHolding[];
  /** What the targets leave in cash. */
  readonly cashTarget: number;
  readonly holdingPeriod: { readonly until: string | null; readonly exitRule: string };
  readonly evidence: Evidence;
  readonly backtestId: number | null;
  readonly currency: string;
  readonly warnings: readonly string[];
  /** A plain statement when the strategy holds nothing (all cash); null otherwise. */
  readonly note: string | null;
  readonly dataFingerprint: string;
  readonly codeVersion: string;
}

export interface TargetOptions {
  /** The clock for the default as-of day. */
  readonly now?: () => Date;
  /** Gate set for a backtest without a verdict. */
  readonly gates: { readonly name: string; readonly set: GateSet };
}

/**
 * @example const targets = await portfolioTargets(db, parsePortfolioRequest({ strategy: 'xs-momentum', symbols, amount: 1e5 }), { gates })
 */
export async function portfolioTargets(db: Database, request: PortfolioRequest, options: TargetOptions): Promise<PortfolioTargets> {
  const asOf = request.asOf ?? (options.now?.() ?? new Date()).toISOString().slice(0, 10);
  parseCalendarDate(asOf, 'asOf');
  const base = await baseSpec(db, request);
  const spec = parseBacktestSpec({ ...base, symbols: [...base.symbols], to: asOf });
  const strategy = await prepareStrategy(spec.strategy);
  await requireKnownSymbols(db, spec.symbols);

  const describe = `${spec.strategy} with these hyperparameters on ${spec.universe ?? spec.symbols.join(', ')} (${spec.interval})`;
  const backtestId = request.backtestId ?? (await findMatchingBacktest(db, spec));
  const evidence = await gatherEvidence(db, { backtestId, ignoreGates: request.ignoreGates, gates: options.gates, describe });
  requireEvidence(evidence, describe);

  const data = await loadBacktestData(db, spec);
  const { panel } = data;
  const warnings = [...data.warnings];
  const last = panel.dates.length - 1;
  const dataAsOf = formatBarTime(panel.dates[last]!, spec.interval);
  const dataAgeDays = Math.floor((dateToTs(asOf) - dateToTs(dataAsOf.slice(0, 10))) / MS_PER_DAY);
  if (dataAgeDays > request.maxDataAgeDays) {
    const stale = `the latest ${spec.interval} bar is from ${dataAsOf}, ${dataAgeDays} days before ${asOf} (more than ${request.maxDataAgeDays})`;
    if (!request.allowStale) throw new DataError(`${stale}: ingest fresh data (momentum ingest), or pass --allow-stale (allowStale: true)`);
    warnings.push(`STALE DATA: ${stale}`);
  }

  const carried = carryForwardValues(panel.values);
  const signal = strategySignal(strategy, { ...panel, values: carried }, spec.params, asOf);
  if (signal.kind === 'shares') {
    throw new ValidationError(
      'strategy',
      `${strategy.name} sets share counts, not weights, so it cannot size a portfolio for an amount: choose a weight-based strategy (momentum strategies)`,
    );
  }
  if (signal.signalBar < 0)
    throw new DataError(`${strategy.name} has not rebalanced yet on the data up to ${asOf}: its lookback needs more history`);

  const prices = await latestCloses(db, panel.symbols, spec, warnings);
  const weights = cleanWeights(signal.weights, panel.symbols, warnings);
  const instruments = new Map((await getInstruments(db, panel.symbols)).map((i) => [i.symbol, i]));
  const currency = request.currency;
  const ranks = rank(signal.scores);
  const year = barsPerYear(spec.interval);
  const month = barsPerMonth(spec.interval);
  const momentum = carried.adj_close!.map((series) => trailingReturn(series, year, month)[last]!);
  const universe = panel.symbols.map((symbol, j): TargetHolding => {
    const info = instruments.get(symbol);
    const held = weights[j]! > 0;
    if (held && info?.currency && info.currency !== currency) {
      throw new ValidationError(
        'currency',
        `${symbol} is quoted in ${info.currency} but the portfolio is in ${currency}; no FX conversion is done: give --currency ${info.currency} or a universe quoted in ${currency}`,
      );
    }
    const price = prices.get(symbol);
    return {
      symbol,
      name: info?.name ?? null,
      assetClass: info?.asset_class ?? null,
      targetWeight: weights[j]!,
      score: signal.scores[j]!,
      rank: ranks[j]!,
      reason: held ? reasonFor(strategy, signal.scores[j]!, ranks[j]!, ranks.filter((r) => r !== null).length) : 'not selected',
      price: price?.price ?? Number.NaN,
      priceDate: price?.date ?? '',
      forecast: Number.isFinite(momentum[j]!) ? periodForecast(momentum[j]!, year - month, month) : 0,
    };
  });
  const holdings = universe
    .filter((h) => h.targetWeight > 0)
    .sort((a, b) => b.targetWeight - a.targetWeight || a.symbol.localeCompare(b.symbol));
  for (const h of holdings) {
    if (!(h.price > 0)) throw new DataError(`${h.symbol} has no price on or before ${asOf}: ingest it, or drop it from the universe`);
  }
  const invested = holdings.reduce((sum, h) => sum + h.targetWeight, 0);
  return {
    asOf,
    dataAsOf,
    dataAgeDays,
    signalDate: signal.signalDate,
    strategy: { name: strategy.name, title: strategy.title, scoreLabel: strategy.scoreLabel, exitRule: strategy.exitRule },
    spec,
    universe,
    holdings,
    cashTarget: Math.max(0, 1 - invested),
    holdingPeriod: { until: signal.nextRebalance, exitRule: strategy.exitRule },
    evidence,
    backtestId,
    currency,
    warnings,
    note:
      holdings.length === 0
        ? `${strategy.name} selects nothing on ${signal.signalDate} (its rule holds no position in ${spec.universe ?? 'this universe'} now): the portfolio is all cash`
        : null,
    dataFingerprint: data.fingerprint ?? '',
    codeVersion: codeVersion(),
  };
}

/** The strategy, params and universe of the request, or of the stored backtest it names. */
async function baseSpec(db: Database, request: PortfolioRequest) {
  if (request.backtestId === undefined) {
    return {
      strategy: request.strategy!,
      params: request.hyperparameters,
      universe: request.universe,
      symbols: request.symbols!,
      interval: request.interval,
    };
  }
  const stored = await getBacktest(db, request.backtestId);
  if (stored.role !== 'backtest') {
    throw new ValidationError(
      'backtestId',
      `${request.backtestId} is a ${stored.role} result, not a backtest: give the backtest it came from`,
    );
  }
  if (request.strategy !== undefined && request.strategy !== stored.spec.strategy) {
    throw new ValidationError(
      'strategy',
      `backtest ${stored.id} ran ${stored.spec.strategy}, not ${request.strategy}: give one of the two`,
    );
  }
  return {
    strategy: stored.spec.strategy,
    params: stored.spec.params,
    universe: stored.spec.universe,
    symbols: request.symbols ?? stored.symbols,
    interval: stored.spec.interval,
  };
}

/** Symbols the store has never heard of are an error (a typo), not a silent drop. */
async function requireKnownSymbols(db: Database, symbols: readonly string[]): Promise<void> {
  const known = new Set((await getInstruments(db, symbols)).map((i) => i.symbol));
  const withBars = await symbolsWithBars(db, symbols);
  const unknown = symbols.filter((s) => !known.has(s) && !withBars.has(s));
  if (unknown.length > 0) {
    throw new DataError(
      `unknown symbol${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: not in the price store; ingest first (momentum ingest) or fix the spelling`,
    );
  }
}

/** Latest raw close on or before the spec's `to`, per symbol. */
async function latestCloses(db: Database, symbols: readonly string[], spec: BacktestSpec, warnings: string[]) {
  const to = dateToTs(spec.to!) + MS_PER_DAY - 1;
  const panel = await loadPanel(db, { symbols, interval: spec.interval, to, field: 'close' });
  const lastBar = panel.dates[panel.dates.length - 1]!;
  const prices = new Map<string, { price: number; date: string }>();
  panel.symbols.forEach((symbol, j) => {
    const closes = panel.values.close[j]!;
    for (let t = closes.length - 1; t >= 0; t--) {
      if (closes[t]! > 0) {
        prices.set(symbol, { price: closes[t]!, date: formatBarTime(panel.dates[t]!, spec.interval) });
        if (t < panel.dates.length - 1 && (lastBar - panel.dates[t]!) / MS_PER_DAY > 7)
          warnings.push(`${symbol}'s latest price is from ${formatBarTime(panel.dates[t]!, spec.interval)}, older than the rest`);
        break;
      }
    }
  });
  return prices;
}

/** Long-only, at most fully invested: shorts dropped and leverage scaled down, each said in the warnings. */
function cleanWeights(weights: Float64Array, symbols: readonly string[], warnings: string[]): Float64Array {
  const clean = Float64Array.from(weights, (w) => (Number.isFinite(w) && w > 0 ? w : 0));
  const shorts = symbols.filter((_, j) => weights[j]! < 0);
  if (shorts.length > 0) warnings.push(`the strategy is short ${shorts.join(', ')}; model portfolios are long-only, so those are not held`);
  const sum = clean.reduce((a, b) => a + b, 0);
  if (sum > 1 + 1e-9) {
    warnings.push(`the strategy's weights sum to ${sum.toFixed(3)} (leverage); scaled down to 1`);
    for (let j = 0; j < clean.length; j++) clean[j] = clean[j]! / sum;
  }
  return clean;
}

/** Rank by score, highest first (1-based); null where there is no score. */
function rank(scores: Float64Array): (number | null)[] {
  const order = [...scores.keys()].filter((j) => Number.isFinite(scores[j]!)).sort((a, b) => scores[b]! - scores[a]!);
  const ranks: (number | null)[] = Array.from(scores, () => null);
  order.forEach((j, r) => (ranks[j] = r + 1));
  return ranks;
}

function reasonFor(strategy: Strategy, score: number, rank: number | null, ranked: number): string {
  if (!Number.isFinite(score)) return `held by ${strategy.name}'s rule`;
  const value = /return|momentum/i.test(strategy.scoreLabel) ? `${(score * 100).toFixed(1)}%` : score.toPrecision(4);
  return `${strategy.scoreLabel} ${value}${rank === null ? '' : `, rank ${rank} of ${ranked}`}`;
}
