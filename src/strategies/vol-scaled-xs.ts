/**
 * Volatility-scaled momentum, Barroso and Santa-Clara (2015), "Momentum has its moments": the 12-1
 * cross-sectional momentum portfolio of xs-momentum (Jegadeesh and Titman 1993), scaled at each
 * rebalance so that its forecast volatility is `targetVol`. Momentum's risk is predictable from its
 * own recent realised variance, and scaling it down before crashes roughly doubles its Sharpe ratio.
 *
 *   w_j(t)      = 1 / k for the k best 12-1 returns (-1 / k for the k worst with longShort), 0 otherwise
 *   r_p(s)      = sum_j w_j(tau) * r_j(s)       tau: the last rebalance before s, r_j: simple return
 *   sigma_hat^2 = barsPerYear * mean(r_p(s)^2, s = t - volWindow + 1 .. t)   (uncentred, as the paper)
 *   target_j(t) = min(maxLeverage, targetVol / sigma_hat(t)) * w_j(t)
 *
 * r_p is the unscaled portfolio's own return, rebuilt from prices up to t: its weights are held
 * constant between its rebalances (drift ignored), close to close; a held symbol without a bar adds
 * nothing that bar. Until `volWindow` such returns exist the scale is 1. The paper's long-short
 * portfolio (deciles, topPct 10) may lever up to 2 (`maxLeverage: 2`); long-only, the default 1
 * only ever cuts exposure.
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import { rollingMean, simpleReturns, trailingReturn } from './indicators.js';
import { quantilePortfolio } from './momentum-selection.js';
import { rebalanceMask, scheduleFields } from './schedule.js';
import { barsPerMonth, barsPerYear, emptyTargets, type Strategy, type StrategyPanel, type TargetSchedule } from './strategy.js';

const schema = (interval: Interval) =>
  z
    .strictObject({
      lookback: z.number().int().min(2).max(100_000).default(barsPerYear(interval)),
      skip: z.number().int().min(0).max(100_000).default(barsPerMonth(interval)),
      topPct: z.number().gt(0).max(100).default(20),
      longShort: z.boolean().default(false),
      /** Bars of the unscaled portfolio's returns behind sigma_hat (six months). */
      volWindow: z
        .number()
        .int()
        .min(2)
        .max(100_000)
        .default(Math.round(barsPerYear(interval) / 2)),
      /** Annualised volatility the scaled portfolio aims at. */
      targetVol: z.number().gt(0).max(2).default(0.12),
      /** Cap on the scale targetVol / sigma_hat. */
      maxLeverage: z.number().min(1).max(10).default(1),
      ...scheduleFields('month-end'),
    })
    .refine((p) => p.skip < p.lookback, { message: 'skip must be shorter than lookback', path: ['skip'] });

export type VolScaledXsParams = z.infer<ReturnType<typeof schema>>;

export const volScaledXs: Strategy<VolScaledXsParams> = {
  name: 'vol-scaled-xs',
  title: 'Volatility-scaled cross-sectional momentum',
  citation: 'Barroso and Santa-Clara (2015), Journal of Financial Economics 116(1)',
  description: 'The 12-1 momentum portfolio, scaled at each rebalance by target volatility over its own realised volatility.',
  scoreLabel: 'return from lookback to skip bars ago',
  exitRule: 'none between rebalances: a holding is sold when it leaves the top quantile at a rebalance',
  fields: ['adj_close'],
  paramsSchema: schema,
  sweep: { lookback: [126, 252], topPct: [10, 20, 30], volWindow: [21, 63, 126], targetVol: [0.1, 0.12, 0.15] },
  targets(panel: StrategyPanel, p: VolScaledXsParams): TargetSchedule {
    const closes = panel.values.adj_close!;
    const n = panel.symbols.length;
    const bars = panel.dates.length;
    const rebalance = rebalanceMask(panel.dates, panel.interval, p);
    const scores = closes.map((close) => trailingReturn(close, p.lookback, p.skip));
    const returns = closes.map((close) => simpleReturns(close));
    // Pass 1: the unscaled portfolio, its weights at each rebalance and its return r_p at every bar.
    const unscaled = emptyTargets(bars, n);
    const squared = new Float64Array(bars).fill(Number.NaN);
    let held: Float64Array | undefined;
    for (let t = 0; t < bars; t++) {
      if (held) {
        let r = 0;
        for (let j = 0; j < n; j++) if (!Number.isNaN(returns[j]![t]!)) r += held[j]! * returns[j]![t]!;
        squared[t] = r * r;
      }
      if (!rebalance[t]) continue;
      const weights = quantilePortfolio(scores, closes, t, panel.symbols, p);
      if (!weights) continue;
      unscaled.set(weights, t * n);
      // A NaN weight leaves that position as it is.
      const previous = held ?? new Float64Array(n);
      held = weights.map((w, j) => (Number.isNaN(w) ? previous[j]! : w));
    }
    // Pass 2: scale each rebalance by targetVol / sigma_hat, sigma_hat from r_p up to t.
    const annual = barsPerYear(panel.interval);
    const sigma = rollingMean(squared, p.volWindow).map((meanSquare) => Math.sqrt(meanSquare * annual));
    const targets = emptyTargets(bars, n);
    const scoreGrid = emptyTargets(bars, n);
    for (let t = 0; t < bars; t++) {
      for (let j = 0; j < n; j++) scoreGrid[t * n + j] = scores[j]![t]!;
      if (!rebalance[t]) continue;
      const scale = Number.isNaN(sigma[t]!) ? 1 : Math.min(p.maxLeverage, p.targetVol / sigma[t]!);
      for (let j = 0; j < n; j++) targets[t * n + j] = scale * unscaled[t * n + j]!;
    }
    return { kind: 'weights', rebalance, targets, scores: scoreGrid };
  },
};
