/**
 * Every drawdown episode of an equity curve, deepest first: the table of the worst drawdowns. An
 * episode runs from a peak (the running maximum, the initial capital counting as bar -1) through
 * its trough to the first bar back at or above the peak (its recovery; -1 while not recovered).
 * Depth and length are measured as drawdown.ts and metrics.ts measure the deepest one, so the first
 * episode here is the one computeMetrics reports: length = recovery bar (or the last bar) - peak bar.
 */
import { formatBarTime, MS_PER_DAY, type Interval } from '../data/bar.js';

export interface DrawdownEpisode {
  /** Bar of the peak (-1: the initial capital), of the trough, of the recovery (-1: not recovered). */
  readonly peak: number;
  readonly trough: number;
  readonly recovery: number;
  /** (peak - trough) / peak, a fraction. */
  readonly depth: number;
}

/** An episode with dates, as the tearsheet lists it. */
export interface DrawdownPeriod {
  /** The peak's date (the first bar's when the peak is the initial capital), trough, recovery (null: not recovered). */
  readonly start: string;
  readonly trough: string;
  readonly recovery: string | null;
  /** Percent (25 = 25%), as metrics.drawdown.maxDepthPct. */
  readonly depthPct: number;
  /** Bars from the peak to the recovery (or to the last bar). */
  readonly bars: number;
  /** Calendar days from the start date to the recovery (or last) date. */
  readonly days: number;
}

/** @example drawdownEpisodes(Float64Array.of(100, 90, 110, 99, 120), 100) // [{ peak: 0, trough: 1, recovery: 2, depth: 0.1 }, { peak: 2, trough: 3, recovery: 4, depth: 0.1 }] */
export function drawdownEpisodes(equity: Float64Array, initial: number): DrawdownEpisode[] {
  const episodes: DrawdownEpisode[] = [];
  let peakValue = initial;
  let peak = -1;
  let trough = -1;
  let depth = 0;
  for (let t = 0; t < equity.length; t++) {
    const value = equity[t]!;
    if (value >= peakValue) {
      if (trough >= 0) episodes.push({ peak, trough, recovery: t, depth });
      peakValue = value;
      peak = t;
      trough = -1;
      depth = 0;
      continue;
    }
    const d = (peakValue - value) / peakValue;
    if (d > depth) {
      depth = d;
      trough = t;
    }
  }
  if (trough >= 0) episodes.push({ peak, trough, recovery: -1, depth });
  // Stable: equal depths keep time order, so the first is drawdown.ts's deepest.
  return episodes.sort((a, b) => b.depth - a.depth);
}

/**
 * The `count` deepest drawdowns with their dates.
 * @example worstDrawdowns(dates, equity, 1e6, '1d', 5)[0] // { start: '2007-10-09', trough: '2009-03-09', recovery: '2012-03-13', depthPct: 55.2, bars: 1111, days: 1617 }
 */
export function worstDrawdowns(
  dates: Float64Array,
  equity: Float64Array,
  initial: number,
  interval: Interval,
  count = 5,
): DrawdownPeriod[] {
  const last = equity.length - 1;
  return drawdownEpisodes(equity, initial)
    .slice(0, count)
    .map((e) => {
      const startBar = Math.max(e.peak, 0);
      const endBar = e.recovery >= 0 ? e.recovery : last;
      return {
        start: formatBarTime(dates[startBar]!, interval),
        trough: formatBarTime(dates[e.trough]!, interval),
        recovery: e.recovery >= 0 ? formatBarTime(dates[e.recovery]!, interval) : null,
        depthPct: e.depth * 100,
        bars: endBar - e.peak,
        days: (dates[endBar]! - dates[startBar]!) / MS_PER_DAY,
      };
    });
}
