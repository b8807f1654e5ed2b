/**
 * Dual momentum, Antonacci (2014), "Dual Momentum Investing" (Global Equities Momentum): relative
 * momentum picks the best risky assets, absolute momentum decides whether to hold them at all.
 *
 *   R_j(t)  = P_j[t] / P_j[t - lookback] - 1             (risky symbols ranked by R, best first)
 *   R_c(t)  = C[t] / C[t - lookback] - 1                 (C: `cashSymbol`; 0 when none is given)
 *   w_j(t)  = 1 / top for each of the `top` best with R_j(t) > R_c(t)
 *   w_f(t)  = (slices not held) / top                    (f: the fallback; no fallback: that slice stays in cash)
 *
 * The risky set is every symbol except the cash proxy and the fallback. With `fallback` '' (auto) the
 * symbols whose asset class is 'bond' form the fallback pool (not ranked): at each rebalance the one
 * with the lowest volatility of returns over the last `lookback` bars takes the slices. A slot left
 * empty because fewer than `top` risky symbols have a return counts as a failed slice. A rebalance
 * is skipped (all NaN: keep the positions) when no risky symbol has a return or the cash proxy has
 * none at t. Symbols without a bar at t get NaN, all others not held get 0.
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import { ValidationError } from '../errors.js';
import { rollingStd, simpleReturns, trailingReturn } from './indicators.js';
import { rankAt } from './ranking.js';
import { rebalanceMask, scheduleFields } from './schedule.js';
import { barsPerYear, emptyTargets, type Strategy, type StrategyPanel, type TargetSchedule } from './strategy.js';
import { optionalSymbol, symbolIndex } from './symbol-params.js';

const schema = (interval: Interval) =>
  z
    .strictObject({
      lookback: z.number().int().min(2).max(100_000).default(barsPerYear(interval)),
      top: z.number().int().min(1).max(1_000).default(1),
      cashSymbol: optionalSymbol().default(''),
      /** The symbol that takes the slices failing absolute momentum; '' picks the least volatile bond. */
      fallback: optionalSymbol().default(''),
      ...scheduleFields('month-end'),
    })
    .refine((p) => p.fallback === '' || p.fallback.trim().toUpperCase() !== p.cashSymbol.trim().toUpperCase(), {
      message: 'fallback must differ from cashSymbol',
      path: ['fallback'],
    });

export type DualMomentumParams = z.infer<ReturnType<typeof schema>>;

export const dualMomentum: Strategy<DualMomentumParams> = {
  name: 'dual-momentum',
  title: 'Dual momentum (Global Equities Momentum)',
  citation: 'Antonacci (2014), Dual Momentum Investing, McGraw-Hill; Antonacci (2013), SSRN 2042750',
  description: 'Hold the best risky assets by past-year return while they beat cash, else the bond fallback.',
  scoreLabel: 'trailing lookback return',
  exitRule: 'none between rebalances: a holding is switched when it leaves the top or falls below cash at a rebalance',
  fields: ['adj_close'],
  paramsSchema: schema,
  sweep: { lookback: [63, 126, 189, 252], top: [1, 2, 3] },
  targets(panel: StrategyPanel, p: DualMomentumParams): TargetSchedule {
    const closes = panel.values.adj_close!;
    const n = panel.symbols.length;
    const bars = panel.dates.length;
    const cash = symbolIndex(panel, p.cashSymbol, 'cashSymbol');
    const named = symbolIndex(panel, p.fallback, 'fallback');
    const pool = named >= 0 ? [named] : panel.symbols.flatMap((_, j) => (j !== cash && panel.assetClasses?.[j] === 'bond' ? [j] : []));
    const returns = closes.map((close) => trailingReturn(close, p.lookback));
    const cashReturn = cash >= 0 ? returns[cash]! : new Float64Array(bars);
    const isRisky = (j: number): boolean => j !== cash && !pool.includes(j);
    if (!panel.symbols.some((_, j) => isRisky(j))) {
      throw new ValidationError(
        'symbols',
        `dual-momentum needs a risky symbol besides cashSymbol and the fallback; the panel has ${panel.symbols.join(', ')}`,
      );
    }
    const risky = returns.map((r, j) => (isRisky(j) ? r : new Float64Array(bars).fill(Number.NaN)));
    const volatility = closes.map((close, j) => (named < 0 && pool.includes(j) ? rollingStd(simpleReturns(close), p.lookback) : undefined));
    const rebalance = rebalanceMask(panel.dates, panel.interval, p);
    const targets = emptyTargets(bars, n);
    const scores = emptyTargets(bars, n);
    for (let t = 0; t < bars; t++) {
      for (let j = 0; j < n; j++) scores[t * n + j] = returns[j]![t]!;
      if (!rebalance[t] || Number.isNaN(cashReturn[t]!)) continue;
      const ranked = rankAt(risky, t, panel.symbols);
      if (ranked.length === 0) continue;
      for (let j = 0; j < n; j++) if (!Number.isNaN(closes[j]![t]!)) targets[t * n + j] = 0;
      const held = ranked.slice(0, p.top).filter((j) => returns[j]![t]! > cashReturn[t]!);
      for (const j of held) targets[t * n + j] = 1 / p.top;
      const fallback = named >= 0 ? named : leastVolatile(pool, volatility, t, panel.symbols);
      if (held.length < p.top && fallback >= 0 && !Number.isNaN(closes[fallback]![t]!)) {
        targets[t * n + fallback] = (p.top - held.length) / p.top;
      }
    }
    return { kind: 'weights', rebalance, targets, scores };
  },
};

/** The pool symbol with the lowest finite volatility at t (ties by name), -1 when none has one. */
function leastVolatile(
  pool: readonly number[],
  volatility: readonly (Float64Array | undefined)[],
  t: number,
  symbols: readonly string[],
): number {
  let best = -1;
  let lowest = Infinity;
  for (const j of pool) {
    const v = volatility[j]![t]!;
    if (v < lowest || (v === lowest && best >= 0 && symbols[j]! < symbols[best]!)) [best, lowest] = [j, v];
  }
  return best;
}
