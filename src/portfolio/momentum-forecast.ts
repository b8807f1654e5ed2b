/**
 * Return forecasts for the MPO optimiser, the `mpo` strategy's documented mapping
 * (src/strategies/mpo-policy.ts): shrunk 12-1 momentum per month, decaying month by month.
 */

/** Fraction of the momentum return believed, its decay per month ahead, and the months planned. */
export const MPO_FORECAST = { shrink: 0.5, decay: 0.6, horizon: 3 } as const;

/**
 * Monthly return forecast from the 12-1 momentum m (over `spanBars` bars): shrink x m x monthBars / spanBars.
 * @example monthlyForecast(0.24, 231, 21) // 0.5 * 0.24 * 21 / 231 = 0.0109
 */
export function monthlyForecast(momentum: number, spanBars: number, monthBars: number): number {
  return Number.isFinite(momentum) ? (MPO_FORECAST.shrink * momentum * monthBars) / spanBars : 0;
}
