/**
 * A portfolio's monitor state on an as-of date, put together from its value path, the freshness
 * of its data and the exit checks. Pure: everything is loaded before (monitor-store.ts).
 */
import { dateToTs, formatBarTime, type Interval } from '../data/bar.js';
import type { CorporateAction } from '../data/corporate-action.js';
import type { DividendPolicy } from '../portfolio/ledger.js';
import { symbolAge, type SymbolAge } from './data-age.js';
import { strategyVerdict, trailingStopHit, type StrategyVerdict, type StrategyView } from './exit-criteria.js';
import { defaultStaleDays, type MonitorSettings } from './monitor-options.js';
import type { MonitoredRebalance, PortfolioPath, PriceTable } from './value-path.js';
import { portfolioPath } from './value-path.js';
import { weightDrift, type WeightDrift } from './weight-drift.js';

export interface MonitoredPortfolio {
  readonly id: number;
  readonly name: string;
  readonly strategy: string;
  readonly interval: Interval;
  readonly currency: string;
  /** The portfolio's own data-age limit in days (null: the interval's default). */
  readonly maxDataAgeDays?: number | null;
  /** What dividends do: credited to cash (default) or reinvested. */
  readonly dividends?: DividendPolicy;
}

export interface PositionState {
  readonly symbol: string;
  readonly shares: number;
  /** The rebalance that first bought it in the current spell, and the price paid then (in today's shares, after splits). */
  readonly entryDate: string;
  readonly entryPrice: number;
  /** The mark: last close (basis 'close') and the date of its bar; null date: no bar since the rebalance. */
  readonly price: number;
  readonly priceDate: string | null;
  readonly value: number;
  readonly weight: number;
  readonly targetWeight: number;
  /** weight - targetWeight */
  readonly drift: number;
  /** The position's price at its peak since entry (in today's shares), the date, and the drawdown from it (<= 0). */
  readonly peakPrice: number;
  readonly peakDate: string;
  readonly drawdown: number;
  readonly lastBarDate: string | null;
  readonly ageDays: number | null;
  readonly stale: boolean;
  readonly missing: boolean;
  /** Would the strategy, run up to the last bar, still hold it; with its target weight and score there. */
  readonly strategy: { readonly verdict: StrategyVerdict; readonly targetWeight: number | null; readonly score: number | null };
  /** The trailing stop's level (a fraction below the peak) and whether it is hit; null when no stop is set. */
  readonly trailingStop: { readonly stop: number; readonly hit: boolean } | null;
}

export interface ExitSignal {
  readonly symbol: string;
  readonly rule: 'strategy' | 'trailing-stop';
  readonly message: string;
}

export interface PortfolioMonitorState {
  readonly portfolioId: number;
  readonly portfolio: string;
  readonly strategy: string;
  readonly currency: string;
  readonly interval: Interval;
  readonly asOf: string;
  /** The rebalance whose holdings are held, and its date. */
  readonly rebalanceId: number;
  readonly rebalanceDate: string;
  /** The latest bar used to value the current holdings (null: none since the latest rebalance). */
  readonly lastBarDate: string | null;
  readonly value: number;
  /** Cash now: the latest rebalance's, plus dividends and cash in lieu since. */
  readonly cash: number;
  /** The corporate actions applied to the current holdings since the latest rebalance, in words. */
  readonly corporateActions: readonly string[];
  /** Value now over value right after the latest rebalance, minus 1. */
  readonly returnSinceRebalance: number;
  /** The time-weighted index (1 at the first rebalance), its drawdown from the running peak, and that peak. */
  readonly index: number;
  readonly drawdown: number;
  readonly peakDate: string;
  /** The portfolio's money value at the peak date. */
  readonly peakValue: number;
  /** The deepest drawdown over the whole path. */
  readonly maxDrawdown: number;
  readonly drift: WeightDrift;
  readonly positions: readonly PositionState[];
  /** The strategy's own exit rule (text from the strategy), and how the check of it went. */
  readonly exitRule: string | null;
  readonly strategyCheck: { readonly signalDate: string | null; readonly note: string | null };
  readonly exitSignals: readonly ExitSignal[];
  readonly data: {
    /** Age of the oldest last bar among held symbols (null: one has no bar at all). */
    readonly ageDays: number | null;
    readonly staleAfterDays: number;
    readonly staleSymbols: readonly string[];
    readonly missingSymbols: readonly string[];
  };
  readonly warnings: readonly string[];
  /** The path for charts: one point per bar date (and per rebalance date). */
  readonly series: {
    readonly dates: readonly string[];
    readonly value: readonly number[];
    readonly index: readonly number[];
    readonly drawdown: readonly number[];
  };
}

export interface StateInput {
  readonly portfolio: MonitoredPortfolio;
  readonly rebalances: readonly MonitoredRebalance[];
  readonly prices: PriceTable;
  /** Last bar time on or before the as-of date per symbol (absent: none). */
  readonly lastBars: ReadonlyMap<string, number>;
  readonly asOf: string;
  readonly settings: MonitorSettings;
  readonly exitRule: string | null;
  /** The strategy run up to the last bar; null when the check is off or failed (`strategyNote` says why). */
  readonly strategyView: StrategyView | null;
  readonly strategyNote: string | null;
  /** Splits and dividends of the held symbols since the first rebalance (portfolio/ledger.ts applies them). */
  readonly actions?: readonly CorporateAction[];
}

/**
 * @example const { state, path } = portfolioState({ portfolio, rebalances, prices, lastBars, asOf: '2024-03-28', settings: monitorSettings(), exitRule: null, strategyView: null, strategyNote: null })
 */
export function portfolioState(input: StateInput): { state: PortfolioMonitorState; path: PortfolioPath } {
  const { portfolio, settings } = input;
  const interval = portfolio.interval;
  const day = (ts: number) => formatBarTime(ts, interval);
  const path = portfolioPath(input.rebalances, input.prices, {
    asOf: input.asOf,
    basis: settings.basis,
    actions: input.actions ?? [],
    dividends: portfolio.dividends ?? 'cash',
  });
  const last = path.ts.length - 1;
  const latest = path.rebalances[path.rebalances.length - 1]!;
  const asOfTs = dateToTs(input.asOf);
  const staleAfterDays = settings.staleAfterDays ?? portfolio.maxDataAgeDays ?? defaultStaleDays(interval);

  const values = new Map(path.marks.map((m) => [m.holding.symbol, m.value]));
  const drift = weightDrift(latest.holdings, values, path.cash);
  const driftOf = new Map(drift.positions.map((row) => [row.symbol, row]));
  // Missing: no bar since the rebalance while another holding has one (or no bar ever); a run right
  // after a rebalance, before any new bar, is not missing anything.
  const anyFresh = path.marks.some((m) => m.barTs !== null);
  const ages = new Map<string, SymbolAge>(
    path.marks.map((m) => {
      const lastBarTs = input.lastBars.get(m.holding.symbol) ?? null;
      return [m.holding.symbol, symbolAge(m.holding.symbol, lastBarTs, asOfTs, staleAfterDays, m.barTs === null && anyFresh)];
    }),
  );

  const exitSignals: ExitSignal[] = [];
  const positions = path.marks.map((mark): PositionState => {
    const symbol = mark.holding.symbol;
    const spell = path.positions.find((p) => p.symbol === symbol && p.exitTs === null)!;
    const k = spell.level.length - 1;
    const drawdown = spell.drawdown[k]!;
    const peakPoint = spell.peakPoint[k]!;
    // Levels are in the shares held at entry; in today's shares (after splits) they compare with the price.
    const toToday = spell.level[k]! > 0 ? mark.price / spell.level[k]! : 1;
    const peakPrice = spell.level[peakPoint - spell.entryPoint]! * toToday;
    const age = ages.get(symbol)!;
    const targetWeight = input.strategyView?.weights.get(symbol) ?? null;
    const verdict = input.strategyView ? strategyVerdict(targetWeight) : 'unknown';
    const score = input.strategyView?.scores.get(symbol);
    const stop = settings.trailingStop;
    const hit = stop !== null && trailingStopHit(drawdown, stop);
    if (verdict === 'exit') {
      exitSignals.push({
        symbol,
        rule: 'strategy',
        message: `${symbol}: ${portfolio.strategy} run up to ${input.strategyView!.signalDate} would no longer hold it (target weight ${round(targetWeight!, 4)})`,
      });
    }
    if (hit) {
      exitSignals.push({
        symbol,
        rule: 'trailing-stop',
        message: `${symbol}: ${percent(-drawdown)} below its peak of ${round(peakPrice, 4)} on ${day(path.ts[peakPoint]!)}, past the ${percent(stop!)} trailing stop`,
      });
    }
    return {
      symbol,
      shares: mark.shares,
      entryDate: day(path.ts[spell.entryPoint]!),
      entryPrice: spell.entryPrice * toToday,
      price: mark.price,
      priceDate: mark.barTs === null ? null : day(mark.barTs),
      value: mark.value,
      weight: driftOf.get(symbol)!.weight,
      targetWeight: mark.holding.targetWeight,
      drift: driftOf.get(symbol)!.drift,
      peakPrice,
      peakDate: day(path.ts[peakPoint]!),
      drawdown,
      lastBarDate: age.lastBarTs === null ? null : day(age.lastBarTs),
      ageDays: age.ageDays,
      stale: age.stale,
      missing: age.missing,
      strategy: { verdict, targetWeight, score: score === undefined || Number.isNaN(score) ? null : score },
      trailingStop: stop === null ? null : { stop, hit },
    };
  });

  const warnings: string[] = [];
  const corporate: string[] = [];
  for (const p of positions) {
    if (p.lastBarDate === null)
      warnings.push(`${p.symbol}: no ${interval} bars stored at all: valued at the rebalance price ${round(p.price, 4)}`);
    else if (p.missing)
      warnings.push(
        `${p.symbol}: no bar since the rebalance on ${latest.asOf} while other holdings have newer ones (last bar ${p.lastBarDate}, ${p.ageDays} days old): valued at the rebalance price ${round(p.price, 4)}`,
      );
    else if (p.stale)
      warnings.push(
        `${p.symbol}: last bar ${p.lastBarDate} is ${p.ageDays} days old on ${input.asOf} (stale after ${staleAfterDays}): ingest fresh data`,
      );
  }
  if (input.strategyNote) warnings.push(input.strategyNote);

  const peakPoint = path.peakPoint[last]!;
  const anchorValue = latest.holdings.reduce((sum, h) => sum + h.shares * h.price, latest.cash);
  const splitNote = (e: (typeof path.ledger)[number]) => `${e.symbol} ${e.exDate}: ${e.note}`;
  for (const entry of path.ledger.filter((e) => e.rebalanceId === latest.id)) corporate.push(splitNote(entry));
  const ageList = positions.map((p) => p.ageDays);
  const lastBar = path.marks.reduce<number | null>((max, m) => (m.barTs !== null && (max === null || m.barTs > max) ? m.barTs : max), null);
  const state: PortfolioMonitorState = {
    portfolioId: portfolio.id,
    portfolio: portfolio.name,
    strategy: portfolio.strategy,
    currency: portfolio.currency,
    interval,
    asOf: input.asOf,
    rebalanceId: latest.id,
    rebalanceDate: latest.asOf,
    lastBarDate: lastBar === null ? null : day(lastBar),
    value: path.value[last]!,
    cash: path.cash,
    corporateActions: corporate,
    returnSinceRebalance: anchorValue > 0 ? path.value[last]! / anchorValue - 1 : 0,
    index: path.index[last]!,
    drawdown: path.drawdown[last]!,
    peakDate: day(path.ts[peakPoint]!),
    peakValue: path.value[peakPoint]!,
    maxDrawdown: path.drawdown.reduce((min, d) => Math.min(min, d), 0),
    drift,
    positions,
    exitRule: input.exitRule,
    strategyCheck: { signalDate: input.strategyView?.signalDate || null, note: input.strategyNote },
    exitSignals,
    data: {
      ageDays: ageList.some((a) => a === null) ? null : ageList.reduce<number>((max, a) => Math.max(max, a!), 0),
      staleAfterDays,
      staleSymbols: positions.filter((p) => p.stale).map((p) => p.symbol),
      missingSymbols: positions.filter((p) => p.missing).map((p) => p.symbol),
    },
    warnings,
    series: {
      dates: Array.from(path.ts, day),
      value: Array.from(path.value),
      index: Array.from(path.index),
      drawdown: Array.from(path.drawdown),
    },
  };
  return { state, path };
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
