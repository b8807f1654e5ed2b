/**
 * Time-series momentum, Moskowitz, Ooi and Pedersen (2012), "Time Series Momentum": each symbol is
 * judged against its own past, not against the others. Long a symbol whose trailing `lookback`
 * return beats cash, sized inversely to its volatility so every position carries the same ex-ante
 * risk (MOP scale each position to 40% a year, which gives a diversified portfolio ~12%).
 *
 *   x_j(t)     = P_j[t] / P_j[t - lookback] - 1  -  (C[t] / C[t - lookback] - 1)   (C: `cashSymbol`, or 0)
 *   sigma_j(t) = ewmaVolatility(simpleReturns(P_j), com)[t] x sqrt(barsPerYear)
 *   w_j(t)     = sign(x_j(t)) x (targetVol / sigma_j(t)) / N_t        (negative signs give 0 unless allowShort)
 *
 * N_t counts the symbols (not the cash proxy) with a signal and a volatility at t. Then each |w_j| is
 * capped at `maxWeight`, and if sum |w_j| > `maxGross` all weights are scaled down by the same factor
 * (capping first, so a near-flat symbol's huge raw weight does not crowd the others out; scaling
 * down never breaks the per-symbol cap). `com` is 60 days as in MOP, in bars of the interval.
 * A symbol without a price, signal or volatility at t gets NaN (leave as is); the cash proxy gets 0.
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import { ewmaVolatility, simpleReturns, trailingReturn } from './indicators.js';
import { rebalanceMask, scheduleFields } from './schedule.js';
import { barsPerYear, emptyTargets, type Strategy, type StrategyPanel, type TargetSchedule } from './strategy.js';
import { optionalSymbol, symbolIndex } from './symbol-params.js';

/** MOP's 60-day centre of mass in bars of the interval: 60 daily, 12 weekly, 3 monthly. */
const sixtyDays = (interval: Interval): number => Math.max(1, Math.round((60 * barsPerYear(interval)) / 252));

const schema = (interval: Interval) =>
  z
    .strictObject({
      lookback: z.number().int().min(2).max(100_000).default(barsPerYear(interval)),
      /** Centre of mass of the EWMA volatility, in bars. */
      com: z.number().gt(0).max(100_000).default(sixtyDays(interval)),
      targetVol: z.number().gt(0).max(10).default(0.4),
      cashSymbol: optionalSymbol().default(''),
      allowShort: z.boolean().default(false),
      maxGross: z.number().gt(0).max(10).default(1),
      maxWeight: z.number().gt(0).max(10).default(1),
      ...scheduleFields('month-end'),
    })
    .refine((p) => p.maxWeight <= p.maxGross, { message: 'maxWeight must not exceed maxGross', path: ['maxWeight'] });

export type TsMomentumParams = z.infer<ReturnType<typeof schema>>;

export const tsMomentum: Strategy<TsMomentumParams> = {
  name: 'ts-momentum',
  title: 'Time-series momentum (volatility-scaled)',
  citation: 'Moskowitz, Ooi and Pedersen (2012), Journal of Financial Economics 104(2)',
  description: 'Long each symbol whose past-year return beats cash, sized to a common volatility target.',
  scoreLabel: 'trailing return in excess of cash',
  exitRule: 'none between rebalances: a position is closed when its excess return turns negative at a rebalance',
  fields: ['adj_close'],
  paramsSchema: schema,
  sweep: { lookback: [21, 63, 126, 252], com: [30, 60, 120], targetVol: [0.2, 0.4] },
  targets(panel: StrategyPanel, p: TsMomentumParams): TargetSchedule {
    const closes = panel.values.adj_close!;
    const n = panel.symbols.length;
    const bars = panel.dates.length;
    const cash = symbolIndex(panel, p.cashSymbol, 'cashSymbol');
    const cashReturn = cash >= 0 ? trailingReturn(closes[cash]!, p.lookback) : new Float64Array(bars);
    const annualise = Math.sqrt(barsPerYear(panel.interval));
    const excess = closes.map((close) => trailingReturn(close, p.lookback).map((r, t) => r - cashReturn[t]!));
    const sigma = closes.map((close) => ewmaVolatility(simpleReturns(close), p.com).map((s) => s * annualise));
    const rebalance = rebalanceMask(panel.dates, panel.interval, p);
    const targets = emptyTargets(bars, n);
    const scores = emptyTargets(bars, n);
    const raw = new Float64Array(n);
    for (let t = 0; t < bars; t++) {
      for (let j = 0; j < n; j++) if (j !== cash) scores[t * n + j] = excess[j]![t]!;
      if (!rebalance[t]) continue;
      let count = 0;
      for (let j = 0; j < n; j++) {
        const x = excess[j]![t]!;
        const s = sigma[j]![t]!;
        raw[j] = Number.NaN;
        if (j === cash || Number.isNaN(closes[j]![t]!) || Number.isNaN(x) || Number.isNaN(s)) continue;
        count++;
        const signal = Math.sign(x) < 0 && !p.allowShort ? 0 : Math.sign(x);
        raw[j] = signal === 0 ? 0 : (signal * p.targetVol) / s; // s = 0: ±Infinity, capped below
      }
      let gross = 0;
      for (let j = 0; j < n; j++) {
        if (Number.isNaN(raw[j]!)) continue;
        raw[j] = Math.sign(raw[j]!) * Math.min(Math.abs(raw[j]!) / count, p.maxWeight);
        gross += Math.abs(raw[j]!);
      }
      const scale = gross > p.maxGross ? p.maxGross / gross : 1;
      for (let j = 0; j < n; j++) targets[t * n + j] = raw[j]! * scale + 0; // + 0: no -0 targets
      if (cash >= 0 && !Number.isNaN(closes[cash]![t]!)) targets[t * n + cash] = 0;
    }
    return { kind: 'weights', rebalance, targets, scores };
  },
};
