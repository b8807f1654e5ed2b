/**
 * Quality momentum: the 12-1 momentum of Jegadeesh and Titman (1993) among names that pass a
 * profitability and leverage screen, after Asness, Frazzini and Pedersen (2019), "Quality minus
 * junk": profitable, safely financed names; momentum among junk names is the part that crashes.
 *
 *   ROE_j(t)      = net_income / total_equity       (the latest annual statement seen at t)
 *   leverage_j(t) = total_debt / total_equity       (the same statement)
 *   passes_j(t)   = ROE_j(t) >= minRoe and leverage_j(t) <= maxLeverage and total_equity > 0
 *   score_j(t)    = P_j[t - skip] / P_j[t - lookback] - 1 when it passes, none otherwise
 *
 * then xs-momentum's top quantile (momentum-selection.ts); at a rebalance where no name passes, it
 * holds cash. The three figures must come from one
 * fiscal year (the same period end): a name whose latest figures are of different years, that has
 * no annual statement seen yet, or has negative equity (ROE and leverage mean nothing there) is not
 * ranked, so never bought. A statement is seen from the UTC day after it became known (its reported
 * date, else its year end plus 90 days: src/data/fundamental.ts).
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import type { FundamentalField } from '../data/fundamental.js';
import { trailingReturn } from './indicators.js';
import { longTopQuantile } from './momentum-selection.js';
import { scheduleFields } from './schedule.js';
import { barsPerMonth, barsPerYear, type Strategy, type StrategyContext, type StrategyPanel, type TargetSchedule } from './strategy.js';

const schema = (interval: Interval) =>
  z
    .strictObject({
      lookback: z.number().int().min(2).max(100_000).default(barsPerYear(interval)),
      skip: z.number().int().min(0).max(100_000).default(barsPerMonth(interval)),
      topPct: z.number().gt(0).max(100).default(30),
      /** Least return on equity, a fraction (0.1: 10%). */
      minRoe: z.number().min(-10).max(10).default(0.1),
      /** Most debt per unit of equity. */
      maxLeverage: z.number().min(0).max(100).default(1.5),
      ...scheduleFields('month-end'),
    })
    .refine((p) => p.skip < p.lookback, { message: 'skip must be shorter than lookback', path: ['skip'] });

export type QualityMomentumParams = z.infer<ReturnType<typeof schema>>;

const FIELDS = ['net_income', 'total_equity', 'total_debt'] as const satisfies readonly FundamentalField[];

export const qualityMomentum: Strategy<QualityMomentumParams> = {
  name: 'quality-momentum',
  title: 'Quality momentum (12-1 among profitable, low-leverage names)',
  citation:
    'Asness, Frazzini and Pedersen (2019), Review of Accounting Studies 24(1); Jegadeesh and Titman (1993), Journal of Finance 48(1)',
  description:
    'Hold the top quantile by 12-1 momentum among names whose latest annual statement known at the bar shows ROE (net income / equity) of at least minRoe and debt / equity of at most maxLeverage; names without such a statement are not held. A statement counts from the UTC day after its reported date (else year end + 90 days).',
  scoreLabel: '12-1 return among names passing the ROE and leverage screen',
  exitRule: 'none between rebalances: a holding is sold when it leaves the top quantile or fails the screen at a rebalance',
  fields: ['adj_close'],
  data: { fundamentals: { fields: FIELDS, periodType: 'annual' } },
  paramsSchema: schema,
  sweep: { lookback: [126, 252], skip: [0, 21], topPct: [20, 30, 50], minRoe: [0, 0.1, 0.2], maxLeverage: [0.5, 1.5, 3] },
  targets(panel: StrategyPanel, p: QualityMomentumParams, context?: StrategyContext): TargetSchedule {
    const scoresKey = `quality-momentum:${p.lookback}:${p.skip}:${p.minRoe}:${p.maxLeverage}`;
    return longTopQuantile(
      panel,
      p,
      scoresKey,
      (memo) => {
        // The same returns as xs-momentum's (and its memo key): a sweep computes them once for every screen.
        const momentum = memo(`trailing-return:${p.lookback}:${p.skip}`, () =>
          panel.values.adj_close!.map((close) => trailingReturn(close, p.lookback, p.skip)),
        );
        const passes = qualityScreen(panel, p.minRoe, p.maxLeverage);
        return momentum.map((column, j) => column.map((r, t) => (passes[j]![t] ? r : Number.NaN)));
      },
      context,
    );
  },
};

/** 1 where the symbol's latest annual statement seen at the bar passes the screen (see the module comment). */
export function qualityScreen(panel: StrategyPanel, minRoe: number, maxLeverage: number): Uint8Array[] {
  const f = panel.fundamentals;
  const bars = panel.dates.length;
  return panel.symbols.map((_, j) => {
    const passes = new Uint8Array(bars);
    if (!f) return passes;
    const [income, equity, debt] = FIELDS.map((field) => f.values[field]![j]!);
    const [incomePeriod, equityPeriod, debtPeriod] = FIELDS.map((field) => f.periodEnd[field]![j]!);
    for (let t = 0; t < bars; t++) {
      const oneYear = incomePeriod![t] === equityPeriod![t] && debtPeriod![t] === equityPeriod![t];
      const e = equity![t]!;
      if (!oneYear || !(e > 0)) continue;
      passes[t] = income![t]! / e >= minRoe && debt![t]! / e <= maxLeverage ? 1 : 0;
    }
    return passes;
  });
}
