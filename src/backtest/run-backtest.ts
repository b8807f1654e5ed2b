/**
 * One backtest: strategy targets -> engine -> metrics, on adjusted prices (fills at adjusted opens,
 * marks at adjusted closes, so splits and dividends create no fake P&L and dividends are
 * reinvested). The panel holds every bar up to `to` so lookbacks can warm up before `from`;
 * trading, the equity curve and the metrics start at the first bar on or after `from`. On a panel
 * mixing calendars the strategy sees a symbol's last price on bars it lacks, and its orders wait
 * for its next real bar.
 */
import { formatBarTime, MS_PER_DAY, type AssetClass } from '../data/bar.js';
import { extendFingerprint, panelFingerprint } from '../data/fingerprint.js';
import { carryForward, carryForwardValues, loadPanel, type Panel, type PanelField } from '../data/panel.js';
import { getInstruments } from '../data/price-store.js';
import { dataUsed, loadStrategyData, slicePointInTime, type DataUsed } from '../data/strategy-data.js';
import type { Database } from '../db/database.js';
import { DataError } from '../errors.js';
import { getStrategy, prepareStrategy, withStrategyCode } from '../strategies/registry.js';
import type { SignalMemo } from '../strategies/signal-memo.js';
import type { StrategyPanel, TargetSchedule } from '../strategies/strategy.js';
import { codeVersion } from '../util/code-version.js';
import { withLazy } from '../util/lazy-property.js';
import { engineOptionsOf, type BacktestSpec } from './backtest-spec.js';
import { priceRows, runEngine, type EngineResult, type PriceRows, type Trade } from './engine.js';
import { computeMetrics, type BacktestMetrics } from './metrics.js';
import { firstFullSignal } from './warm-up.js';
import { loadRiskFree, riskFreeWarnings, type RiskFreeSeries } from './risk-free.js';

/**
 * The engine's Trade as stored and shown: the symbol by name and the bars by date (the engine
 * counts both by index); its figures are the Trade's.
 */
export interface TradeRecord extends Omit<Trade, 'symbol' | 'entryBar' | 'exitBar'> {
  readonly symbol: string;
  readonly entry: string;
  /** null while open at the end. */
  readonly exit: string | null;
  readonly barsHeld: number;
  readonly open: boolean;
}

export interface BacktestOutcome {
  readonly spec: BacktestSpec;
  /** Symbols actually traded (symbols without any bar are dropped with a warning). */
  readonly symbols: readonly string[];
  /** Bar times of the trading period, with the series below. */
  readonly dates: Float64Array;
  readonly equity: Float64Array;
  readonly cash: Float64Array;
  readonly grossExposure: Float64Array;
  /** Value traded at each bar (sum of |shares x price|). */
  readonly traded: Float64Array;
  /** Buy-and-hold of the benchmark with the same capital from its first price (null without one; NaN before). */
  readonly benchmarkEquity: Float64Array | null;
  readonly trades: readonly TradeRecord[];
  readonly metrics: BacktestMetrics;
  readonly warnings: readonly string[];
  readonly dataFingerprint: string;
  /** The point-in-time data the strategy read besides prices (fields, as-of rule, lags, events), null for none; the fingerprint covers it. */
  readonly dataUsed: DataUsed | null;
  readonly codeVersion: string;
}

/** The panel a backtest needs, as loaded from the store (plus the benchmark's closes). */
export interface BacktestData {
  readonly panel: StrategyPanel;
  readonly benchmark?: Float64Array | undefined;
  /** Per-bar risk-free returns on the panel's bars, when the spec takes them from a symbol. */
  readonly riskFree?: RiskFreeSeries | undefined;
  readonly warnings: readonly string[];
  /** panelFingerprint(panel), computed once when the same panel serves many backtests (sweeps). */
  readonly fingerprint?: string;
}

/** Fields every backtest needs besides the strategy's own: fills at adjusted opens, marks at adjusted closes. */
const ENGINE_FIELDS: readonly PanelField[] = ['adj_open', 'adj_close'];

/** Loads the bars of a spec: all history up to `to` (warm-up), symbols without bars dropped with a warning. */
export async function loadBacktestData(db: Database, spec: BacktestSpec): Promise<BacktestData> {
  const strategy = getStrategy(spec.strategy);
  const fields = [...new Set([...ENGINE_FIELDS, ...strategy.fields])];
  // `to` is a date: include every bar of that day.
  const to = spec.to ? Date.parse(`${spec.to}T00:00:00Z`) + MS_PER_DAY - 1 : undefined;
  const full = await loadPanel(db, { symbols: spec.symbols, interval: spec.interval, to, field: fields });
  const warnings: string[] = [];
  const keep = full.symbols.map((_, j) => full.values.adj_close[j]!.some((v) => !Number.isNaN(v)));
  const dropped = full.symbols.filter((_, j) => !keep[j]);
  if (dropped.length > 0) warnings.push(`no ${spec.interval} bars for ${dropped.join(', ')}: dropped from the universe`);
  const panel = selectSymbols(full, keep);
  const instruments = new Map((await getInstruments(db, panel.symbols)).map((i) => [i.symbol, i.asset_class]));
  const assetClasses = panel.symbols.map((s) => (instruments.get(s) ?? null) as AssetClass | null);
  let benchmark: Float64Array | undefined;
  if (spec.benchmark) {
    const index = panel.symbols.indexOf(spec.benchmark);
    if (index >= 0) benchmark = carryForward(panel.values.adj_close[index]!);
    else {
      const other = await loadPanel(db, { symbols: [spec.benchmark], interval: spec.interval, to, field: 'adj_close' }).catch(
        () => undefined,
      );
      if (other) benchmark = alignTo(panel.dates, other.dates, other.values.adj_close[0]!);
      else warnings.push(`benchmark ${spec.benchmark} has no ${spec.interval} bars: no benchmark figures`);
    }
  }
  const riskFree = spec.riskFreeSymbol ? await loadRiskFree(db, spec.riskFreeSymbol, spec.interval, panel.dates) : undefined;
  const withData: StrategyPanel = { ...panel, assetClasses, ...(await loadStrategyData(db, strategy.data, panel)) };
  return { panel: withData, benchmark, riskFree, warnings, fingerprint: dataFingerprint(withData, riskFree) };
}

/**
 * The panel's fingerprint, extended by the risk-free returns when they come from a symbol and by the
 * point-in-time data the strategy read (so a re-run sees either change).
 */
function dataFingerprint(panel: StrategyPanel, riskFree: RiskFreeSeries | undefined): string {
  let fingerprint = panelFingerprint(panel);
  if (riskFree) fingerprint = extendFingerprint(fingerprint, `risk-free ${riskFree.symbol}`, riskFree.returns);
  const used = usedOf(panel);
  return used ? extendFingerprint(fingerprint, 'point-in-time data', used.fingerprint) : fingerprint;
}

const usedCache = new WeakMap<StrategyPanel, DataUsed | null>();

/** dataUsed(panel), computed once per panel (a sweep's combinations share it). */
function usedOf(panel: StrategyPanel): DataUsed | null {
  let used = usedCache.get(panel);
  if (used === undefined) usedCache.set(panel, (used = dataUsed(panel)));
  return used;
}

/**
 * Runs the backtest on loaded data; pure. A sweep passes `memo` (one per panel and spec period) so
 * that its combinations share their signal inputs; the figures are the same without it.
 * @example const outcome = backtestOnPanel(parseBacktestSpec({ strategy: 'ma-trend', symbols }), await loadBacktestData(db, spec))
 */
export function backtestOnPanel(spec: BacktestSpec, loaded: BacktestData, options: { readonly memo?: SignalMemo } = {}): BacktestOutcome {
  // The data may reach past `to` (a walk-forward loads once for many windows): use the bars up to it.
  const data = dataUpTo(loaded, endBar(loaded.panel.dates, spec.to));
  const { panel } = data;
  const strategy = getStrategy(spec.strategy);
  const start = startBar(panel.dates, spec.from);
  const bars = panel.dates.length;
  if (start >= bars - 1) {
    throw new DataError(
      `no ${spec.interval} bars to trade between ${spec.from ?? 'the start'} and ${spec.to ?? 'now'} for ${panel.symbols.join(', ')}`,
    );
  }
  const warnings = [
    ...data.warnings,
    ...cached(coverageCache, panel, start, () => coverageWarnings(panel, start, spec.interval)),
    ...riskFreeWarnings(data.riskFree, start),
  ];
  // Signals see each symbol's last price on bars it lacks (mixed calendars); fills still need a real bar.
  const signalPanel = cached(signalPanelCache, panel, 0, () => ({ ...panel, values: carryForwardValues(panel.values) }));
  const schedule = strategy.targets(signalPanel, spec.params, { start, ...(options.memo ? { memo: options.memo } : {}) });
  if (!spec.allowShort && hasShortTargets(schedule)) {
    warnings.push(`${spec.strategy} asked for short positions; shorting is off (allowShort), so they were not taken`);
  }
  const result = runEngine(
    {
      dates: panel.dates,
      symbols: panel.symbols,
      open: panel.values.adj_open!,
      close: panel.values.adj_close!,
      schedule: tradingFrom(schedule, start),
      rows: cached(rowsCache, panel, 0, () => priceRows(panel.values.adj_open!, panel.values.adj_close!)),
    },
    engineOptionsOf(spec),
  );
  const slice = (series: Float64Array) => series.slice(start);
  // The engine's fresh series need no copy when trading starts at bar 0 (a sweep's usual case).
  const own = (series: Float64Array) => (start === 0 ? series : series.slice(start));
  const dates = slice(panel.dates);
  const equity = own(result.equity);
  const metrics = computeMetrics({
    interval: spec.interval,
    dates,
    equity,
    initialCash: spec.initialCash,
    trades: result.trades,
    openTrades: result.openTrades,
    traded: own(result.traded),
    grossExposure: own(result.grossExposure),
    ...(data.benchmark && spec.benchmark ? { benchmark: { symbol: spec.benchmark, prices: slice(data.benchmark) } } : {}),
    ...(data.riskFree ? { riskFreeReturns: slice(data.riskFree.returns) } : { riskFreeRate: spec.riskFreeRate }),
    fullSignalBar: Math.max(-1, firstFullSignal(schedule, signalPanel.values.adj_close!, start) - start),
  });
  const outcome = {
    spec,
    symbols: panel.symbols,
    dates,
    equity,
    cash: own(result.cash),
    grossExposure: own(result.grossExposure),
    traded: own(result.traded),
    benchmarkEquity: data.benchmark && spec.benchmark ? heldFromFirstPrice(slice(data.benchmark), spec.initialCash) : null,
    metrics,
    warnings,
    dataFingerprint: data.fingerprint ?? dataFingerprint(panel, data.riskFree),
    dataUsed: usedOf(panel),
    codeVersion: withStrategyCode(codeVersion(), spec.strategy),
  };
  // Named and dated on first read: a sweep that does not store trades never reads them.
  return withLazy(outcome, 'trades', () => tradeRecords(result, panel));
}

/** Loads and runs. @example const outcome = await runBacktest(db, parseBacktestSpec({ strategy: 'xs-momentum', symbols })) */
export async function runBacktest(db: Database, spec: BacktestSpec): Promise<BacktestOutcome> {
  await prepareStrategy(spec.strategy);
  return backtestOnPanel(spec, await loadBacktestData(db, spec));
}

// A sweep runs many backtests on one panel: what depends only on the panel is computed once.
const signalPanelCache = new WeakMap<StrategyPanel, Map<number, StrategyPanel>>();
const coverageCache = new WeakMap<StrategyPanel, Map<number, string[]>>();
const dayCache = new WeakMap<StrategyPanel, Map<number, string[]>>();
const rowsCache = new WeakMap<StrategyPanel, Map<number, PriceRows>>();

function cached<T>(cache: WeakMap<StrategyPanel, Map<number, T>>, panel: StrategyPanel, key: number, compute: () => T): T {
  let byKey = cache.get(panel);
  if (!byKey) cache.set(panel, (byKey = new Map()));
  let value = byKey.get(key);
  if (value === undefined) byKey.set(key, (value = compute()));
  return value;
}

const truncatedCache = new WeakMap<BacktestData, Map<number, BacktestData>>();

/** The data up to and including bar `end` (views, no copies), with its own fingerprint. */
function dataUpTo(data: BacktestData, end: number): BacktestData {
  if (end >= data.panel.dates.length - 1) return data;
  let byEnd = truncatedCache.get(data);
  if (!byEnd) truncatedCache.set(data, (byEnd = new Map()));
  let truncated = byEnd.get(end);
  if (!truncated) {
    const cut = (series: Float64Array) => series.subarray(0, end + 1);
    const values = Object.fromEntries(Object.entries(data.panel.values).map(([field, columns]) => [field, columns!.map(cut)]));
    const panel: StrategyPanel = { ...data.panel, dates: cut(data.panel.dates), values, ...slicePointInTime(data.panel, 0, end + 1) };
    const riskFree = data.riskFree && { ...data.riskFree, returns: cut(data.riskFree.returns) };
    truncated = {
      ...data,
      panel,
      benchmark: data.benchmark ? cut(data.benchmark) : undefined,
      riskFree,
      fingerprint: dataFingerprint(panel, riskFree),
    };
    byEnd.set(end, truncated);
  }
  return truncated;
}

/** Last bar on or before the end of day `to` (the last bar without one). */
function endBar(dates: Float64Array, to: string | null): number {
  if (!to) return dates.length - 1;
  const limit = Date.parse(`${to}T00:00:00Z`) + MS_PER_DAY - 1;
  let end = dates.length - 1;
  while (end >= 0 && dates[end]! > limit) end--;
  return end;
}

function startBar(dates: Float64Array, from: string | null): number {
  if (!from) return 0;
  const ts = Date.parse(`${from}T00:00:00Z`);
  const index = dates.findIndex((t) => t >= ts);
  return index < 0 ? dates.length : index;
}

/** The schedule with every rebalance before `start` removed: warm-up bars never trade. */
function tradingFrom(schedule: TargetSchedule, start: number): TargetSchedule {
  if (start === 0) return schedule;
  const rebalance = schedule.rebalance.slice();
  rebalance.fill(0, 0, start);
  return { ...schedule, rebalance };
}

/** Whether a rebalance bar (the only rows the engine reads) asks for a short position. */
function hasShortTargets(schedule: TargetSchedule): boolean {
  const { targets, rebalance } = schedule;
  const n = targets.length / rebalance.length;
  for (let t = 0; t < rebalance.length; t++) {
    if (!rebalance[t]) continue;
    for (let i = t * n; i < (t + 1) * n; i++) if (targets[i]! < 0) return true;
  }
  return false;
}

function selectSymbols<F extends PanelField>(panel: Panel<F>, keep: readonly boolean[]): Panel<F> {
  const values = {} as Record<F, Float64Array[]>;
  for (const field of Object.keys(panel.values) as F[]) values[field] = panel.values[field].filter((_, j) => keep[j]);
  return { ...panel, symbols: panel.symbols.filter((_, j) => keep[j]), values };
}

/** Symbols that start late or have gaps inside the trading period are traded, and said so. */
function coverageWarnings(panel: StrategyPanel, start: number, interval: string): string[] {
  const warnings: string[] = [];
  panel.symbols.forEach((symbol, j) => {
    const close = panel.values.adj_close![j]!;
    let first = -1;
    let last = -1;
    for (let t = start; t < close.length; t++) {
      if (Number.isNaN(close[t]!)) continue;
      if (first < 0) first = t;
      last = t;
    }
    if (first < 0) {
      warnings.push(`${symbol} has no ${interval} bars in the trading period: never traded`);
      return;
    }
    if (first > start)
      warnings.push(`${symbol} starts ${formatBarTime(panel.dates[first]!, '1d')}, after the period start: traded from then on`);
    let gaps = 0;
    for (let t = first; t <= last; t++) if (Number.isNaN(close[t]!)) gaps++;
    if (gaps > 0) warnings.push(`${symbol} misses ${gaps} bar(s) inside its range: no fills on them, valued at its last close`);
    if (last < close.length - 1)
      warnings.push(
        `${symbol} ends ${formatBarTime(panel.dates[last]!, '1d')}, before the period end: held positions are valued at its last close`,
      );
  });
  return warnings;
}

/** Initial cash invested in the series at its first price and held. */
function heldFromFirstPrice(prices: Float64Array, cash: number): Float64Array {
  const first = prices.find((p) => !Number.isNaN(p));
  return Float64Array.from(prices, (p) => (first === undefined ? Number.NaN : (cash * p) / first));
}

/** The other series on these dates, its last price carried over bars it lacks (holidays differ across markets). */
export function alignTo(dates: Float64Array, otherDates: Float64Array, values: Float64Array): Float64Array {
  const byTime = new Map<number, number>();
  otherDates.forEach((t, i) => byTime.set(t, values[i]!));
  return carryForward(Float64Array.from(dates, (t) => byTime.get(t) ?? Number.NaN));
}

function tradeRecords(result: EngineResult, panel: StrategyPanel): TradeRecord[] {
  const days = cached(dayCache, panel, 0, () => Array.from(panel.dates, (t) => formatBarTime(t, panel.interval)));
  const day = (bar: number) => days[bar]!;
  const last = panel.dates.length - 1;
  return [...result.trades, ...result.openTrades].map((trade) => {
    const open = trade.exitBar < 0;
    return {
      symbol: panel.symbols[trade.symbol]!,
      direction: trade.direction,
      entry: day(trade.entryBar),
      exit: open ? null : day(trade.exitBar),
      maxShares: trade.maxShares,
      entryPrice: trade.entryPrice,
      exitPrice: trade.exitPrice,
      pnl: trade.pnl,
      fees: trade.fees,
      pnlNet: trade.pnlNet,
      barsHeld: (open ? last : trade.exitBar) - trade.entryBar,
      open,
    };
  });
}
