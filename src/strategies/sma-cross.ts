/**
 * SMA crossover: go long a symbol when its fast moving average crosses above the slow one, and
 * close the position when it crosses back below. Symbols trade independently; each position is
 * opened at `weight` of portfolio value (default 1/N) and then left alone until the down-cross.
 *
 * A crossover at bar t: the sign of (fast - slow) differs from the previous non-zero difference
 * (an exact zero carries the previous sign). The first possible signal is the bar after both
 * averages first exist; a state that already holds then is not a signal. Averages are exact
 * (indicators.ts): prices often tie, and a drifting running sum would flip crossovers.
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import { rollingMean } from './indicators.js';
import { rebalanceMask, scheduleFields } from './schedule.js';
import { stateTargets } from './state-targets.js';
import { emptyTargets, type Strategy, type StrategyPanel, type TargetSchedule } from './strategy.js';

/** +1 at up-crosses, -1 at down-crosses, 0 elsewhere. @example crossovers(close, 20, 100) */
export function crossovers(close: Float64Array, fast: number, slow: number): Int8Array {
  const fastMean = rollingMean(close, fast);
  const slowMean = rollingMean(close, slow);
  const signal = new Int8Array(close.length);
  let previous = Number.NaN; // sign of the last difference; NaN until both averages exist
  for (let t = 0; t < close.length; t++) {
    const difference = fastMean[t]! - slowMean[t]!;
    if (Number.isNaN(difference)) {
      previous = Number.NaN;
      continue;
    }
    const sign = Math.sign(difference) || (Number.isNaN(previous) ? 0 : previous);
    if (!Number.isNaN(previous) && previous !== 0 && sign !== 0 && sign !== previous) signal[t] = sign;
    previous = sign;
  }
  return signal;
}

const schema = (_interval: Interval) =>
  z
    .strictObject({
      fast: z.number().int().min(1).max(10_000).default(20),
      slow: z.number().int().min(2).max(10_000).default(100),
      /** Weight of each new position; 0 means 1 / number of symbols. */
      weight: z.number().min(0).max(1).default(0),
      ...scheduleFields('daily'),
    })
    .refine((p) => p.fast < p.slow, { message: 'fast must be shorter than slow', path: ['fast'] });

export type SmaCrossParams = z.infer<ReturnType<typeof schema>>;

export const smaCross: Strategy<SmaCrossParams> = {
  name: 'sma-cross',
  title: 'SMA crossover',
  citation: 'classic trend following; see e.g. Brock, Lakonishok and LeBaron (1992)',
  description: 'Long a symbol from the bar its fast SMA crosses above the slow SMA until it crosses back below.',
  scoreLabel: 'fast SMA / slow SMA - 1',
  exitRule: 'the fast SMA crossing below the slow SMA closes the position at the next bar',
  fields: ['adj_close'],
  paramsSchema: schema,
  sweep: { fast: [10, 20, 50], slow: [50, 100, 150, 200] },
  targets(panel: StrategyPanel, p: SmaCrossParams): TargetSchedule {
    const n = panel.symbols.length;
    const bars = panel.dates.length;
    const weight = p.weight > 0 ? p.weight : 1 / n;
    const scores = emptyTargets(bars, n);
    const states = panel.values.adj_close!.map((close, j) => {
      const signal = crossovers(close, p.fast, p.slow);
      const fast = rollingMean(close, p.fast);
      const slow = rollingMean(close, p.slow);
      // The state is the direction of the last crossover (state-targets.ts): +1 long, -1 flat.
      const held = new Int8Array(bars);
      let state = 0;
      for (let t = 0; t < bars; t++) {
        scores[t * n + j] = fast[t]! / slow[t]! - 1;
        if (signal[t] !== 0) state = signal[t]!;
        held[t] = state;
      }
      return held;
    });
    const { rebalance, targets } = stateTargets(states, rebalanceMask(panel.dates, panel.interval, p), (state) => (state > 0 ? weight : 0));
    return { kind: 'weights', rebalance, targets, scores };
  },
};
