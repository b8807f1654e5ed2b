/**
 * Drawdown from the running peak, with the point of that peak (what an alert reports as
 * "down x% from its peak on date d").
 *
 *   peak_t = max_{u <= t} x_u,   D_t = (x_t - peak_t) / peak_t  (<= 0)
 *
 * Written as a difference over the peak (not x / peak - 1) so that round numbers stay exact:
 * 97.5 against a peak of 100 is exactly -0.025. Equal highs move the peak point forward, so the
 * peak of an episode is the last bar at its high.
 */
export interface RunningDrawdown {
  readonly drawdown: Float64Array;
  /** Index of the running peak at each point. */
  readonly peakPoint: Int32Array;
}

/** @example runningDrawdown([100, 110, 99]).drawdown // [0, 0, -0.1] */
export function runningDrawdown(series: ArrayLike<number>): RunningDrawdown {
  const drawdown = new Float64Array(series.length);
  const peakPoint = new Int32Array(series.length);
  let peak = Number.NEGATIVE_INFINITY;
  let at = 0;
  for (let t = 0; t < series.length; t++) {
    const x = series[t]!;
    if (x >= peak) {
      peak = x;
      at = t;
    }
    drawdown[t] = peak > 0 ? (x - peak) / peak : 0;
    peakPoint[t] = at;
  }
  return { drawdown, peakPoint };
}
