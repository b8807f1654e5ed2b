/**
 * A SIP backtest: a fixed installment invested every week, month or quarter in a strategy, beside
 * the lump sum (the same total invested at once on the first installment date).
 *
 * Timing (the engine's rule: a signal at bar t trades at bar t + 1 or later). At bar t the book
 * trades at bar t's raw close toward the targets of the strategy's latest rebalance bar strictly
 * before t (a symbol the rebalance left at NaN keeps its previous target). Negative targets count
 * as 0 and sums above 1 are scaled to 1: the plans are long-only and unlevered.
 * - Installments: on the first bar of each week (Monday-based), month or quarter, the first one on
 *   the first bar on or after `start` (default: the bar after the strategy's first rebalance);
 *   `count` of them, or until the data ends. Each is contribution-only (never sells), except that
 *   `fullRebalance: { everyInstallments: k }` makes every k-th installment a full rebalance.
 * - `fullRebalance: 'on-signal'`: a full rebalance on the bar after each strategy rebalance (with
 *   the installment when one falls on that bar).
 * - Lump sum: the total the SIP invested, put in on the first installment bar, and fully
 *   rebalanced on the bar after each strategy rebalance (the engine's rhythm).
 * - A symbol without a bar at t (its market closed) does not trade at t; it is valued at its last close.
 * - Splits and dividends: when the panel has `adj_close`, held shares are scaled by the change of
 *   adj_close / close from bar to bar, so a split keeps the position's value and a dividend is
 *   reinvested (the total return the strategy's adjusted prices assume).
 *
 * Returns: XIRR of the flows (each installment paid in, the final value received on the last bar);
 * TWR chain-linked between installments (cash-flows.ts), also annualised over the calendar days
 * from the first installment to the last bar.
 */
import { MS_PER_DAY } from '../data/bar.js';
import { NO_COSTS, type CostModel } from '../backtest/transaction-cost.js';
import { DataError, ValidationError, errorMessage } from '../errors.js';
import type { Strategy, StrategyPanel, StrategyParams } from '../strategies/strategy.js';
import { parseCalendarDate } from '../util/calendar-date.js';
import { annualise, timeWeightedReturn, xirr, type CashFlow, type Valuation } from './cash-flows.js';
import { contributionRebalance, fullRebalance, type RebalanceTrades } from './contribution.js';
import { SIP_FREQUENCIES, type SipFrequency } from './portfolio-spec.js';
import { requireCosts, requireLotSize, requirePositive } from './portfolio-input.js';
import { ordersOf, type Order, type RebalanceMode } from './trade-list.js';

export interface SipBacktestPlan {
  /** Money per installment, > 0. */
  readonly installment: number;
  readonly every: SipFrequency;
  /** Number of installments (default: until the data ends). */
  readonly count?: number;
  /** YYYY-MM-DD: the first installment is on the first bar on or after it. */
  readonly start?: string;
  readonly fullRebalance: 'never' | 'on-signal' | { readonly everyInstallments: number };
  /** Default: no costs. */
  readonly costs?: CostModel;
  /** Shares per lot for every symbol (default 1). */
  readonly lotSize?: number;
  /** Fractional shares instead of whole lots. */
  readonly fractional?: boolean;
}

export interface SipEvent {
  /** An installment (money in) or a full rebalance on a strategy signal between installments. */
  readonly kind: 'installment' | 'rebalance';
  readonly bar: number;
  readonly date: string;
  /** Money added (0 for a rebalance). */
  readonly contribution: number;
  readonly mode: RebalanceMode;
  /** The strategy rebalance bar whose targets were traded toward (-1: no signal yet, all cash). */
  readonly signalBar: number;
  /** Book value at the bar's close before the contribution and the trades. */
  readonly valueBefore: number;
  readonly orders: readonly Order[];
  readonly costs: number;
  /** Cash and book value after the trades. */
  readonly cash: number;
  readonly value: number;
}

export interface PlanOutcome {
  /** Book value at each bar's close, from the first installment bar on (same length as `dates`). */
  readonly value: Float64Array;
  readonly finalValue: number;
  /** Shares held at the end, per panel symbol. */
  readonly shares: Float64Array;
  readonly cash: number;
  /** Annual money-weighted return; null when the flows have no rate (e.g. a single day). */
  readonly xirr: number | null;
  /** Time-weighted return over the whole period (not annualised), and annualised (null over no days). */
  readonly twr: number;
  readonly twrAnnualised: number | null;
  /** Costs paid over the period. */
  readonly costs: number;
  readonly events: readonly SipEvent[];
}

export interface SipBacktestResult {
  readonly strategy: string;
  readonly symbols: readonly string[];
  /** YYYY-MM-DD of each bar from the first installment to the last bar. */
  readonly dates: readonly string[];
  /** Money put in up to and including each date (the SIP's; the lump sum has all of it from the first). */
  readonly invested: Float64Array;
  readonly installments: number;
  readonly totalInvested: number;
  readonly sip: PlanOutcome;
  readonly lumpSum: PlanOutcome;
  /** Plain statements about the run (money waiting in cash for a first signal, targets clipped, ...). */
  readonly notes: readonly string[];
}

/**
 * @example const result = sipBacktest(getStrategy('xs-momentum'), panel, params,
 *   { installment: 5000, every: 'month', fullRebalance: 'never', costs: DEFAULT_COSTS })
 *   result.sip.xirr, result.lumpSum.xirr, result.totalInvested
 */
export function sipBacktest<P extends StrategyParams>(
  strategy: Strategy<P>,
  panel: StrategyPanel,
  params: P,
  plan: SipBacktestPlan,
): SipBacktestResult {
  const checked = validatePlan(plan);
  const close = panel.values.close;
  if (!close) {
    throw new ValidationError(
      'panel',
      "the panel needs raw closes (field 'close') to price the installments: load it with 'close' among its fields",
    );
  }
  const schedule = strategy.targets(panel, params);
  if (schedule.kind === 'shares') {
    throw new ValidationError(
      'strategy',
      `${strategy.name} sets target share counts, not weights: a SIP or lump-sum plan needs a strategy that sets weights`,
    );
  }
  const bars = panel.dates.length;
  const dates = Array.from(panel.dates, isoDate);
  const notes: string[] = [];

  const firstSignal = schedule.rebalance.indexOf(1);
  let first: number;
  if (checked.start !== undefined) {
    const startTs = Date.parse(`${checked.start}T00:00:00Z`);
    first = panel.dates.findIndex((ts) => ts >= startTs);
    if (first < 0) throw new ValidationError('plan.start', `${checked.start} is after the last bar (${dates[bars - 1]}): start earlier`);
  } else {
    if (firstSignal < 0 || firstSignal + 1 >= bars) {
      throw new DataError(
        `${strategy.name} sets no targets on this panel before its last bar (${bars} bars from ${dates[0]}): ` +
          'load a longer history (the strategy needs its lookback) or pass a start date',
      );
    }
    first = firstSignal + 1;
  }
  if (firstSignal < 0 || firstSignal >= first) {
    const until = schedule.rebalance.indexOf(1, first);
    notes.push(
      `no strategy signal before the first installment on ${dates[first]}: money waited in cash ` +
        (until >= 0 && until + 1 < bars ? `until ${dates[until + 1]}` : 'to the end'),
    );
  }
  const installmentBars = installmentsFrom(panel.dates, first, checked.every, checked.count);
  if (checked.count !== undefined && installmentBars.length < checked.count) {
    notes.push(`only ${installmentBars.length} of the ${checked.count} installments fit before the data ends on ${dates[bars - 1]}`);
  }
  const market: Market = { panel, close, adjClose: panel.values.adj_close, schedule, dates, plan: checked, notes };

  const sipFlows = new Map(installmentBars.map((bar) => [bar, checked.installment]));
  const installmentIndex = new Map(installmentBars.map((bar, k) => [bar, k]));
  const sip = simulate(market, first, (t, signalled) => {
    const k = installmentIndex.get(t);
    if (k === undefined)
      return signalled && checked.fullRebalance === 'on-signal' ? { kind: 'rebalance', mode: 'full', contribution: 0 } : null;
    const every = typeof checked.fullRebalance === 'object' ? checked.fullRebalance.everyInstallments : 0;
    const full = (signalled && checked.fullRebalance === 'on-signal') || (every > 0 && (k + 1) % every === 0);
    return { kind: 'installment', mode: full ? 'full' : 'contribution', contribution: sipFlows.get(t)! };
  });
  const totalInvested = installmentBars.length * checked.installment;
  const lumpSum = simulate(market, first, (t, signalled) => {
    if (t === first) return { kind: 'installment', mode: 'full', contribution: totalInvested };
    return signalled ? { kind: 'rebalance', mode: 'full', contribution: 0 } : null;
  });

  const invested = new Float64Array(bars - first);
  let sum = 0;
  for (let t = first; t < bars; t++) invested[t - first] = sum += sipFlows.get(t) ?? 0;
  if (schedule.targets.some((w) => w < 0)) notes.push('the strategy set negative (short) targets: the plans hold 0 of those symbols');
  return {
    strategy: strategy.name,
    symbols: panel.symbols,
    dates: dates.slice(first),
    invested,
    installments: installmentBars.length,
    totalInvested,
    sip: summarise(sip, dates, first, notes, 'SIP'),
    lumpSum: summarise(lumpSum, dates, first, notes, 'lump sum'),
    notes: [...new Set(notes)],
  };
}

interface CheckedPlan {
  readonly installment: number;
  readonly every: SipFrequency;
  readonly count: number | undefined;
  readonly start: string | undefined;
  readonly fullRebalance: SipBacktestPlan['fullRebalance'];
  readonly costs: CostModel;
  readonly lotSize: number;
  readonly fractional: boolean;
}

interface Market {
  readonly panel: StrategyPanel;
  readonly close: readonly Float64Array[];
  readonly adjClose: readonly Float64Array[] | undefined;
  readonly schedule: ReturnType<Strategy['targets']>;
  readonly dates: readonly string[];
  readonly plan: CheckedPlan;
  readonly notes: string[];
}

interface Action {
  readonly kind: SipEvent['kind'];
  readonly mode: RebalanceMode;
  readonly contribution: number;
}

interface Simulation {
  readonly value: Float64Array;
  readonly shares: Float64Array;
  readonly cash: number;
  readonly costs: number;
  readonly events: SipEvent[];
}

/**
 * Runs a book through the bars from `first`: `action(t, signalled)` says what to do at bar t
 * (`signalled`: the strategy rebalanced at t - 1, so new targets apply from t).
 */
function simulate(market: Market, first: number, action: (t: number, signalled: boolean) => Action | null): Simulation {
  const { panel, close, adjClose, schedule, dates, plan } = market;
  const bars = panel.dates.length;
  const n = panel.symbols.length;
  let shares = new Float64Array(n);
  let cash = 0;
  let costs = 0;
  const lastClose = new Float64Array(n);
  const factor = new Float64Array(n).fill(Number.NaN);
  const target = new Float64Array(n);
  let signalBar = -1;
  const lotSize = new Float64Array(n).fill(plan.lotSize);
  const value = new Float64Array(bars - first);
  const events: SipEvent[] = [];

  for (let t = 0; t < bars; t++) {
    const tradable = new Uint8Array(n);
    for (let j = 0; j < n; j++) {
      const c = close[j]![t]!;
      if (!(c > 0)) continue;
      tradable[j] = 1;
      lastClose[j] = c;
      const a = adjClose ? adjClose[j]![t]! : Number.NaN;
      if (!(a > 0)) continue;
      const g = a / c;
      // Split or dividend since the last bar with both prices: the position follows the adjusted price.
      if (shares[j]! > 0 && factor[j]! > 0) shares[j] = (shares[j]! * g) / factor[j]!;
      factor[j] = g;
    }
    if (t >= first) {
      const todo = action(t, t > 0 && schedule.rebalance[t - 1] === 1);
      if (todo) {
        const valueBefore = cash + positionsValue(shares, lastClose);
        cash += todo.contribution;
        const problem = { shares, cash, price: lastClose, lotSize, target, costs: plan.costs, tradable, fractional: plan.fractional };
        const trades: RebalanceTrades = todo.mode === 'full' ? fullRebalance(problem) : contributionRebalance(problem);
        shares = Float64Array.from(trades.shares);
        cash = trades.cash;
        costs += trades.costs;
        const orders = ordersOf(panel.symbols, lastClose, plan.costs, trades);
        if (todo.kind === 'installment' || orders.length > 0)
          events.push({
            kind: todo.kind,
            bar: t,
            date: dates[t]!,
            contribution: todo.contribution,
            mode: todo.mode,
            signalBar,
            valueBefore,
            orders,
            costs: trades.costs,
            cash,
            value: trades.valueAfter,
          });
      }
      value[t - first] = cash + positionsValue(shares, lastClose);
    }
    if (schedule.rebalance[t]) {
      signalBar = t;
      updateTargets(target, schedule.targets.subarray(t * n, (t + 1) * n), market.notes);
    }
  }
  return { value, shares, cash, costs, events };
}

/** Takes row targets (NaN: keep the previous target), long-only and unlevered. */
function updateTargets(target: Float64Array, row: Float64Array, notes: string[]): void {
  row.forEach((w, j) => {
    if (!Number.isNaN(w)) target[j] = Math.max(0, w);
  });
  const sum = target.reduce((s, w) => s + w, 0);
  if (sum > 1 + 1e-9) {
    notes.push('the strategy set weights summing to more than 1 (leverage): the plans scale them to 1');
    for (let j = 0; j < target.length; j++) target[j] = target[j]! / sum;
  }
}

function positionsValue(shares: Float64Array, price: Float64Array): number {
  let value = 0;
  for (let j = 0; j < shares.length; j++) if (shares[j]! > 0) value += shares[j]! * price[j]!;
  return value;
}

/** XIRR and TWR of a simulation whose contributions are its events' money. */
function summarise(run: Simulation, dates: readonly string[], first: number, notes: string[], label: string): PlanOutcome {
  const last = dates.length - 1;
  const finalValue = run.value[run.value.length - 1]!;
  const paidIn = run.events.filter((e) => e.contribution > 0);
  const flows: CashFlow[] = [...paidIn.map((e) => ({ date: e.date, amount: -e.contribution })), { date: dates[last]!, amount: finalValue }];
  let rate: number | null = null;
  try {
    rate = xirr(flows);
  } catch (error) {
    notes.push(`${label}: no XIRR (${errorMessage(error)})`);
  }
  const valuations: Valuation[] = [
    ...paidIn.map((e) => ({ value: e.valueBefore, contribution: e.contribution })),
    { value: finalValue, contribution: 0 },
  ];
  const twr = timeWeightedReturn(valuations);
  const days = (Date.parse(dates[last]!) - Date.parse(dates[first]!)) / MS_PER_DAY;
  return {
    value: run.value,
    finalValue,
    shares: run.shares,
    cash: run.cash,
    xirr: rate,
    twr,
    twrAnnualised: days > 0 ? annualise(twr, days) : null,
    costs: run.costs,
    events: run.events,
  };
}

/** Bars of the installments: `first`, then the first bar of each later week, month or quarter. */
export function installmentsFrom(dates: Float64Array, first: number, every: SipFrequency, count?: number): number[] {
  const key = PERIOD_KEYS[every];
  const out: number[] = [];
  for (let t = first; t < dates.length && (count === undefined || out.length < count); t++) {
    if (t === first || key(dates[t]!) !== key(dates[t - 1]!)) out.push(t);
  }
  return out;
}

const PERIOD_KEYS: Record<SipFrequency, (ts: number) => number> = {
  // Monday-based weeks since the epoch (1970-01-01 was a Thursday: shift by 3 days).
  week: (ts) => Math.floor((Math.floor(ts / MS_PER_DAY) + 3) / 7),
  month: (ts) => new Date(ts).getUTCFullYear() * 12 + new Date(ts).getUTCMonth(),
  quarter: (ts) => new Date(ts).getUTCFullYear() * 4 + Math.floor(new Date(ts).getUTCMonth() / 3),
};

function isoDate(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

function validatePlan(plan: SipBacktestPlan): CheckedPlan {
  const installment = requirePositive(plan.installment, 'plan.installment', 'the installment');
  if (!SIP_FREQUENCIES.includes(plan.every)) {
    throw new ValidationError('plan.every', `expected one of ${SIP_FREQUENCIES.join(', ')}, got ${JSON.stringify(plan.every)}`);
  }
  if (plan.count !== undefined && (!Number.isInteger(plan.count) || plan.count < 1)) {
    throw new ValidationError('plan.count', `the number of installments must be a whole number >= 1, got ${plan.count}`);
  }
  if (plan.start !== undefined) parseCalendarDate(plan.start, 'plan.start');
  const full = plan.fullRebalance;
  const fullOk =
    full === 'never' ||
    full === 'on-signal' ||
    (typeof full === 'object' && full !== null && Number.isInteger(full.everyInstallments) && full.everyInstallments >= 1);
  if (!fullOk) {
    throw new ValidationError(
      'plan.fullRebalance',
      `expected 'never', 'on-signal' or { everyInstallments: k } with k a whole number >= 1, got ${JSON.stringify(full)}`,
    );
  }
  return {
    installment,
    every: plan.every,
    count: plan.count,
    start: plan.start,
    fullRebalance: full,
    costs: requireCosts(plan.costs ?? NO_COSTS, 'plan.costs'),
    lotSize: requireLotSize(plan.lotSize, 'plan.lotSize'),
    fractional: plan.fractional ?? false,
  };
}
