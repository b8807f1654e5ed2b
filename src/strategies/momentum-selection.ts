/**
 * The top-quantile portfolio shared by the ranking strategies (xs-momentum, 52w-high,
 * vol-scaled-xs): rank the symbols with a score at bar t (rankAt) and hold the best quantile
 * equally weighted, optionally short the worst.
 *
 *   k   = max(1, floor(N_t * topPct / 100))     (N_t: symbols with a finite score at t)
 *   w_j = 1 / k for the k best, -1 / k for the k worst with longShort (never the same name twice),
 *         0 for any other symbol with a bar at t, NaN for a symbol without a bar at t (leave it).
 *
 * xs-momentum and 52w-high hold it as it is, scaled by `targetScale` (quantileSchedule);
 * vol-scaled-xs scales it by its forecast volatility.
 */
import { quantileCount, rankAt } from './ranking.js';
import { rebalanceMask, type ScheduleParams } from './schedule.js';
import { computeNow, type SignalMemo } from './signal-memo.js';
import { emptyTargets, type StrategyPanel, type TargetSchedule } from './strategy.js';

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
  return ranked.length === 0 ? undefined : quantileWeights(ranked, closes, t, selection);
}

/** The quantile portfolio's unit weights at bar t from the symbols ranked there (rankAt, not empty). */
function quantileWeights(
  ranked: readonly number[],
  closes: readonly Float64Array[],
  t: number,
  selection: QuantileSelection,
): Float64Array {
  const k = quantileCount(ranked.length, selection.topPct);
  const weights = baseWeights(ranked, closes, t);
  for (let i = 0; i < k; i++) weights[ranked[i]!] = 1 / k;
  if (selection.longShort) for (let i = Math.max(k, ranked.length - k); i < ranked.length; i++) weights[ranked[i]!] = -1 / k;
  return weights;
}

/** NaN for a symbol without a bar at t (unless ranked), 0 for the others: the quantile weights before the legs are set. */
function baseWeights(ranked: readonly number[], closes: readonly Float64Array[], t: number): Float64Array {
  const weights = new Float64Array(closes.length);
  for (let j = 0; j < closes.length; j++) if (Number.isNaN(closes[j]![t]!)) weights[j] = Number.NaN;
  for (const j of ranked) weights[j] = 0;
  return weights;
}

export interface QuantileScheduleParams extends QuantileSelection, ScheduleParams {
  /** Gross weight of each leg: the k best get targetScale / k each. */
  readonly targetScale: number;
}

/**
 * The schedule of a strategy that holds the quantile portfolio of `scores` (one column per symbol)
 * at each rebalance bar, scaled by targetScale; a bar with nothing to rank keeps the positions
 * (NaN), or with `noneRanked: 'cash'` sells them (a screen or an event no name passes). The scores are also returned as the T x N report grid. In a sweep, `shared` names the
 * scores (`scoresKey`: everything they depend on) so that the rebalance bars, the rankings and the
 * report grid are computed once for every combination that differs only in topPct, targetScale or
 * longShort.
 * @example quantileSchedule(panel, closes.map((close) => trailingReturn(close, 252, 21)), p)
 */
export function quantileSchedule(
  panel: StrategyPanel,
  scores: readonly Float64Array[],
  p: QuantileScheduleParams,
  shared?: { readonly memo: SignalMemo; readonly scoresKey: string },
  noneRanked: 'keep' | 'cash' = 'keep',
): TargetSchedule {
  const memo = shared?.memo ?? computeNow;
  const closes = panel.values.adj_close!;
  const n = panel.symbols.length;
  const bars = panel.dates.length;
  const scheduleKey = `rebalance:${p.rebalance}:${p.every}`;
  const rebalance = memo(scheduleKey, () => rebalanceMask(panel.dates, panel.interval, p));
  const rankings = memo(`${shared?.scoresKey}:ranks:${scheduleKey}`, () =>
    Array.from(rebalance, (flag, t) => (flag ? rankAt(scores, t, panel.symbols) : [])),
  );
  const scoreGrid = memo(`${shared?.scoresKey}:grid`, () => {
    const grid = emptyTargets(bars, n);
    for (let t = 0; t < bars; t++) for (let j = 0; j < n; j++) grid[t * n + j] = scores[j]![t]!;
    return grid;
  });
  // Each rebalance row before the quantiles are set (NaN: no bar, 0: ranked or out), as quantileWeights starts it.
  const baseRows = memo(`${shared?.scoresKey}:base:${scheduleKey}:${noneRanked}`, () =>
    rankings.map((ranked, t) =>
      ranked.length > 0 || (noneRanked === 'cash' && rebalance[t]) ? baseWeights(ranked, closes, t) : undefined,
    ),
  );
  // The combinations sharing these rankings write the same rows, each row whole: in a sweep one
  // buffer serves them in turn (a combination's schedule is used up before the next is computed),
  // sparing a NaN-filled T x N array per combination. Without a memo it is a fresh array.
  const targets = memo(`${shared?.scoresKey}:targets:${scheduleKey}:${noneRanked}`, () => emptyTargets(bars, n));
  for (let t = 0; t < bars; t++) {
    const ranked = rankings[t]!;
    if (baseRows[t]) targets.set(baseRows[t]!, t * n);
    if (ranked.length === 0) continue;
    // targetScale x quantileWeights(ranked, closes, t, p), written in place: NaN and 0 stay as they are.
    const k = quantileCount(ranked.length, p.topPct);
    for (let i = 0; i < k; i++) targets[t * n + ranked[i]!] = p.targetScale * (1 / k);
    if (p.longShort)
      for (let i = Math.max(k, ranked.length - k); i < ranked.length; i++) targets[t * n + ranked[i]!] = p.targetScale * (-1 / k);
  }
  return { kind: 'weights', rebalance, targets, scores: scoreGrid };
}

/**
 * The long-only top quantile of scores computed once per `scoresKey` (in a sweep, per memo), cash at
 * a rebalance where no name has a score: the schedule of the strategies that screen or wait for
 * events (quality-, earnings- and revision-momentum).
 * @example longTopQuantile(panel, p, `revision-momentum:${p.windowBars}`, () => netUpgrades(panel, p.windowBars), context)
 */
export function longTopQuantile(
  panel: StrategyPanel,
  p: Pick<QuantileSelection, 'topPct'> & ScheduleParams,
  scoresKey: string,
  scoresOf: (memo: SignalMemo) => readonly Float64Array[],
  context?: { readonly memo?: SignalMemo | undefined },
): TargetSchedule {
  const memo = context?.memo ?? computeNow;
  const scores = memo(scoresKey, () => scoresOf(memo));
  return quantileSchedule(panel, scores, { ...p, targetScale: 1, longShort: false }, { memo, scoresKey }, 'cash');
}
