import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_OPTIONS, floorDivide, runEngine, type EngineInput, type EngineOptions } from '../../src/backtest/engine.js';
import type { TargetSchedule } from '../../src/strategies/strategy.js';

const DAY = 86_400_000;
const dates = (n: number) => Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * DAY);

/** One or more symbols; `targets[t]` is the row of targets at bar t (undefined: no rebalance). */
function input(open: number[][], close: number[][], rows: (number[] | undefined)[], kind: TargetSchedule['kind'] = 'weights'): EngineInput {
  const bars = close[0]!.length;
  const n = close.length;
  const targets = new Float64Array(bars * n).fill(Number.NaN);
  const rebalance = new Uint8Array(bars);
  rows.forEach((row, t) => {
    if (!row) return;
    rebalance[t] = 1;
    row.forEach((w, j) => (targets[t * n + j] = w));
  });
  return {
    dates: dates(bars),
    symbols: close.map((_, j) => `S${j}`),
    open: open.map((o) => Float64Array.from(o)),
    close: close.map((c) => Float64Array.from(c)),
    schedule: { kind, rebalance, targets },
  };
}

const options = (overrides: Partial<EngineOptions> = {}): EngineOptions => ({ ...DEFAULT_ENGINE_OPTIONS, initialCash: 1000, ...overrides });

describe('runEngine', () => {
  it('fills a signal at the next open and marks to market at each close (fractional shares)', () => {
    // Signal at bar 0 (close 10): weight 1 of 1000 -> 100 shares at the signal close price,
    // bought at bar 1's open 12 -> costs 1200: more than the cash, so the order is cut to 1000 / 12.
    const result = runEngine(input([[10, 12, 11]], [[10, 11, 13]], [[1]]), options());
    expect(result.fills).toEqual([{ bar: 1, symbol: 0, shares: 1000 / 12, price: 12, fee: 0 }]);
    expect(result.counters).toMatchObject({ orders: 1, filled: 1, clipped: 1 });
    expect([...result.equity]).toEqual([1000, (1000 / 12) * 11, (1000 / 12) * 13]);
    expect(result.cash[2]).toBeCloseTo(0, 9);
  });

  it('sizes whole shares by rounding the magnitude down at the signal close', () => {
    // 0.5 of 1000 at close 30 -> 16.67 -> 16 shares, filled at 29 -> cash 1000 - 464 = 536.
    const result = runEngine(input([[30, 29, 31]], [[30, 30, 33]], [[0.5]]), options({ wholeShares: true }));
    expect(result.fills.map((f) => f.shares)).toEqual([16]);
    expect(result.cash[1]).toBe(536);
    expect(result.equity[2]).toBe(536 + 16 * 33);
  });

  it('charges slippage on the price, bps on traded value and a fixed fee per order', () => {
    // Buy 10 shares (0.5 x 1000 / 50) at open 40 with 10 bps slippage -> 40.04; value 400.4;
    // 5 bps commission = 0.2002; fee 1 -> cash = 1000 - 400.4 - 0.2002 - 1.
    const costs = { bps: 5, slippageBps: 10, fixedFee: 1 };
    const result = runEngine(input([[50, 40, 40]], [[50, 45, 45]], [[0.5]]), options({ costs }));
    const fill = result.fills[0]!;
    expect(fill.shares).toBe(10);
    expect(fill.price).toBeCloseTo(40.04, 12);
    expect(fill.fee).toBeCloseTo(1.2002, 12);
    expect(result.cash[1]).toBeCloseTo(1000 - 400.4 - 1.2002, 9);
    // Selling pays the slippage the other way: 39.96 per share.
    const roundTrip = runEngine(input([[50, 40, 40, 40]], [[50, 45, 45, 45]], [[0.5], undefined, [0]]), options({ costs }));
    expect(roundTrip.fills[1]!.price).toBeCloseTo(39.96, 12);
    expect(roundTrip.trades[0]!.pnl).toBeCloseTo(10 * (39.96 - 40.04), 9);
    expect(roundTrip.trades[0]!.fees).toBeCloseTo(1.2002 + 1 + (10 * 39.96 * 5) / 1e4, 9);
  });

  it('sells before it buys, so a rotation is funded by the sale', () => {
    // Fully in S0 (10 shares at 100); rotate to S1 at bar 1's close: sell 10 x 100, buy 10 x 100.
    const data = input(
      [
        [100, 100, 100],
        [100, 100, 100],
      ],
      [
        [100, 100, 100],
        [100, 100, 100],
      ],
      [
        [1, 0],
        [0, 1],
      ],
    );
    const result = runEngine(data, options({ wholeShares: true }));
    expect(result.fills.map((f) => [f.bar, f.symbol, f.shares])).toEqual([
      [1, 0, 10],
      [2, 0, -10],
      [2, 1, 10],
    ]);
    expect(result.counters.clipped).toBe(0);
    expect(Math.min(...result.cash)).toBeGreaterThanOrEqual(0);
  });

  it('never lets cash go negative without leverage, and borrows up to maxLeverage when allowed', () => {
    const data = input([[10, 10, 10]], [[10, 10, 10]], [[2]]);
    const cashOnly = runEngine(data, options());
    expect(cashOnly.fills[0]!.shares).toBe(100);
    expect(cashOnly.counters.clipped).toBe(1);
    const levered = runEngine(data, options({ maxLeverage: 2 }));
    expect(levered.fills[0]!.shares).toBe(200);
    expect(levered.cash[1]).toBe(-1000);
  });

  it("lets an order wait for its symbol's next price, and never fills an order from the last bar", () => {
    // The open of bar 1 is missing (the symbol's market was closed): the order fills at bar 2's open.
    const result = runEngine(input([[10, Number.NaN, 10, 10]], [[10, 10, 10, 10]], [[0.5], undefined, undefined, [1]]), options());
    expect(result.fills.map((f) => [f.bar, f.shares])).toEqual([[2, 50]]);
    expect(result.counters).toMatchObject({ orders: 2, delayed: 1, unfilled: 0, expired: 1, filled: 1 });
    const never = runEngine(input([[10, Number.NaN, Number.NaN]], [[10, 10, 10]], [[0.5]]), options());
    expect(never.fills).toEqual([]);
    expect(never.counters).toMatchObject({ orders: 1, delayed: 2, unfilled: 1 });
  });

  it('closes a position exactly on a zero target (no leftover share from rounding)', () => {
    // 1000 x 0.99 / 3 at close 3.3 -> 300 shares; closing must sell exactly 300 whatever (300 x 3.7) / 3.7 gives.
    const result = runEngine(
      input([[3.3, 3.3, 3.7, 3.7]], [[3.3, 3.3, 3.7, 3.7]], [[0.99], undefined, [0]]),
      options({ wholeShares: true }),
    );
    expect(result.positions[0]).toBe(0);
    expect(result.trades).toHaveLength(1);
  });

  it('keeps resizing inside one trade and realises P&L against the average entry price', () => {
    // Buy 10 @ 10, add 10 @ 20 (avg 15), sell 10 @ 30 (+150), sell 10 @ 40 (+250): one trade, P&L 400.
    const data = input([[10, 10, 20, 30, 40, 40]], [[10, 10, 20, 30, 40, 40]], [[10], [20], [10], [0], undefined, undefined], 'shares');
    const result = runEngine(data, options({ initialCash: 10_000 }));
    expect(result.trades).toHaveLength(1);
    const trade = result.trades[0]!;
    expect(trade).toMatchObject({ entryBar: 1, exitBar: 4, direction: 1, maxShares: 20, pnl: 400, fees: 0, pnlNet: 400 });
    expect(trade.entryPrice).toBe(15);
    expect(trade.exitPrice).toBe(35);
    // The round trip's P&L equals its cash flows: sales 300 + 400 minus purchases 100 + 200.
    expect(result.equity[5]).toBe(10_000 + 400);
  });

  it('reports open trades marked at the last close', () => {
    const result = runEngine(input([[10, 10, 12]], [[10, 11, 15]], [[20]], 'shares'), options());
    expect(result.trades).toEqual([]);
    expect(result.openTrades).toEqual([
      { symbol: 0, entryBar: 1, exitBar: -1, direction: 1, maxShares: 20, entryPrice: 10, exitPrice: 15, pnl: 100, fees: 0, pnlNet: 100 },
    ]);
  });

  it('can fill at the next close instead of the next open', () => {
    const result = runEngine(input([[10, 12, 12]], [[10, 11, 11]], [[10]], 'shares'), options({ fill: 'next-close' }));
    expect(result.fills[0]!.price).toBe(11);
  });

  it('shorts only when allowed, and a short round trip gains when the price falls', () => {
    const data = input([[10, 10, 8, 8]], [[10, 10, 8, 8]], [[-10], undefined, [0]], 'shares');
    expect(runEngine(data, options()).counters).toMatchObject({ rejected: 1, filled: 0 });
    const result = runEngine(data, options({ allowShort: true }));
    expect(result.trades[0]).toMatchObject({ direction: -1, pnl: 20, maxShares: 10 });
  });

  it('splits a flip through zero into a closed trade and a new one', () => {
    const data = input([[10, 10, 12, 12]], [[10, 10, 12, 12]], [[5], [-5]], 'shares');
    const result = runEngine(data, options({ allowShort: true }));
    expect(result.trades).toEqual([expect.objectContaining({ direction: 1, pnl: 10, entryBar: 1, exitBar: 2 })]);
    expect(result.openTrades).toEqual([expect.objectContaining({ direction: -1, entryBar: 2, maxShares: 5 })]);
  });

  it('leaves positions with a NaN target alone, and values a bar without a close at the last one', () => {
    const data = input(
      [
        [10, 10, 10, 10],
        [5, 5, 5, 5],
      ],
      [
        [10, 10, Number.NaN, 20],
        [5, 5, 5, 5],
      ],
      [
        [0.5, 0.5],
        [Number.NaN, 0],
      ],
    );
    const result = runEngine(data, options());
    expect(result.fills.map((f) => [f.bar, f.symbol, f.shares])).toEqual([
      [1, 0, 50],
      [1, 1, 100],
      [2, 1, -100],
    ]);
    // Cash 1000 - 500 - 500 + 500 (S1 sold at 5); S0 marked at its last close, 10.
    expect(result.equity[2]).toBe(500 + 50 * 10);
    expect(result.equity[3]).toBe(500 + 50 * 20);
  });

  it('does not mutate its input', () => {
    const data = input([[10, 12, 11]], [[10, 11, 13]], [[1]]);
    const copy = structuredClone(data);
    runEngine(data, options());
    expect(data).toEqual(copy);
  });
});

describe('floorDivide', () => {
  it('floors the exact quotient, where rounding the quotient first would not', () => {
    // 3194 x 446.77 as doubles is 1426983.38, whose quotient by 446.77 rounds to exactly 3194
    // while the exact quotient of the two doubles is just below: Python's a // b == 3193.0.
    expect(Math.trunc(1426983.38 / 446.77)).toBe(3194);
    expect(floorDivide(1426983.38, 446.77)).toBe(3193);
    expect(floorDivide(7, 2)).toBe(3);
    expect(floorDivide(411.27, 385.22)).toBe(1);
    expect(floorDivide(-7, 2)).toBe(-4);
  });
});
