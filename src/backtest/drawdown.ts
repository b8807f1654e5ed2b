/**
 * Drawdowns of an equity curve. Drawdown at bar t = (peak_t - equity_t) / peak_t, peak_t the
 * running maximum of equity up to t (starting from the initial capital when given). As in
 * backtrader's DrawDown analyzer, the deepest percentage, the largest money amount and the
 * longest run of bars below the peak are each the worst over the whole curve (they can come from
 * different episodes); the deepest episode is described by its peak, trough and recovery bars.
 */
export interface DrawdownStats {
  /** Deepest drawdown as a fraction (0.2 = 20%). */
  readonly maxDepth: number;
  /** Largest peak-to-value loss in money. */
  readonly maxMoneydown: number;
  /** Longest run of consecutive bars below the running peak. */
  readonly maxLength: number;
  /** The deepest episode: bar of its peak (-1: the initial capital), trough, and recovery (-1: not recovered). */
  readonly peak: number;
  readonly trough: number;
  readonly recovery: number;
  /** Drawdown at each bar, fractions (>= 0). */
  readonly series: Float64Array;
}

/** @example drawdownStats(Float64Array.of(100, 120, 90, 130)).maxDepth // 0.25 */
export function drawdownStats(equity: Float64Array, initial?: number): DrawdownStats {
  const series = new Float64Array(equity.length);
  let peakValue = initial ?? Number.NEGATIVE_INFINITY;
  let peakBar = -1;
  let maxDepth = 0;
  let maxMoneydown = 0;
  let maxLength = 0;
  let length = 0;
  let worst = { peak: -1, trough: -1, recovery: -1 };
  for (let t = 0; t < equity.length; t++) {
    const value = equity[t]!;
    if (value >= peakValue) {
      if (worst.trough >= 0 && worst.recovery < 0 && worst.peak === peakBar) worst = { ...worst, recovery: t };
      peakValue = value;
      peakBar = t;
      length = 0;
      continue;
    }
    const depth = (peakValue - value) / peakValue;
    series[t] = depth;
    length++;
    maxLength = Math.max(maxLength, length);
    maxMoneydown = Math.max(maxMoneydown, peakValue - value);
    if (depth > maxDepth) {
      maxDepth = depth;
      worst = { peak: peakBar, trough: t, recovery: -1 };
    }
  }
  return { maxDepth, maxMoneydown, maxLength, ...worst, series };
}
