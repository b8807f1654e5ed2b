import { beforeAll, describe, expect, it } from 'vitest';
import { mpoPolicy } from '../../src/strategies/mpo-policy.js';
import { resolveParams } from '../../src/strategies/strategy.js';
import { closesPanel, weekdayDates } from '../helpers/strategy-panel.js';

/** 60 weekdays: UP rises 1% a bar, DOWN falls 1% a bar, FLAT stays. */
const bars = 60;
const panel = closesPanel(
  {
    UP: Array.from({ length: bars }, (_, t) => 100 * 1.01 ** t),
    DOWN: Array.from({ length: bars }, (_, t) => 100 * 0.99 ** t),
    FLAT: Array.from({ length: bars }, () => 100),
  },
  { dates: weekdayDates },
);
const row = (targets: Float64Array, t: number) => Array.from(targets.subarray(t * 3, t * 3 + 3));
/** Params with a 20-bar lookback, no skip, a rebalance every 10 bars, and `extra`. */
const every10 = (extra: Record<string, unknown>) =>
  resolveParams(mpoPolicy, '1d', { lookback: 20, skip: 0, rebalance: 'every', every: 10, ...extra });

describe('mpo policy (receding-horizon MPO on momentum forecasts)', () => {
  beforeAll(async () => {
    await mpoPolicy.prepare!();
  });

  it('forecasts the documented mapping: shrink x momentum per period, decaying over the horizon', () => {
    const p = every10({ shrink: 0.5 });
    const schedule = mpoPolicy.targets(panel, p);
    // At bar 20: momentum of UP = 1.01^20 - 1 over 20 bars; per 10-bar period, halved.
    const momentum = 1.01 ** 20 - 1;
    expect(schedule.scores![20 * 3]).toBeCloseTo((0.5 * momentum * 10) / 20, 12);
  });

  it('buys the rising symbol up to its weight cap, never the falling or flat ones, and keeps the rest in cash', () => {
    const p = every10({ maxWeight: 0.4, transactionCost: 0.0001 });
    const schedule = mpoPolicy.targets(panel, p);
    const [up, down, flat] = row(schedule.targets, 20);
    expect(up).toBeCloseTo(0.4, 9);
    expect(down).toBe(0);
    expect(flat).toBe(0);
    // Before the lookback is there, nothing is planned.
    expect(row(schedule.targets, 10).every(Number.isNaN)).toBe(true);
  });

  it('does not trade when the forecast gain does not pay for the purchase', () => {
    // Forecast gains over the horizon: 0.055 + 0.033 + 0.0198 per unit of weight < the 0.25 per unit a purchase costs here.
    const p = every10({ transactionCost: 0.05, tradeAversion: 5 });
    const [up] = row(mpoPolicy.targets(panel, p).targets, 20);
    expect(up).toBe(0);
  });

  it('keeps the book in cash until trading starts', () => {
    const p = every10({ transactionCost: 0.0001 });
    const warm = mpoPolicy.targets(panel, p, { start: 35 });
    expect(row(warm.targets, 20).every(Number.isNaN)).toBe(true);
    expect(row(warm.targets, 40)[0]).toBeGreaterThan(0);
  });

  it('keeps the book at a rebalance with no optimal plan, and plans the next from it drifted once', () => {
    // RISE climbs 10% a bar to bar 45, then falls 10% a bar. Rebalancing every 10 bars with trades of
    // at most 0.1: 0.1 at bar 20, 0.3 at bar 30; by bars 40 and 50 the rise has drifted it above
    // 0.3 + 0.1, which no trade of 0.1 brings under the cap (infeasible: no plan, no trade). At bar 60
    // the momentum is negative and the plan sells 0.1 of what the 0.3 of bar 30 has become.
    const price = (t: number) => 100 * 1.1 ** Math.min(t, 45) * 0.9 ** Math.max(0, t - 45);
    const rising = closesPanel({ RISE: Array.from({ length: 61 }, (_, t) => price(t)) }, { dates: weekdayDates });
    const p = every10({ maxWeight: 0.3, maxTradeSize: 0.1, transactionCost: 0.0001 });
    const { targets } = mpoPolicy.targets(rising, p);
    expect(targets[20]).toBeCloseTo(0.1, 9);
    expect(targets[30]).toBeCloseTo(0.3, 9);
    expect(targets[40]).toBeNaN();
    expect(targets[50]).toBeNaN();
    const grown = 0.3 * (price(60) / price(30));
    expect(targets[60]).toBeCloseTo(grown / (0.7 + grown) - 0.1, 9);
  });

  it('refuses bad params', () => {
    expect(() => resolveParams(mpoPolicy, '1d', { horizon: 0 })).toThrow('params.horizon');
    expect(() => resolveParams(mpoPolicy, '1d', { lookback: 20, skip: 25 })).toThrow('params.skip: skip must be shorter than lookback');
  });
});
