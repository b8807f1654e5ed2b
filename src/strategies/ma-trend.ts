/**
 * Moving-average timing, Faber (2007), "A Quantitative Approach to Tactical Asset Allocation": at
 * each month-end hold every symbol whose price is above its 10-month simple moving average, each at
 * an equal slice; a symbol below its average sits in cash.
 *
 *   SMA_j(t) = mean(P_j[t - window + 1 .. t])            (adjusted closes; rollingMean)
 *   s_j(t)   = P_j[t] / SMA_j(t) - 1                     (the score)
 *   w_j(t)   = 1 / N_t if s_j(t) > 0, else 0
 *
 * N_t counts the symbols with an SMA at t (a symbol needs `window` bars), so each slice is 1/N once
 * the whole panel has history, as in Faber, and a symbol that starts later does not leave the others
 * under-invested meanwhile. A symbol without an SMA at t gets NaN (leave as is).
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import { rollingMean } from './indicators.js';
import { rebalanceMask, scheduleFields } from './schedule.js';
import { barsPerYear, emptyTargets, type Strategy, type StrategyPanel, type TargetSchedule } from './strategy.js';

const schema = (interval: Interval) =>
  z.strictObject({
    /** SMA length in bars: 10 months (210 daily bars, 43 weekly, 10 monthly). */
    window: z
      .number()
      .int()
      .min(2)
      .max(100_000)
      .default(Math.round((10 * barsPerYear(interval)) / 12)),
    ...scheduleFields('month-end'),
  });

export type MaTrendParams = z.infer<ReturnType<typeof schema>>;

export const maTrend: Strategy<MaTrendParams> = {
  name: 'ma-trend',
  title: 'Moving-average trend (Faber 10-month SMA)',
  citation: 'Faber (2007), "A Quantitative Approach to Tactical Asset Allocation", Journal of Wealth Management 9(4)',
  description: 'Hold an equal slice of each symbol trading above its 10-month simple moving average, cash otherwise.',
  scoreLabel: 'price / SMA - 1',
  exitRule: 'none between rebalances: a position is closed when the price is at or below its SMA at a month-end',
  fields: ['adj_close'],
  paramsSchema: schema,
  sweep: { window: [105, 147, 200, 210, 252] },
  targets(panel: StrategyPanel, p: MaTrendParams): TargetSchedule {
    const closes = panel.values.adj_close!;
    const n = panel.symbols.length;
    const bars = panel.dates.length;
    const rebalance = rebalanceMask(panel.dates, panel.interval, p);
    const targets = emptyTargets(bars, n);
    const scores = emptyTargets(bars, n);
    closes.forEach((close, j) => {
      const sma = rollingMean(close, p.window);
      for (let t = 0; t < bars; t++) scores[t * n + j] = close[t]! / sma[t]! - 1;
    });
    for (let t = 0; t < bars; t++) {
      if (!rebalance[t]) continue;
      let count = 0;
      for (let j = 0; j < n; j++) if (!Number.isNaN(scores[t * n + j]!)) count++;
      for (let j = 0; j < n; j++) {
        const s = scores[t * n + j]!;
        if (!Number.isNaN(s)) targets[t * n + j] = s > 0 ? 1 / count : 0;
      }
    }
    return { kind: 'weights', rebalance, targets, scores };
  },
};
