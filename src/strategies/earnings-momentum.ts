/**
 * Earnings momentum, the post-earnings-announcement drift of Bernard and Thomas (1989), "Post-
 * Earnings-Announcement Drift", and Chan, Jegadeesh and Lakonishok (1996), "Momentum Strategies":
 * prices under-react to an earnings surprise and drift its way for about a quarter after it.
 *
 * SUE, the analyst-based standardised unexpected earnings of Livnat and Mendenhall (2006), of a
 * name's latest announcement e with a reported and an expected EPS:
 *
 *   SUE_j(e)   = (epsActual - epsEstimate) / close_j[b_e - 1]     (b_e: the first bar that sees e)
 *   score_j(t) = SUE_j(e) for the latest e with b_e <= t, while t - b_e < holdBars and SUE > 0
 *
 * then the top `topPct`% of the names with a score, equally weighted, set every `every` bars (or
 * another schedule); a name with no positive surprise in its hold window is not held, and with none
 * anywhere the portfolio is cash. The close is unadjusted (EPS is per share as reported then), the
 * last one before the announcement could be traded on: the scale of a surprise, not its sign. An
 * announcement is seen from the UTC day after its date (the as-of rule of src/data/fundamentals.ts:
 * a release after the close cannot be traded that day); one without an estimate is skipped.
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import { longTopQuantile } from './momentum-selection.js';
import { scheduleFields } from './schedule.js';
import { barsPerMonth, type Strategy, type StrategyContext, type StrategyPanel, type TargetSchedule } from './strategy.js';

const schema = (interval: Interval) => {
  const quarter = 3 * barsPerMonth(interval);
  return z.strictObject({
    /** Bars a surprise counts after the bar that first sees it (a quarter). */
    holdBars: z.number().int().min(1).max(100_000).default(quarter),
    topPct: z.number().gt(0).max(100).default(30),
    ...scheduleFields('every', Math.max(1, Math.round(barsPerMonth(interval) / 4))),
  });
};

export type EarningsMomentumParams = z.infer<ReturnType<typeof schema>>;

export const earningsMomentum: Strategy<EarningsMomentumParams> = {
  name: 'earnings-momentum',
  title: 'Earnings momentum (post-earnings-announcement drift)',
  citation:
    'Bernard and Thomas (1989), Journal of Accounting Research 27; Chan, Jegadeesh and Lakonishok (1996), Journal of Finance 51(5); SUE as in Livnat and Mendenhall (2006), Journal of Accounting Research 44(1)',
  description:
    'Hold the top quantile of names by standardised unexpected earnings (reported minus expected EPS over the last close before the announcement) of a positive surprise announced within the last holdBars bars. An announcement counts from the UTC day after its date.',
  scoreLabel: 'standardised unexpected earnings (EPS surprise / price) of the latest announcement',
  exitRule: 'a holding is sold at the first rebalance after its surprise is holdBars old, or when better surprises push it out',
  fields: ['adj_close', 'close'],
  data: { earnings: true },
  paramsSchema: schema,
  sweep: { holdBars: [21, 42, 63, 126], topPct: [20, 30, 50], every: [5, 21] },
  targets(panel: StrategyPanel, p: EarningsMomentumParams, context?: StrategyContext): TargetSchedule {
    return longTopQuantile(panel, p, `earnings-momentum:${p.holdBars}`, () => sueScores(panel, p.holdBars), context);
  },
};

/** score_j(t) of the module comment, one column per symbol (NaN: no positive surprise in its window). */
function sueScores(panel: StrategyPanel, holdBars: number): Float64Array[] {
  const bars = panel.dates.length;
  return panel.symbols.map((_, j) => {
    const out = new Float64Array(bars).fill(Number.NaN);
    const close = panel.values.close![j]!;
    for (const e of panel.earnings?.[j] ?? []) {
      if (e.epsActual === null || e.epsEstimate === null || e.firstBar === 0) continue;
      const sue = (e.epsActual - e.epsEstimate) / close[e.firstBar - 1]!;
      // A later announcement replaces this one from its own first bar (events come in first-bar order).
      for (let t = e.firstBar; t < Math.min(bars, e.firstBar + holdBars); t++) out[t] = sue > 0 ? sue : Number.NaN;
    }
    return out;
  });
}
