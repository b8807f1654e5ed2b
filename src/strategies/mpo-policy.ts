/**
 * Multi-period optimisation as a trading policy (receding horizon, model predictive control,
 * Boyd et al. 2017): at each rebalance, forecast returns for the next `horizon` periods from a
 * momentum signal, solve the MPO model of ../shared/MPO.md from the current weights, and trade
 * only the first period's step. Trading costs in the model make it trade only when the forecast
 * gain pays for them.
 *
 * Forecasts (documented mapping, momentum-forecast.ts): the 12-1 momentum
 * m_j(t) = P_j[t - skip] / P_j[t - lookback] - 1, turned into a per-period return over the
 * `lookback - skip` bars and shrunk towards zero,
 *   mu_j = shrink * m_j * periodBars / (lookback - skip),
 * decaying over the horizon as momentum fades: r_j(k) = mu_j * decay^(k - 1), k = 1..horizon.
 * periodBars is the gap since the previous rebalance (21 bars for month-end on daily bars).
 * Current weights: the policy's previous targets drifted by the prices since (no look-ahead),
 * the rest in cash; all cash where trading starts (rebalances in the warm-up are skipped). The
 * plan is not liquidated after its last period, so holding a position needs only to beat its
 * costs in, not a forced round trip within the horizon. A rebalance with no optimal plan keeps the
 * book as it is.
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import { OptimisationError } from '../errors.js';
import { planFirstStep } from '../mpo/first-step.js';
import { loadHighs } from '../mpo/highs-solver.js';
import { longOnlyProblem, MPO_DEFAULTS, startingWeights } from '../mpo/mpo-problem.js';
import { trailingReturn } from './indicators.js';
import { forecastPath, MOMENTUM_FORECAST, periodForecast } from './momentum-forecast.js';
import { nominalSpacing, rebalanceMask, scheduleFields } from './schedule.js';
import {
  barsPerMonth,
  barsPerYear,
  emptyTargets,
  type Strategy,
  type StrategyContext,
  type StrategyPanel,
  type TargetSchedule,
} from './strategy.js';

const schema = (interval: Interval) =>
  z
    .strictObject({
      lookback: z.number().int().min(2).max(100_000).default(barsPerYear(interval)),
      skip: z.number().int().min(0).max(100_000).default(barsPerMonth(interval)),
      /** Periods planned ahead. */
      horizon: z.number().int().min(1).max(24).default(MOMENTUM_FORECAST.horizon),
      /** Fraction of the momentum return believed. */
      shrink: z.number().min(0).max(1).default(MOMENTUM_FORECAST.shrink),
      /** Forecast decay per period ahead. */
      decay: z.number().min(0).max(1).default(MOMENTUM_FORECAST.decay),
      maxWeight: z.number().gt(0).max(1).default(0.3),
      maxTradeSize: z.number().gt(0).max(2).default(MPO_DEFAULTS.maxTradeSize),
      minCash: z.number().min(0).max(1).default(MPO_DEFAULTS.minCashBalance),
      /** Cost per unit of weight traded, as in the MPO model (0.001 = 10 bps). */
      transactionCost: z.number().min(0).max(0.1).default(MPO_DEFAULTS.transactionCost),
      tradeAversion: z.number().min(0).max(100).default(MPO_DEFAULTS.tradeAversion),
      ...scheduleFields('month-end'),
    })
    .refine((p) => p.skip < p.lookback, { message: 'skip must be shorter than lookback', path: ['skip'] });

export type MpoPolicyParams = z.infer<ReturnType<typeof schema>>;

export const mpoPolicy: Strategy<MpoPolicyParams> = {
  name: 'mpo',
  title: 'Multi-period optimisation on momentum forecasts (receding horizon)',
  citation: 'Boyd, Busseti, Diamond, Kahn, Koh, Nystrup and Speth (2017), Multi-Period Trading via Convex Optimization',
  description: 'Plan the next few periods on shrunk, decaying 12-1 momentum forecasts net of trading costs; trade the first step only.',
  scoreLabel: 'forecast return for the next period',
  exitRule: 'none between rebalances: a position shrinks when its forecast no longer pays for holding it',
  fields: ['adj_close'],
  paramsSchema: schema,
  sweep: { horizon: [1, 3, 6], shrink: [0.25, 0.5, 1], maxWeight: [0.2, 0.3, 0.5] },
  prepare: async () => void (await loadHighs()),
  targets(panel: StrategyPanel, p: MpoPolicyParams, context?: StrategyContext): TargetSchedule {
    const closes = panel.values.adj_close!;
    const n = panel.symbols.length;
    const bars = panel.dates.length;
    const rebalance = rebalanceMask(panel.dates, panel.interval, p);
    const momentum = closes.map((close) => trailingReturn(close, p.lookback, p.skip));
    const targets = emptyTargets(bars, n);
    const scores = emptyTargets(bars, n);
    let weights: Float64Array = new Float64Array(n); // the book at `asOf`, the last rebalance bar since trading started
    let asOf = -1;
    let previousRebalance = -1;
    const start = context?.start ?? 0;
    for (let t = 0; t < bars; t++) {
      if (!rebalance[t]) continue;
      const periodBars = previousRebalance >= 0 ? t - previousRebalance : nominalSpacing(p, panel.interval);
      previousRebalance = t;
      if (asOf >= 0) {
        weights = drift(weights, closes, asOf, t); // drifted once, whether or not a plan follows
        asOf = t;
      }
      const forecast = Float64Array.from(momentum, (m) =>
        Number.isFinite(m[t]!) ? periodForecast(m[t]!, p.lookback - p.skip, periodBars, p.shrink) : Number.NaN,
      );
      for (let j = 0; j < n; j++) scores[t * n + j] = forecast[j]!;
      if (t < start) continue; // the engine would not trade it: keep the book in cash until trading starts
      const tradable = panel.symbols.map((_, j) => Number.isFinite(forecast[j]!) && closes[j]![t]! > 0);
      if (!tradable.some(Boolean)) continue;
      const plan = firstStep(panel.symbols, tradable, weights, forecast, p);
      if (!plan) continue;
      for (let j = 0; j < n; j++) targets[t * n + j] = tradable[j] ? plan[j]! : 0;
      weights = Float64Array.from(targets.subarray(t * n, t * n + n), (w) => (Number.isNaN(w) ? 0 : w));
      asOf = t;
    }
    return { kind: 'weights', rebalance, targets, scores };
  },
};

/** Weights moved by the prices between two bars, as a fraction of the portfolio (cash earns nothing). */
function drift(weights: Float64Array, closes: readonly Float64Array[], from: number, to: number): Float64Array {
  let value = 1 - weights.reduce((sum, w) => sum + w, 0);
  const grown = Float64Array.from(weights, (w, j) => {
    const ratio = closes[j]![to]! / closes[j]![from]!;
    const v = w * (Number.isFinite(ratio) ? ratio : 1);
    value += v;
    return v;
  });
  return grown.map((v) => (value > 0 ? v / value : 0));
}

/** The plan's post-trade weights of period 1 for the tradable symbols (0 for the others), or undefined with no optimal plan. */
function firstStep(
  symbols: readonly string[],
  tradable: readonly boolean[],
  weights: Float64Array,
  forecast: Float64Array,
  p: MpoPolicyParams,
): Float64Array | undefined {
  const columns = tradable.flatMap((yes, j) => (yes ? [j] : []));
  const problem = longOnlyProblem({
    risky: columns.map((j) => symbols[j]!),
    initial: startingWeights(columns.map((j) => weights[j]!)),
    returns: columns.map((j) => forecastPath(forecast[j]!, p.decay, p.horizon)),
    maxWeight: new Float64Array(columns.length).fill(p.maxWeight),
    minCashBalance: p.minCash,
    maxTradeSize: p.maxTradeSize,
    tradeAversion: p.tradeAversion,
    transactionCost: p.transactionCost,
  });
  let plan: Float64Array;
  try {
    plan = planFirstStep(problem);
  } catch (error) {
    if (error instanceof OptimisationError) return undefined;
    throw error;
  }
  const first = new Float64Array(weights.length);
  columns.forEach((j, i) => (first[j] = Math.max(0, plan[i]!)));
  return first;
}
