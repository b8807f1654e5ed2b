/**
 * Cross-sectional selection shared by the ranking strategies: order the symbols with a score at
 * bar t, best first, ties broken by symbol name (deterministic, and what the reference cases use).
 */

/** Indices of symbols with a finite score at bar t, best (highest) first, ties by symbol name. */
export function rankAt(scores: readonly Float64Array[], t: number, symbols: readonly string[]): number[] {
  const eligible: number[] = [];
  for (let j = 0; j < scores.length; j++) if (Number.isFinite(scores[j]![t]!)) eligible.push(j);
  return eligible.sort((a, b) => scores[b]![t]! - scores[a]![t]! || (symbols[a]! < symbols[b]! ? -1 : symbols[a]! > symbols[b]! ? 1 : 0));
}

/** How many names a top-`pct`% quantile of `eligible` names holds: max(1, floor(eligible * pct / 100)). */
export function quantileCount(eligible: number, pct: number): number {
  return Math.max(1, Math.floor((eligible * pct) / 100));
}
