/**
 * The top-quantile portfolio shared by the ranking strategies (xs-momentum, 52w-high,
 * vol-scaled-xs): rank the symbols with a score at bar t (rankAt) and hold the best quantile
 * equally weighted, optionally short the worst.
 *
 *   k   = max(1, floor(N_t * topPct / 100))     (N_t: symbols with a finite score at t)
 *   w_j = 1 / k for the k best, -1 / k for the k worst with longShort (never the same name twice),
 *         0 for any other symbol with a bar at t, NaN for a symbol without a bar at t (leave it).
 */
import { quantileCount, rankAt } from './ranking.js';

export interface QuantileSelection {
  /** Size of each leg, percent of the ranked symbols. */
  readonly topPct: number;
  /** Short the bottom quantile too. */
  readonly longShort: boolean;
}

/**
 * Unit weights of the quantile portfolio at bar t, one per symbol; undefined when no symbol has a
 * score at t (nothing to rank: keep the positions). `closes` only tell which symbols have a bar.
 * @example quantilePortfolio(scores, closes, t, panel.symbols, { topPct: 30, longShort: false })
 */
export function quantilePortfolio(
  scores: readonly Float64Array[],
  closes: readonly Float64Array[],
  t: number,
  symbols: readonly string[],
  selection: QuantileSelection,
): Float64Array | undefined {
  const ranked = rankAt(scores, t, symbols);
  if (ranked.length === 0) return undefined;
  const k = quantileCount(ranked.length, selection.topPct);
  const weights = Float64Array.from(closes, (close) => (Number.isNaN(close[t]!) ? Number.NaN : 0));
  for (const j of ranked) weights[j] = 0;
  for (const j of ranked.slice(0, k)) weights[j] = 1 / k;
  if (selection.longShort) for (const j of ranked.slice(Math.max(k, ranked.length - k))) weights[j] = -1 / k;
  return weights;
}
