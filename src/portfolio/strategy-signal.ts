/**
 * What a strategy holds as of a bar: the targets it set at its latest rebalance on or before that
 * bar (a symbol it left untouched there keeps its last target), the signal behind each, and when
 * the strategy will next rebalance. Pure: the panel holds only bars up to the as-of bar, so
 * nothing later can leak in.
 */
import { formatBarTime, MS_PER_DAY, isIntraday, type Interval } from '../data/bar.js';
import { rebalanceMask, REBALANCE_SCHEDULES, type ScheduleParams } from '../strategies/schedule.js';
import type { Strategy, StrategyPanel, StrategyParams } from '../strategies/strategy.js';

export interface StrategySignal {
  /** What the targets are: weights (fractions of value) or share counts. */
  readonly kind: 'weights' | 'shares';
  /** The bar the targets were set on (the latest rebalance), and its date. */
  readonly signalBar: number;
  readonly signalDate: string;
  /** Target weight per panel symbol (0 for symbols never targeted). */
  readonly weights: Float64Array;
  /** The strategy's signal per symbol at the signal bar (NaN when it has none). */
  readonly scores: Float64Array;
  /** The next rebalance after the last bar, estimated on the weekday calendar (null intraday). */
  readonly nextRebalance: string | null;
}

/**
 * @example const signal = strategySignal(xsMomentum, panel, params) // panel ends at the as-of bar
 */
export function strategySignal(
  strategy: Strategy<StrategyParams>,
  panel: StrategyPanel,
  params: StrategyParams,
  /** The next rebalance is after this day too (the as-of day, when it is past the last bar). */
  after?: string,
): StrategySignal {
  const bars = panel.dates.length;
  const n = panel.symbols.length;
  const schedule = strategy.targets(panel, params);
  let signalBar = -1;
  for (let t = bars - 1; t >= 0 && signalBar < 0; t--) if (schedule.rebalance[t]) signalBar = t;
  const weights = new Float64Array(n);
  const scores = new Float64Array(n).fill(Number.NaN);
  if (signalBar < 0) return { kind: schedule.kind, signalBar, signalDate: '', weights, scores, nextRebalance: null };
  for (let j = 0; j < n; j++) {
    // The latest target set for this symbol at a rebalance on or before the signal bar: NaN means "leave as is".
    for (let t = signalBar; t >= 0; t--) {
      const target = schedule.rebalance[t] ? schedule.targets[t * n + j]! : Number.NaN;
      if (!Number.isNaN(target)) {
        weights[j] = target;
        break;
      }
    }
    if (schedule.scores) scores[j] = schedule.scores[signalBar * n + j]!;
  }
  return {
    kind: schedule.kind,
    signalBar,
    signalDate: formatBarTime(panel.dates[signalBar]!, panel.interval),
    weights,
    scores,
    // buy-and-hold's 'none' never rebalances: held until sold.
    nextRebalance: params.rebalance === 'none' ? null : nextRebalanceDate(panel.dates, panel.interval, scheduleOf(params), after),
  };
}

/** The strategy's rebalance schedule from its params (every strategy has `rebalance` and `every`). */
function scheduleOf(params: StrategyParams): ScheduleParams {
  const rebalance = params.rebalance as ScheduleParams['rebalance'];
  return {
    rebalance: REBALANCE_SCHEDULES.includes(rebalance) ? rebalance : 'daily',
    every: typeof params.every === 'number' ? params.every : 1,
  };
}

/**
 * The first rebalance after the last bar (and after `after`), on the calendar of future bars
 * (weekdays for daily bars, holidays unknown, so it is an estimate). Intraday: unknown (null).
 * @example nextRebalanceDate(dates, '1d', { rebalance: 'month-end', every: 21 }) // '2020-12-31'
 */
export function nextRebalanceDate(dates: Float64Array, interval: Interval, schedule: ScheduleParams, after?: string): string | null {
  if (dates.length === 0 || isIntraday(interval)) return null;
  const last = dates[dates.length - 1]!;
  const future: number[] = [];
  for (let ts = nextBar(last, interval); future.length < 400; ts = nextBar(ts, interval)) future.push(ts);
  const extended = Float64Array.from([...dates, ...future]);
  const mask = rebalanceMask(extended, interval, schedule);
  const days = Array.from(extended.subarray(dates.length), (ts) => formatBarTime(ts, interval));
  const due = mask.subarray(dates.length).indexOf(1);
  if (due < 0) return null;
  // The weekday calendar may put it on a day that had no bar (a holiday) on or before `after`: then
  // it happens on the next day after that.
  return after === undefined || days[due]! > after ? days[due]! : (days.find((day) => day > after) ?? null);
}

function nextBar(ts: number, interval: Interval): number {
  if (interval === '1wk') return ts + 7 * MS_PER_DAY;
  if (interval === '1mo') {
    const date = new Date(ts);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
  let next = ts + MS_PER_DAY;
  while ([0, 6].includes(new Date(next).getUTCDay())) next += MS_PER_DAY;
  return next;
}
