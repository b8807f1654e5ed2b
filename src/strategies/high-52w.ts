/**
 * 52-week-high momentum, George and Hwang (2004), "The 52-Week High and Momentum Investing": rank
 * the symbols by how close their price is to its highest price of the past year, not by their
 * past return, and hold the top `topPct`% (the paper's top 30%) equally weighted; with
 * `longShort`, short the bottom `topPct`% too (the paper's winner-minus-loser portfolio). Names near
 * their high keep rising: investors anchor on the high and under-react to good news near it.
 *
 *   score_j(t) = P_j[t] / max(P_j[t - window + 1 .. t])        (adjusted closes, t included; <= 1)
 *   w_j(t)     = targetScale / k for the k best, 0 otherwise   (k = max(1, floor(N_t * topPct / 100)))
 *
 * N_t counts the symbols with a score at t: a symbol needs `window` bars without a gap. The paper
 * uses the daily high price over 52 weeks; adjusted closes keep splits and dividends out of the ratio.
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import { rollingMax } from './indicators.js';
import { quantileSchedule } from './momentum-selection.js';
import { scheduleFields } from './schedule.js';
import { barsPerYear, type Strategy, type StrategyPanel, type TargetSchedule } from './strategy.js';

const schema = (interval: Interval) =>
  z.strictObject({
    /** Bars of the high, today included (one year). */
    window: z.number().int().min(2).max(100_000).default(barsPerYear(interval)),
    topPct: z.number().gt(0).max(100).default(30),
    targetScale: z.number().gt(0).max(10).default(1),
    longShort: z.boolean().default(false),
    ...scheduleFields('month-end'),
  });

export type High52wParams = z.infer<ReturnType<typeof schema>>;

export const high52w: Strategy<High52wParams> = {
  name: '52w-high',
  title: '52-week-high momentum',
  citation: 'George and Hwang (2004), Journal of Finance 59(5)',
  description: 'Hold the top quantile of symbols ranked by their close over their highest close of the past year.',
  scoreLabel: 'close / highest close of the window',
  exitRule: 'none between rebalances: a holding is sold when it leaves the top quantile at a rebalance',
  fields: ['adj_close'],
  paramsSchema: schema,
  sweep: { window: [126, 252], topPct: [10, 20, 30, 50] },
  targets(panel: StrategyPanel, p: High52wParams): TargetSchedule {
    const scores = panel.values.adj_close!.map((close) => {
      const high = rollingMax(close, p.window);
      return close.map((c, t) => c / high[t]!);
    });
    return quantileSchedule(panel, scores, p);
  },
};
