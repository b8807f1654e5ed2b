/**
 * The value path of a model portfolio from its stored rebalances, the bars since and the corporate
 * actions in between: money value, a time-weighted index and its drawdown, and each position's
 * price level and drawdown since entry. Pure: the rebalances, a price table and the events in,
 * arrays out.
 *
 * Rebalance i holds s_j shares bought at p_j (the raw close at its as-of date a_i) plus cash c. Its
 * segment runs over the bars dated after a_i up to and including the next rebalance's date
 * a_{i+1} (or the run's as-of date). Corporate actions go through the ledger (portfolio/ledger.ts):
 * segment i applies the events dated after its rebalance's data date W_i and on or before W_{i+1}
 * (the events rebalance i+1 applied to these holdings before trading; the open segment: all later
 * ones), each at the symbol's first bar on or after its ex-date, so s_j(b) and c(b) are the shares
 * and cash of the ledger at bar b. With A_i = c + sum_j s_j p_j:
 *
 *   V_b = c(b) + sum_j s_j(b) m_j(b)       m_j(b): the last raw close of j on or before b in the segment
 *                                          (p_j until j has one): money, at today's shares
 *   I_b = I(a_i) * V_b / A_i               the index: 1 at the first rebalance, carried unchanged
 *                                          into the next, so new money (SIP) is no gain and
 *                                          rebalancing costs are not counted
 *   D_b = (I_b - max_{u<=b} I_u) / max_{u<=b} I_u
 *
 * A position's level starts at its entry price and moves with its price per share held at entry:
 * basis 'close', m_j(b) x k_j(b) / p_j with k_j the product of the splits since the rebalance (a
 * dividend paid is not in it); basis 'total-return', the raw close scaled by the change of the
 * adjustment factor f = adj_close / close since the rebalance (splits and reinvested dividends). It
 * is carried unchanged across rebalances that keep holding it; its drawdown is from the level's
 * peak since entry. A spell ends at the first rebalance that no longer holds the symbol.
 *
 * One point per date: a rebalance on a date with a bar shares that bar's point (the index and the
 * positions' levels from the old holdings' marks, the value and the holdings from the new).
 */
import { dateToTs, formatBarTime, MS_PER_DAY } from '../data/bar.js';
import type { CorporateAction } from '../data/corporate-action.js';
import { ValidationError } from '../errors.js';
import { applyOne, splitRatio, type DividendPolicy, type LedgerEntry } from '../portfolio/ledger.js';
import type { HoldingRecord } from '../portfolio/portfolio-store.js';
import type { ValuedHolding } from '../portfolio/trade-list.js';
import { parseCalendarDate } from '../util/calendar-date.js';
import type { PriceBasis } from './monitor-options.js';
import { runningDrawdown } from './running-peak.js';

/**
 * A stored holding as the monitor reads it: whole shares (0: a target the allocation could not
 * buy), the raw close they were bought at, and the target and whole-share weights at the rebalance.
 */
export type MonitoredHolding = Pick<HoldingRecord, 'symbol' | 'shares' | 'price' | 'targetWeight' | 'weight'>;

export interface MonitoredRebalance {
  readonly id: number;
  /** YYYY-MM-DD */
  readonly asOf: string;
  /** YYYY-MM-DD: the latest bar behind it; corporate actions up to it were applied before it traded (default: asOf). */
  readonly dataAsOf?: string;
  readonly cash: number;
  readonly holdings: readonly MonitoredHolding[];
}

/** Bars on a common calendar (a panel's shape): NaN where a symbol has no bar. */
export interface PriceTable {
  readonly dates: Float64Array;
  readonly symbols: readonly string[];
  readonly close: readonly Float64Array[];
  /** Needed for basis 'total-return' only. */
  readonly adjClose?: readonly Float64Array[] | undefined;
}

export interface PositionPath {
  readonly symbol: string;
  /** First and last point of the spell (inclusive). */
  readonly entryPoint: number;
  readonly endPoint: number;
  readonly entryPrice: number;
  /** The as-of time of the rebalance that sold it, and that rebalance's id; null while held. */
  readonly exitTs: number | null;
  readonly exitRebalanceId: number | null;
  /** Per point from entryPoint to endPoint. */
  readonly level: Float64Array;
  readonly drawdown: Float64Array;
  /** Point (absolute, on the portfolio's path) of the running peak. */
  readonly peakPoint: Int32Array;
}

/**
 * A holding of the latest rebalance marked at the last point: valued like any holding, but at
 * today's shares and close rather than the stored ones, which it keeps as `holding`.
 */
export interface HoldingMark extends Omit<ValuedHolding, 'symbol'> {
  readonly holding: MonitoredHolding;
  /** Shares held now: the rebalance's, through the corporate actions since; price: the last raw close (in today's shares). */
  readonly shares: number;
  /** Time of the bar the mark comes from; null: no bar since the rebalance (marked at its price). */
  readonly barTs: number | null;
}

export interface PortfolioPath {
  /** The rebalances on or before the as-of date, oldest first. */
  readonly rebalances: readonly MonitoredRebalance[];
  readonly ts: Float64Array;
  readonly value: Float64Array;
  readonly index: Float64Array;
  readonly drawdown: Float64Array;
  readonly peakPoint: Int32Array;
  /** Index into `rebalances` of the holdings at each point (after a rebalance on that date). */
  readonly rebalance: Int32Array;
  /** Index into `rebalances` of the holdings whose marks gave the point's index and drawdown (before a rebalance on that date). */
  readonly observedRebalance: Int32Array;
  /** Every holding spell, in order of entry. */
  readonly positions: readonly PositionPath[];
  /** The latest rebalance's holdings with shares, marked at the last point. */
  readonly marks: readonly HoldingMark[];
  /** Cash at the last point: the latest rebalance's, plus dividends and cash in lieu since. */
  readonly cash: number;
  /** The corporate actions applied, each with the rebalance whose holdings it changed. */
  readonly ledger: readonly (LedgerEntry & { readonly rebalanceId: number })[];
}

export interface PathOptions {
  /** YYYY-MM-DD: rebalances and bars after this date are ignored. */
  readonly asOf: string;
  readonly basis?: PriceBasis;
  /** Splits and dividends of the held symbols, sorted by ex-date, splits first within a day. */
  readonly actions?: readonly CorporateAction[];
  /** Dividends to cash (default) or reinvested. */
  readonly dividends?: DividendPolicy;
}

interface Spell {
  readonly symbol: string;
  readonly entryPoint: number;
  readonly entryPrice: number;
  readonly levels: number[];
  exitTs: number | null;
  exitRebalanceId: number | null;
}

/**
 * @example const path = portfolioPath(rebalances, { dates, symbols: ['SPY'], close: [spyCloses] }, { asOf: '2024-03-28' })
 *          path.drawdown[path.ts.length - 1] // the portfolio's drawdown today
 */
export function portfolioPath(rebalances: readonly MonitoredRebalance[], prices: PriceTable, options: PathOptions): PortfolioPath {
  const asOfTs = parseCalendarDate(options.asOf, 'asOf');
  const held = rebalances.filter((r) => dateToTs(r.asOf) <= asOfTs).sort((a, b) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : 0));
  if (held.length === 0) throw new ValidationError('asOf', `no rebalance on or before ${options.asOf}: nothing is held yet`);
  const totalReturn = options.basis === 'total-return' && prices.adjClose !== undefined;
  const dividends = options.dividends ?? 'cash';
  const actions = options.actions ?? [];
  const column = new Map(prices.symbols.map((s, j) => [s, j]));

  const ts: number[] = [];
  const value: number[] = [];
  const index: number[] = [];
  const segment: number[] = [];
  const observed: number[] = [];
  const open = new Map<string, Spell>();
  const spells: Spell[] = [];
  const ledger: (LedgerEntry & { rebalanceId: number })[] = [];
  let marks: HoldingMark[] = [];
  let lastCash = 0;

  held.forEach((r, i) => {
    const anchorTs = dateToTs(r.asOf);
    const holdings = r.holdings.filter((h) => h.shares !== 0);
    const anchorValue = holdings.reduce((sum, h) => sum + h.shares * h.price, r.cash);
    // The anchor point: shared with the old holdings' last bar when it falls on this date.
    const merged = ts.length > 0 && ts[ts.length - 1]! >= anchorTs;
    const p = merged ? ts.length - 1 : ts.length;
    if (merged) {
      value[p] = anchorValue;
      segment[p] = i;
    } else {
      ts.push(anchorTs);
      value.push(anchorValue);
      index.push(p === 0 ? 1 : index[p - 1]!);
      segment.push(i);
      observed.push(i);
    }
    const heldNow = new Set(holdings.map((h) => h.symbol));
    for (const [symbol, spell] of open) {
      if (heldNow.has(symbol)) continue;
      spell.exitTs = anchorTs;
      spell.exitRebalanceId = r.id;
      open.delete(symbol);
    }
    const levelAtAnchor = holdings.map((h) => {
      let spell = open.get(h.symbol);
      if (spell && !merged) spell.levels.push(spell.levels[spell.levels.length - 1]!);
      if (!spell) {
        spell = { symbol: h.symbol, entryPoint: p, entryPrice: h.price, levels: [h.price], exitTs: null, exitRebalanceId: null };
        open.set(h.symbol, spell);
        spells.push(spell);
      }
      return spell.levels[spell.levels.length - 1]!;
    });

    // This segment's events: after this rebalance's data date, up to the next one's (the open segment: all).
    const after = r.dataAsOf ?? r.asOf;
    const next = held[i + 1];
    const through = next ? (next.dataAsOf ?? next.asOf) : null;
    const queued = (symbol: string) =>
      actions.filter((a) => a.symbol === symbol && a.exDate > after && (through === null || a.exDate <= through));

    // The segment's bars: dated after a_i, up to and including the next rebalance's date.
    const startTs = anchorTs + MS_PER_DAY;
    const endTs = (next ? dateToTs(next.asOf) : asOfTs) + MS_PER_DAY;
    const first = lowerBound(prices.dates, startTs);
    const state = holdings.map((h) => {
      const j = column.get(h.symbol);
      return {
        h,
        j,
        shares: h.shares,
        splits: 1,
        events: queued(h.symbol),
        mark: h.price,
        level: h.price,
        barTs: null as number | null,
        factor0: totalReturn && j !== undefined ? factorBefore(prices, j, first) : NaN,
      };
    });
    let cash = r.cash;
    const apply = (s: (typeof state)[number], close: number | null, beforeBar: boolean) => {
      const action = s.events.shift()!;
      const entry = applyOne(s.shares, action, dividends, close);
      if (action.kind === 'split' && entry.sharesBefore > 0) {
        s.splits *= splitRatio(action.value);
        // Applied without a bar on or after the ex-date: the last close is in old shares.
        if (beforeBar) s.mark /= splitRatio(action.value);
      }
      s.shares = entry.sharesAfter;
      cash += entry.cash;
      ledger.push({ ...entry, rebalanceId: r.id });
    };
    const idxAnchor = index[p]!;
    for (let b = first; b < prices.dates.length && prices.dates[b]! < endTs; b++) {
      let traded = false;
      const day = formatBarTime(prices.dates[b]!, '1d');
      for (const s of state) {
        if (s.j === undefined) continue;
        const close = prices.close[s.j]![b]!;
        if (!(close > 0)) continue;
        traded = true;
        while (s.events.length > 0 && s.events[0]!.exDate <= day) apply(s, close, false);
        s.mark = close;
        s.level = close * s.splits;
        if (totalReturn) {
          const factor = prices.adjClose![s.j]![b]! / close;
          if (Number.isNaN(s.factor0)) s.factor0 = factor; // no bar at a_i: count from the first bar after it
          if (factor > 0 && s.factor0 > 0) s.level = (close * factor) / s.factor0;
        }
        s.barTs = prices.dates[b]!;
      }
      if (!traded) continue;
      const v = state.reduce((sum, s) => sum + s.shares * s.mark, cash);
      ts.push(prices.dates[b]!);
      value.push(v);
      index.push(anchorValue > 0 ? (idxAnchor * v) / anchorValue : idxAnchor);
      segment.push(i);
      observed.push(i);
      state.forEach((s, k) => {
        const spell = open.get(s.h.symbol)!;
        spell.levels.push(s.h.price > 0 ? (levelAtAnchor[k]! * s.level) / s.h.price : levelAtAnchor[k]!);
      });
    }
    // A closed segment hands the next rebalance every event it applied, bar or not (a stale symbol).
    if (next)
      for (const s of state)
        while (s.events.length > 0) apply(s, s.mark / (s.events[0]!.kind === 'split' ? splitRatio(s.events[0]!.value) : 1), true);
    marks = state.map((s) => ({ holding: s.h, shares: s.shares, price: s.mark, value: s.shares * s.mark, barTs: s.barTs }));
    lastCash = cash;
  });

  const portfolio = runningDrawdown(index);
  return {
    rebalances: held,
    ts: Float64Array.from(ts),
    value: Float64Array.from(value),
    index: Float64Array.from(index),
    drawdown: portfolio.drawdown,
    peakPoint: portfolio.peakPoint,
    rebalance: Int32Array.from(segment),
    observedRebalance: Int32Array.from(observed),
    positions: spells.map(toPositionPath),
    marks,
    cash: lastCash,
    ledger,
  };
}

function toPositionPath(spell: Spell): PositionPath {
  const level = Float64Array.from(spell.levels);
  const { drawdown, peakPoint } = runningDrawdown(level);
  return {
    symbol: spell.symbol,
    entryPoint: spell.entryPoint,
    endPoint: spell.entryPoint + level.length - 1,
    entryPrice: spell.entryPrice,
    exitTs: spell.exitTs,
    exitRebalanceId: spell.exitRebalanceId,
    level,
    drawdown,
    peakPoint: Int32Array.from(peakPoint, (q) => q + spell.entryPoint),
  };
}

/** First index with dates[i] >= ts. */
function lowerBound(dates: Float64Array, ts: number): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dates[mid]! < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The adjustment factor (adj_close / close) of symbol j at its last bar before bar `before`; NaN without one. */
function factorBefore(prices: PriceTable, j: number, before: number): number {
  for (let b = before - 1; b >= 0; b--) {
    const close = prices.close[j]![b]!;
    const adj = prices.adjClose![j]![b]!;
    if (close > 0 && adj > 0) return adj / close;
  }
  return Number.NaN;
}
