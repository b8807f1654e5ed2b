/**
 * Return forecasts from momentum, the documented mapping of the `mpo` strategy (mpo-policy.ts) that
 * the portfolio optimiser uses too: the 12-1 momentum m over `spanBars` bars, as a return per
 * period of `periodBars` bars shrunk towards zero,
 *   mu = shrink * m * periodBars / spanBars,
 * decaying over the horizon as momentum fades: r(k) = mu * decay^(k - 1), k = 1..horizon.
 */

/** Fraction of the momentum return believed, its decay per period ahead, and the periods planned. */
export const MOMENTUM_FORECAST = { shrink: 0.5, decay: 0.6, horizon: 3 } as const;

/**
 * The forecast return of the next period; NaN momentum gives NaN.
 * @example periodForecast(0.24, 231, 21) // 0.5 * 0.24 * 21 / 231 = 0.0109
 */
export function periodForecast(momentum: number, spanBars: number, periodBars: number, shrink: number = MOMENTUM_FORECAST.shrink): number {
  return (shrink * momentum * periodBars) / spanBars;
}

/**
 * Forecasts of periods 1..horizon from the next period's mu.
 * @example forecastPath(0.01, 0.6, 3) // Float64Array [0.01, 0.006, 0.0036]
 */
export function forecastPath(
  mu: number,
  decay: number = MOMENTUM_FORECAST.decay,
  horizon: number = MOMENTUM_FORECAST.horizon,
): Float64Array {
  return Float64Array.from({ length: horizon }, (_, k) => mu * decay ** k);
}
