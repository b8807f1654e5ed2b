/**
 * No look-ahead, for every strategy in the registry: on random panels, changing any bar after t
 * (prices scaled by random factors, bars removed, bars added where a symbol had none) never
 * changes the targets, the scores or the rebalance flags at or before t.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PanelField } from '../../src/data/panel.js';
import { STRATEGIES } from '../../src/strategies/registry.js';
import { resolveParams, type StrategyPanel } from '../../src/strategies/strategy.js';
import { createRandom } from '../../src/util/random.js';
import { weekdayDates } from '../helpers/strategy-panel.js';

const BARS = 420;
const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'];

/** Weekday dates and random-walk OHLC (adjusted) per symbol; one symbol starts late, one has gaps. */
function randomPanel(seed: number): StrategyPanel {
  const random = createRandom(seed);
  const fields: Record<string, Float64Array[]> = { adj_open: [], adj_high: [], adj_low: [], adj_close: [] };
  SYMBOLS.forEach((_, j) => {
    const close = new Float64Array(BARS);
    const open = new Float64Array(BARS);
    const high = new Float64Array(BARS);
    const low = new Float64Array(BARS);
    let price = 50 + 100 * random.next();
    const drift = (random.next() - 0.5) * 0.004;
    for (let t = 0; t < BARS; t++) {
      open[t] = price;
      price *= Math.exp(drift + 0.02 * random.normal());
      close[t] = price;
      high[t] = Math.max(open[t]!, close[t]!) * (1 + 0.01 * random.next());
      low[t] = Math.min(open[t]!, close[t]!) * (1 - 0.01 * random.next());
      const missing = (j === 3 && t < 60) || (j === 4 && random.next() < 0.02);
      if (missing) open[t] = close[t] = high[t] = low[t] = Number.NaN;
    }
    fields.adj_open!.push(open);
    fields.adj_close!.push(close);
    fields.adj_high!.push(high);
    fields.adj_low!.push(low);
  });
  return {
    interval: '1d',
    symbols: SYMBOLS,
    dates: weekdayDates(BARS, Date.UTC(2020, 0, 1)),
    values: fields as Record<PanelField, Float64Array[]>,
    assetClasses: ['equity', 'equity', 'bond', 'commodity', 'bond'],
  };
}

/** The same panel with every bar after t changed. */
function perturbAfter(panel: StrategyPanel, t: number, seed: number): StrategyPanel {
  const random = createRandom(seed);
  const values: Record<string, Float64Array[]> = {};
  for (const [field, columns] of Object.entries(panel.values)) {
    values[field] = columns!.map((column, j) => {
      const copy = Float64Array.from(column);
      const rowSeed = createRandom(seed + j);
      for (let i = t + 1; i < copy.length; i++) {
        const roll = rowSeed.next();
        copy[i] = roll < 0.05 ? Number.NaN : Number.isNaN(copy[i]!) ? 20 + 80 * random.next() : copy[i]! * (0.5 + random.next());
      }
      return copy;
    });
  }
  return { ...panel, values: values as Record<PanelField, Float64Array[]> };
}

/** Shorter lookbacks than the defaults, so every strategy trades on a 420-bar panel. */
const SHORT: Record<string, Record<string, unknown>> = {
  'ts-momentum': { lookback: 63, com: 20 },
  'xs-momentum': { lookback: 63, skip: 5 },
  'dual-momentum': { lookback: 63 },
  'ma-trend': { window: 50 },
  'sma-cross': { fast: 5, slow: 20 },
  donchian: { entry: 20, exit: 10 },
  '52w-high': { window: 100 },
  mpo: { lookback: 63, skip: 5, horizon: 3 },
  'vol-scaled-xs': { lookback: 63, skip: 5, volWindow: 40 },
  'buy-and-hold': { rebalance: 'month-end' },
};

describe('no look-ahead, every strategy', () => {
  beforeAll(async () => {
    for (const strategy of STRATEGIES) await strategy.prepare?.();
  });

  it('covers every strategy of the registry', () => {
    expect(Object.keys(SHORT).sort()).toEqual(STRATEGIES.map((s) => s.name).sort());
  });

  for (const strategy of STRATEGIES) {
    it(`${strategy.name}: targets and scores at or before t ignore every bar after t`, () => {
      const params = resolveParams(strategy, '1d', SHORT[strategy.name]!);
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1e6 }),
          fc.integer({ min: 0, max: BARS - 2 }),
          fc.integer({ min: 1, max: 1e6 }),
          (seed, t, perturbSeed) => {
            const panel = randomPanel(seed);
            const before = strategy.targets(panel, params);
            const after = strategy.targets(perturbAfter(panel, t, perturbSeed), params);
            const n = SYMBOLS.length;
            for (let i = 0; i <= t; i++) {
              if (before.rebalance[i] !== after.rebalance[i]) return false;
              for (let j = 0; j < n; j++) {
                if (!Object.is(before.targets[i * n + j], after.targets[i * n + j])) return false;
                if (before.scores && !Object.is(before.scores[i * n + j], after.scores![i * n + j])) return false;
              }
            }
            return true;
          },
        ),
        { numRuns: 25 },
      );
    });

    it(`${strategy.name}: trades on a random panel (the property above is not vacuous)`, () => {
      const schedule = strategy.targets(randomPanel(7), resolveParams(strategy, '1d', SHORT[strategy.name]!));
      expect(schedule.targets.some((w) => Number.isFinite(w) && w !== 0)).toBe(true);
    });
  }
});
