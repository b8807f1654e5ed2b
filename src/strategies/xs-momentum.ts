/**
 * Cross-sectional momentum, Jegadeesh and Titman (1993), "Returns to Buying Winners and Selling
 * Losers": at each rebalance, rank the symbols by their return from `lookback` bars ago to `skip`
 * bars ago (12-1 months: the latest month is skipped, it tends to reverse) and hold the top
 * `topPct`% equally weighted; with `longShort`, short the bottom `topPct`% too.
 *
 *   score_j(t) = P_j[t - skip] / P_j[t - lookback] - 1         (adjusted closes)
 *   w_j(t)     = targetScale / k for the k best, 0 otherwise    (k = max(1, floor(N_t * topPct / 100)))
 *
 * N_t counts the symbols with a score at t (a symbol needs `lookback` bars of history); a symbol
 * without a bar at t is left as it is (momentum-selection.ts).
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import { trailingReturn } from './indicators.js';
import { quantileSchedule } from './momentum-selection.js';
import { scheduleFields } from './schedule.js';
import { computeNow } from './signal-memo.js';
import { barsPerMonth, barsPerYear, type Strategy, type StrategyContext, type StrategyPanel, type TargetSchedule } from './strategy.js';

const schema = (interval: Interval) =>
  z
    .strictObject({
      lookback: z.number().int().min(2).max(100_000).default(barsPerYear(interval)),
      skip: z.number().int().min(0).max(100_000).default(barsPerMonth(interval)),
      topPct: z.number().gt(0).max(100).default(20),
      targetScale: z.number().gt(0).max(10).default(1),
      longShort: z.boolean().default(false),
      ...scheduleFields('month-end'),
    })
    .refine((p) => p.skip < p.lookback, { message: 'skip must be shorter than lookback', path: ['skip'] });

export type XsMomentumParams = z.infer<ReturnType<typeof schema>>;

export const xsMomentum: Strategy<XsMomentumParams> = {
  name: 'xs-momentum',
  title: 'Cross-sectional momentum (12-1)',
  citation: 'Jegadeesh and Titman (1993), Journal of Finance 48(1)',
  description: 'Hold the top quantile of symbols ranked by their return over the past year, skipping the latest month.',
  scoreLabel: 'return from lookback to skip bars ago',
  exitRule: 'none between rebalances: a holding is sold when it leaves the top quantile at a rebalance',
  fields: ['adj_close'],
  paramsSchema: schema,
  sweep: { lookback: [126, 189, 252, 315], skip: [0, 5, 21], topPct: [10, 20, 30, 50] },
  targets(panel: StrategyPanel, p: XsMomentumParams, context?: StrategyContext): TargetSchedule {
    // A lookback and skip's returns serve every topPct of a sweep.
    const memo = context?.memo ?? computeNow;
    const scoresKey = `trailing-return:${p.lookback}:${p.skip}`;
    const scores = memo(scoresKey, () => panel.values.adj_close!.map((close) => trailingReturn(close, p.lookback, p.skip)));
    return quantileSchedule(panel, scores, p, { memo, scoresKey });
  },
};
