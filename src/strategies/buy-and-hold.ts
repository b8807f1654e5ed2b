/**
 * Buy and hold, the baseline every strategy is measured against (Sharpe 1966 compared funds with
 * the market held throughout): buy the symbols at fixed weights once every symbol has a price, and
 * hold; optionally bring them back to those weights on a calendar (`rebalance`).
 *
 *   entry   = the first trading bar (context.start on) at which every symbol has a price
 *   w_j     = 1 / N (default), or the given weight (`weights=SPY:0.6,TLT:0.4`; unnamed symbols 0,
 *             the rest of the book in cash)
 *   targets = w at the entry bar, and with `rebalance` other than 'none' at each rebalance bar after it
 *
 * The engine fills the entry at the next bar (its open by default), so the book holds the symbols'
 * price paths from there, less the entry costs; a held book drifts with prices until a rebalance.
 */
import { z } from 'zod';
import { normaliseSymbol } from '../data/bar.js';
import { ValidationError } from '../errors.js';
import { rebalanceMask, REBALANCE_SCHEDULES, type RebalanceSchedule } from './schedule.js';
import { emptyTargets, type Strategy, type StrategyContext, type StrategyPanel, type TargetSchedule } from './strategy.js';

/** `SYMBOL:weight` pairs, comma-separated: `SPY:0.6,TLT:0.4`. */
const WEIGHTS_TEXT = /^\s*[^:,\s]+\s*:\s*[0-9.eE+-]+\s*(,\s*[^:,\s]+\s*:\s*[0-9.eE+-]+\s*)*$/;

const schema = () =>
  z.strictObject({
    /** '' for equal weights, else `SYMBOL:weight,...` (each 0 to 1, summing to at most 1). */
    weights: z
      .string()
      .default('')
      .refine((w) => w === '' || WEIGHTS_TEXT.test(w), {
        message: "expected '' (equal weights) or SYMBOL:weight,... e.g. SPY:0.6,TLT:0.4",
      }),
    /** 'none': bought once and held; otherwise brought back to the weights on this schedule. */
    rebalance: z.enum(['none', ...REBALANCE_SCHEDULES]).default('none'),
    every: z.number().int().min(1).max(10_000).default(21),
  });

export type BuyAndHoldParams = z.infer<ReturnType<typeof schema>>;

export const buyAndHold: Strategy<BuyAndHoldParams> = {
  name: 'buy-and-hold',
  title: 'Buy and hold (equal or given weights)',
  citation: 'the passive baseline; Sharpe (1966), "Mutual Fund Performance", Journal of Business 39(1)',
  description: 'Buy every symbol at equal (or given) weights once all have a price and hold, optionally rebalancing on a calendar.',
  scoreLabel: 'target weight',
  exitRule: 'none: positions are held to the end (rebalanced back to their weights when a schedule is set)',
  fields: ['adj_close'],
  baseline: true,
  paramsSchema: schema,
  sweep: { rebalance: ['none', 'month-end', 'quarter-end', 'year-end'] },
  targets(panel: StrategyPanel, p: BuyAndHoldParams, context?: StrategyContext): TargetSchedule {
    const closes = panel.values.adj_close!;
    const n = panel.symbols.length;
    const bars = panel.dates.length;
    const weights = weightsOf(panel, p.weights);
    const rebalance = new Uint8Array(bars);
    const targets = emptyTargets(bars, n);
    const scores = emptyTargets(bars, n);
    const entry = entryBar(closes, context?.start ?? 0, bars);
    if (entry < 0) return { kind: 'weights', rebalance, targets, scores };
    const schedule = p.rebalance === 'none' ? undefined : rebalanceMask(panel.dates, panel.interval, withSchedule(p));
    for (let t = entry; t < bars; t++) {
      scores.set(weights, t * n);
      if (t !== entry && !schedule?.[t]) continue;
      rebalance[t] = 1;
      targets.set(weights, t * n);
    }
    return { kind: 'weights', rebalance, targets, scores };
  },
};

function withSchedule(p: BuyAndHoldParams): { rebalance: RebalanceSchedule; every: number } {
  return { rebalance: p.rebalance as RebalanceSchedule, every: p.every };
}

/** The first bar from `start` at which every symbol has a price; -1 if none. */
function entryBar(closes: readonly Float64Array[], start: number, bars: number): number {
  for (let t = start; t < bars; t++) if (closes.every((close) => !Number.isNaN(close[t]!))) return t;
  return -1;
}

/**
 * The weight of each panel symbol: 1 / N by default, else the given ones (0 for a symbol not named).
 * @example weightsOf(panel, 'SPY:0.6,TLT:0.4') // Float64Array [0.6, 0.4, 0] for SPY, TLT, GLD
 */
function weightsOf(panel: StrategyPanel, text: string): Float64Array {
  const n = panel.symbols.length;
  if (text === '') return new Float64Array(n).fill(1 / n);
  const weights = new Float64Array(n);
  for (const pair of text.split(',')) {
    const [name, value] = pair.split(':').map((s) => s.trim()) as [string, string];
    const j = panel.symbols.indexOf(normaliseSymbol(name, 'params.weights'));
    if (j < 0) throw new ValidationError('params.weights', `${name} is not in the panel (${panel.symbols.join(', ')})`);
    const w = Number(value);
    if (!(w >= 0 && w <= 1)) throw new ValidationError('params.weights', `${name}'s weight must be from 0 to 1, got ${value}`);
    weights[j] = w;
  }
  const total = weights.reduce((s, w) => s + w, 0);
  if (total > 1 + 1e-9) throw new ValidationError('params.weights', `the weights sum to ${total}; at most 1 (the rest is cash)`);
  return weights;
}
