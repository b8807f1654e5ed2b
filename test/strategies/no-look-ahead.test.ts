/**
 * No look-ahead, for every strategy in the registry, through the same one-line check a user runs on
 * their own (src/strategies/look-ahead-check.ts); and the check itself catches a strategy that peeks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { defineStrategy } from '../../src/strategies/define-strategy.js';
import { assertNoLookAhead, LookAheadError } from '../../src/strategies/look-ahead-check.js';
import { STRATEGIES } from '../../src/strategies/registry.js';
import { emptyTargets } from '../../src/strategies/strategy.js';
import { z } from 'zod';

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
  'quality-momentum': { lookback: 63, skip: 5, minRoe: 0, maxLeverage: 2 },
  'earnings-momentum': { holdBars: 42 },
  'revision-momentum': { windowBars: 42, rebalance: 'every', every: 5 },
  'buy-and-hold': { rebalance: 'month-end' },
};

/** Long the symbols whose close rises over the next `peek` bars: the look-ahead the check must find. */
function peeking(peek: number) {
  return defineStrategy({
    name: 'peeks-ahead',
    params: z.strictObject({ lookback: z.number().int().min(1).default(20) }),
    targets(panel, p) {
      const n = panel.symbols.length;
      const bars = panel.dates.length;
      const targets = emptyTargets(bars, n);
      const rebalance = new Uint8Array(bars);
      const close = panel.values.adj_close!;
      for (let t = p.lookback; t < bars; t += 5) {
        rebalance[t] = 1;
        for (let j = 0; j < n; j++) {
          const later = close[j]![Math.min(bars - 1, t + peek)]!;
          targets[t * n + j] = later > close[j]![t]! ? 1 / n : 0;
        }
      }
      return { kind: 'weights', rebalance, targets };
    },
  });
}

describe('no look-ahead, every strategy', () => {
  beforeAll(async () => {
    for (const strategy of STRATEGIES) await strategy.prepare?.();
  });

  it('covers every strategy of the registry', () => {
    expect(Object.keys(SHORT).sort()).toEqual(STRATEGIES.map((s) => s.name).sort());
  });

  for (const strategy of STRATEGIES) {
    it(`${strategy.name}: targets and scores at or before t ignore every bar after t, and it trades`, () => {
      expect(assertNoLookAhead(strategy, { params: SHORT[strategy.name]! }).runs).toBe(25);
    });
  }

  it('finds a strategy that reads one bar ahead, and names where', () => {
    expect(() => assertNoLookAhead(peeking(1))).toThrow(LookAheadError);
    expect(() => assertNoLookAhead(peeking(1))).toThrow(
      /^peeks-ahead looks ahead: changing the bars after \d{4}-\d\d-\d\d \(bar \d+\) changed the target of [A-E]{3} on/,
    );
  });

  it('finds a strategy that counts its rebalances back from the last bar (a backtest run later moves them)', () => {
    const fromTheEnd = defineStrategy({
      name: 'from-the-end',
      params: z.strictObject({}),
      targets(panel) {
        const n = panel.symbols.length;
        const bars = panel.dates.length;
        const targets = emptyTargets(bars, n);
        const rebalance = new Uint8Array(bars);
        for (let t = bars - 1; t >= 0; t -= 21) {
          rebalance[t] = 1;
          for (let j = 0; j < n; j++) targets[t * n + j] = 1 / n;
        }
        return { kind: 'weights', rebalance, targets };
      },
    });
    expect(() => assertNoLookAhead(fromTheEnd)).toThrow(/^from-the-end looks ahead: ending the panel at bar \d+/);
  });

  it('finds a strategy that holds only the symbols still trading at the end (survivorship)', () => {
    const survivors = defineStrategy({
      name: 'survivors',
      params: z.strictObject({}),
      targets(panel) {
        const n = panel.symbols.length;
        const bars = panel.dates.length;
        const close = panel.values.adj_close!;
        const alive = close.map((c) => [1, 2, 3, 4, 5].every((k) => !Number.isNaN(c[bars - k]!)));
        const targets = emptyTargets(bars, n);
        const rebalance = new Uint8Array(bars);
        for (let t = 0; t < bars; t += 21) {
          rebalance[t] = 1;
          for (let j = 0; j < n; j++) targets[t * n + j] = alive[j] ? 0.2 : 0;
        }
        return { kind: 'weights', rebalance, targets };
      },
    });
    expect(() => assertNoLookAhead(survivors)).toThrow(LookAheadError);
  });

  it('finds a strategy that reads a fundamental value or an event before the bar that may see it', () => {
    const onFundamentals = defineStrategy({
      name: 'reads-next-statement',
      params: z.strictObject({}),
      data: { fundamentals: { fields: ['roe'], periodType: 'annual' } },
      targets(panel) {
        const n = panel.symbols.length;
        const bars = panel.dates.length;
        const targets = emptyTargets(bars, n);
        const rebalance = new Uint8Array(bars);
        const roe = panel.fundamentals!.values.roe!;
        for (let t = 0; t < bars; t += 5) {
          rebalance[t] = 1;
          for (let j = 0; j < n; j++) targets[t * n + j] = roe[j]![Math.min(bars - 1, t + 1)]! > 0 ? 1 / n : 0;
        }
        return { kind: 'weights', rebalance, targets };
      },
    });
    expect(() => assertNoLookAhead(onFundamentals)).toThrow(/^reads-next-statement looks ahead/);
    const onEvents = defineStrategy({
      name: 'counts-coming-actions',
      params: z.strictObject({}),
      data: { analystActions: true },
      targets(panel) {
        const n = panel.symbols.length;
        const bars = panel.dates.length;
        const targets = emptyTargets(bars, n);
        const rebalance = new Uint8Array(bars);
        for (let t = 0; t < bars; t += 5) {
          rebalance[t] = 1;
          panel.analystActions!.forEach((actions, j) => {
            // the actions of the next 20 bars count too
            targets[t * n + j] = actions.filter((a) => a.firstBar <= t + 20).length / 100;
          });
        }
        return { kind: 'weights', rebalance, targets };
      },
    });
    expect(() => assertNoLookAhead(onEvents)).toThrow(/^counts-coming-actions looks ahead/);
  });

  it('refuses to call a strategy that never trades on the random panels checked', () => {
    expect(() => assertNoLookAhead(peeking(1), { params: { lookback: 500 } })).toThrow(
      /takes no position .* the check would prove nothing/,
    );
  });
});
