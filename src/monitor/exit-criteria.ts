/**
 * Exit criteria for held positions: the strategy's own rule, checked by running the strategy on
 * data up to the last bar ("would it still hold this if it rebalanced at today's close?"), and a
 * generic trailing stop below the position's peak since entry. Pure.
 *
 * The strategy check keeps the strategy's own spacing of rebalances (a month-end strategy every
 * ~21 daily bars, a weekly one every 5, a daily one every bar) but moves them so the last bar is
 * one: the panel's first few bars are dropped until the bar count fits, and the schedule becomes
 * `every` that many bars. Stateful strategies (donchian, sma-cross) act on their state at the last
 * bar; ranking strategies rank at the last bar. A symbol's target is the latest one the strategy
 * set up to the last bar (NaN means "leave as is"); none at all (warm-up) is "unknown".
 */
import { formatBarTime, type Interval } from '../data/bar.js';
import { slicePointInTime } from '../data/strategy-data.js';
import { nominalSpacing, REBALANCE_SCHEDULES } from '../strategies/schedule.js';
import { resolveParams, type Strategy, type StrategyPanel, type StrategyParams } from '../strategies/strategy.js';

export interface StrategyView {
  /** The bar the strategy was evaluated at. */
  readonly signalDate: string;
  /** Target weight per symbol of the panel at the last bar; null: the strategy has no signal for it. */
  readonly weights: ReadonlyMap<string, number | null>;
  /** The strategy's score per symbol at the last bar (NaN: none). */
  readonly scores: ReadonlyMap<string, number>;
}

export type StrategyVerdict = 'holds' | 'exit' | 'unknown';

/**
 * @example const view = strategyViewNow(maTrend, panel, { window: 210, rebalance: 'month-end', every: 21 })
 *          view.weights.get('SPY') // 0: below its SMA today, the strategy would sell it
 */
export function strategyViewNow(strategy: Strategy<StrategyParams>, panel: StrategyPanel, params: StrategyParams): StrategyView {
  const bars = panel.dates.length;
  const weights = new Map<string, number | null>(panel.symbols.map((s) => [s, null]));
  const scores = new Map<string, number>(panel.symbols.map((s) => [s, Number.NaN]));
  if (bars === 0) return { signalDate: '', weights, scores };
  const spacing = Math.min(rebalanceSpacing(params, panel.interval), 10_000);
  const drop = (bars - 1) % spacing;
  const view = drop === 0 ? panel : slicePanel(panel, drop);
  const resolved = resolveParams(strategy, panel.interval, { ...params, rebalance: 'every', every: spacing });
  const schedule = strategy.targets(view, resolved);
  const n = view.symbols.length;
  const last = view.dates.length - 1;
  view.symbols.forEach((symbol, j) => {
    for (let t = last; t >= 0; t--) {
      const target = schedule.rebalance[t] ? schedule.targets[t * n + j]! : Number.NaN;
      if (!Number.isNaN(target)) {
        weights.set(symbol, target);
        break;
      }
    }
    if (schedule.scores) scores.set(symbol, schedule.scores[last * n + j]!);
  });
  return { signalDate: formatBarTime(view.dates[last]!, view.interval), weights, scores };
}

/** A long position is held while the strategy's target for it is above 0. */
export function strategyVerdict(weight: number | null | undefined): StrategyVerdict {
  if (weight === null || weight === undefined || Number.isNaN(weight)) return 'unknown';
  return weight > 0 ? 'holds' : 'exit';
}

/** True when the position's drawdown from its peak since entry is the stop or deeper (stop 0.15: at -15%). */
export function trailingStopHit(drawdown: number, stop: number): boolean {
  return drawdown <= -stop + 1e-12;
}

/** Bars between two of the strategy's rebalances: its `every`, or its calendar schedule in bars (buy-and-hold's 'none': 1). */
export function rebalanceSpacing(params: StrategyParams, interval: Interval): number {
  const every = typeof params.every === 'number' && params.every >= 1 ? Math.floor(params.every) : 1;
  const rebalance = REBALANCE_SCHEDULES.find((s) => s === params.rebalance) ?? 'daily';
  return nominalSpacing({ rebalance, every }, interval);
}

/** The panel without its first `drop` bars (views, no copies), its fundamentals and events too. */
function slicePanel(panel: StrategyPanel, drop: number): StrategyPanel {
  const values = Object.fromEntries(Object.entries(panel.values).map(([field, columns]) => [field, columns!.map((c) => c.subarray(drop))]));
  return { ...panel, dates: panel.dates.subarray(drop), values, ...slicePointInTime(panel, drop, panel.dates.length) };
}
