/**
 * Donchian channel breakout, the Turtle rules (Donchian 1960; Faith (2007), "Way of the Turtle"):
 * go long a symbol when its close breaks above the highest high of the previous `entry` bars and
 * close the position when the close breaks below the lowest low of the previous `exit` bars. With
 * `allowShort`, the mirror image: short below the `entry`-bar low, cover above the `exit`-bar high.
 * Symbols trade independently; each position is opened at `weight` of portfolio value (default
 * 1/N) and then left alone until its exit.
 *
 *   H_n(t) = max(adj_high[t - n .. t - 1]),  L_n(t) = min(adj_low[t - n .. t - 1])   (today excluded)
 *   enter long  when adj_close[t] > H_entry(t)    exit long  when adj_close[t] < L_exit(t)
 *   enter short when adj_close[t] < L_entry(t)    exit short when adj_close[t] > H_exit(t)
 *   score(t) = (adj_close[t] - L_entry(t)) / (H_entry(t) - L_entry(t))   (> 1: breakout up)
 *
 * Breakouts are strict: a close equal to the channel edge is no signal. An exit and the opposite
 * entry can happen on the same bar (a reversal). As in sma-cross, the state a bar sets is acted on
 * at the first bar the rebalance schedule allows, and only if it differs from the last one acted on
 * (state-targets.ts).
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import { rollingMax, rollingMin } from './indicators.js';
import { rebalanceMask, scheduleFields } from './schedule.js';
import { stateTargets } from './state-targets.js';
import { barsPerYear, emptyTargets, type Strategy, type StrategyPanel, type TargetSchedule } from './strategy.js';

/** A lookback given in trading days (252 a year) as bars of `interval`, at least 1. */
const daysAsBars = (days: number, interval: Interval): number => Math.max(1, Math.round((days * barsPerYear(interval)) / 252));

const schema = (interval: Interval) =>
  z
    .strictObject({
      /** Bars of the breakout channel (Turtle system 1: 20 days, system 2: 55). */
      entry: z.number().int().min(1).max(10_000).default(daysAsBars(20, interval)),
      /** Bars of the exit channel (system 1: 10 days, system 2: 20). */
      exit: z.number().int().min(1).max(10_000).default(daysAsBars(10, interval)),
      /** Weight of each new position; 0 means 1 / number of symbols. */
      weight: z.number().min(0).max(1).default(0),
      allowShort: z.boolean().default(false),
      ...scheduleFields('daily'),
    })
    .refine((p) => p.exit <= p.entry, { message: 'exit must not be longer than entry', path: ['exit'] });

export type DonchianParams = z.infer<ReturnType<typeof schema>>;

export const donchian: Strategy<DonchianParams> = {
  name: 'donchian',
  title: 'Donchian channel breakout (Turtle)',
  citation: 'Donchian (1960); the Turtle rules, Faith (2007), "Way of the Turtle"',
  description: 'Long a symbol from a close above its previous entry-bar high until a close below its previous exit-bar low.',
  scoreLabel: 'position of the close in the previous entry-bar channel (0: low, 1: high)',
  exitRule: 'a close below the lowest low of the previous exit bars (above the highest high, for shorts) closes the position',
  fields: ['adj_close', 'adj_high', 'adj_low'],
  paramsSchema: schema,
  sweep: { entry: [20, 55], exit: [10, 20] },
  targets(panel: StrategyPanel, p: DonchianParams): TargetSchedule {
    const n = panel.symbols.length;
    const bars = panel.dates.length;
    const weight = p.weight > 0 ? p.weight : 1 / n;
    const scores = emptyTargets(bars, n);
    const states = panel.values.adj_close!.map((close, j) => {
      const high = panel.values.adj_high![j]!;
      const low = panel.values.adj_low![j]!;
      // Channels ending at t - 1 are read at t: [t - 1] below is how "today excluded" is kept.
      const entryHigh = rollingMax(high, p.entry);
      const entryLow = rollingMin(low, p.entry);
      const exitHigh = rollingMax(high, p.exit);
      const exitLow = rollingMin(low, p.exit);
      const held = new Int8Array(bars);
      let state = 0;
      for (let t = 1; t < bars; t++) {
        const c = close[t]!;
        const hi = entryHigh[t - 1]!;
        const lo = entryLow[t - 1]!;
        scores[t * n + j] = hi > lo ? (c - lo) / (hi - lo) : Number.NaN;
        // NaN closes or channels compare false: no signal, the state carries over.
        if (state > 0 && c < exitLow[t - 1]!) state = 0;
        else if (state < 0 && c > exitHigh[t - 1]!) state = 0;
        if (state === 0 && c > hi) state = 1;
        else if (state === 0 && p.allowShort && c < lo) state = -1;
        held[t] = state;
      }
      return held;
    });
    const { rebalance, targets } = stateTargets(states, rebalanceMask(panel.dates, panel.interval, p), (state) => state * weight);
    return { kind: 'weights', rebalance, targets, scores };
  },
};
