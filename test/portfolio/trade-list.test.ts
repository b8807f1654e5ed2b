/**
 * Trade lists against an existing portfolio: worked examples checked by hand, and properties over
 * random portfolios (contribution-only never sells; cash never negative; sells before buys; the
 * cash, value and turnover arithmetic recomputed from the orders).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_COSTS, type CostModel } from '../../src/backtest/transaction-cost.js';
import { contributionRebalance, fullRebalance } from '../../src/portfolio/contribution.js';
import { tradeList, type TradeList, type TradeListRequest } from '../../src/portfolio/trade-list.js';
import { purchaseCash, saleCash } from './independent.js';
import { validationErrorOf } from '../helpers/validation-error.js';

const fieldOf = (run: () => unknown): string => validationErrorOf(run).field;

const costsArb: fc.Arbitrary<CostModel> = fc.record({
  bps: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 100, noNaN: true })),
  slippageBps: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 50, noNaN: true })),
  fixedFee: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 10, noNaN: true })),
});

/** Random portfolios: some symbols held, some targeted (not always the same ones), prices for all. */
const portfolioArb = (mode: 'contribution' | 'full'): fc.Arbitrary<TradeListRequest> =>
  fc
    .record({
      assets: fc.array(
        fc.record({
          held: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 }), fc.double({ min: 0, max: 300, noNaN: true })),
          weight: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
          price: fc.double({ min: 1, max: 2000, noNaN: true }),
          lotSize: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 20 })),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      cash: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 50_000, noNaN: true })),
      invested: fc.double({ min: 0.2, max: 1, noNaN: true }),
      costs: costsArb,
      fractional: fc.boolean(),
    })
    .map(({ assets, cash, invested, costs, fractional }) => {
      const sum = assets.reduce((s, a) => s + a.weight, 0);
      const symbols = assets.map((_, j) => `S${j}`);
      return {
        mode,
        cash,
        costs,
        fractional,
        holdings: assets.flatMap((a, j) => (a.held > 0 ? [{ symbol: symbols[j]!, shares: a.held }] : [])),
        targets: assets.flatMap((a, j) => (a.weight > 0 ? [{ symbol: symbols[j]!, weight: (a.weight / sum) * invested }] : [])),
        prices: Object.fromEntries(assets.map((a, j) => [symbols[j]!, a.price])),
        lotSize: Object.fromEntries(assets.map((a, j) => [symbols[j]!, a.lotSize])),
      };
    });

/** What every trade list must satisfy, recomputed from its orders. */
function expectConsistent(request: TradeListRequest, list: TradeList): void {
  const costs = request.costs ?? NO_COSTS;
  const held = new Map(request.holdings.map((h) => [h.symbol, h.shares]));
  const firstBuy = list.orders.findIndex((o) => o.side === 'buy');
  if (firstBuy >= 0) expect(list.orders.slice(firstBuy).every((o) => o.side === 'buy')).toBe(true);
  let cash = request.cash;
  let bought = 0;
  let sold = 0;
  const shares = new Map(held);
  for (const order of list.orders) {
    expect(order.shares).toBeGreaterThan(0);
    expect(order.price).toBe(request.prices[order.symbol]);
    expect(order.value).toBeCloseTo(order.shares * order.price, 8);
    if (order.side === 'sell') {
      expect(order.value - order.cost).toBeCloseTo(saleCash(order.shares, order.price, costs), 8);
      cash += saleCash(order.shares, order.price, costs);
      sold += order.value;
      shares.set(order.symbol, (shares.get(order.symbol) ?? 0) - order.shares);
    } else {
      expect(order.value + order.cost).toBeCloseTo(purchaseCash(order.shares, order.price, costs), 8);
      cash -= purchaseCash(order.shares, order.price, costs);
      bought += order.value;
      shares.set(order.symbol, (shares.get(order.symbol) ?? 0) + order.shares);
    }
  }
  expect(list.cash).toBeGreaterThanOrEqual(0);
  expect(list.cash).toBeCloseTo(cash, 6);
  expect(list.bought).toBeCloseTo(bought, 6);
  expect(list.sold).toBeCloseTo(sold, 6);
  const valueBefore = request.cash + request.holdings.reduce((s, h) => s + h.shares * request.prices[h.symbol]!, 0);
  expect(list.valueBefore).toBeCloseTo(valueBefore, 6);
  expect(list.valueAfter).toBeCloseTo(valueBefore - list.costs, 6);
  expect(list.turnover).toBeCloseTo(valueBefore > 0 ? (bought + sold) / 2 / valueBefore : 0, 12);
  for (const h of list.holdings) {
    expect(h.shares).toBeGreaterThanOrEqual(0);
    expect(h.shares).toBeCloseTo(shares.get(h.symbol) ?? 0, 9);
    expect(h.previousShares).toBe(held.get(h.symbol) ?? 0);
  }
  // Nothing is bought and sold in one rebalance, and nothing untargeted is bought.
  const sides = new Map<string, Set<string>>();
  for (const o of list.orders) sides.set(o.symbol, (sides.get(o.symbol) ?? new Set()).add(o.side));
  for (const set of sides.values()) expect(set.size).toBe(1);
  const targeted = new Set(request.targets.filter((t) => t.weight > 0).map((t) => t.symbol));
  for (const o of list.orders) if (o.side === 'buy') expect(targeted.has(o.symbol)).toBe(true);
}

describe('tradeList: worked examples', () => {
  it('full rebalance without costs: sells 15 A for 1500 and buys 30 B', () => {
    const list = tradeList({
      holdings: [{ symbol: 'A', shares: 30 }],
      cash: 0,
      prices: { A: 100, B: 50 },
      targets: [
        { symbol: 'A', weight: 0.5 },
        { symbol: 'B', weight: 0.5 },
      ],
      mode: 'full',
    });
    expect(list.orders).toEqual([
      { symbol: 'A', side: 'sell', shares: 15, price: 100, value: 1500, cost: 0 },
      { symbol: 'B', side: 'buy', shares: 30, price: 50, value: 1500, cost: 0 },
    ]);
    expect(list.cash).toBe(0);
    expect(list.turnover).toBe(0.5); // (1500 + 1500) / 2 / 3000
    expect(list.trackingError).toBe(0);
    expect(list.holdings.map((h) => [h.symbol, h.shares, h.weight])).toEqual([
      ['A', 15, 0.5],
      ['B', 30, 0.5],
    ]);
  });

  it('full rebalance with 10 bps and a fee of 1: the costs leave one share of B unbought', () => {
    const list = tradeList({
      holdings: [
        { symbol: 'A', shares: 30 },
        { symbol: 'OLD', shares: 4 },
      ],
      cash: 0,
      prices: { A: 100, B: 50, OLD: 25 },
      targets: [
        { symbol: 'A', weight: 0.5 },
        { symbol: 'B', weight: 0.5 },
      ],
      mode: 'full',
      costs: { bps: 10, slippageBps: 0, fixedFee: 1 },
    });
    // Value 3100: A's target 1550 -> sell round(1450 / 100) = 15 (1500 - 1.5 - 1 = 1497.5 in);
    // OLD is no longer targeted -> sell all 4 (100 - 0.1 - 1 = 98.9 in). Cash 1596.4; B costs
    // 50.05 a share plus 1 an order: 31 shares = 1552.55 fits, 32 = 1602.6 does not.
    expect(list.orders.map((o) => [o.symbol, o.side, o.shares])).toEqual([
      ['A', 'sell', 15],
      ['OLD', 'sell', 4],
      ['B', 'buy', 31],
    ]);
    expect(list.cash).toBeCloseTo(1596.4 - 1552.55, 9);
    expect(list.costs).toBeCloseTo(2.5 + 1.1 + 2.55, 9);
    expect(list.turnover).toBeCloseTo((1500 + 100 + 1550) / 2 / 3100, 12);
    expect(list.valueAfter).toBeCloseTo(3100 - 6.15, 9);
  });

  it('contribution: the new money buys the underweight and nothing is sold', () => {
    const request: TradeListRequest = {
      holdings: [
        { symbol: 'A', shares: 10 },
        { symbol: 'OLD', shares: 3 },
      ],
      cash: 1000,
      prices: { A: 100, B: 50, OLD: 20 },
      targets: [
        { symbol: 'A', weight: 0.5 },
        { symbol: 'B', weight: 0.5 },
      ],
      mode: 'contribution',
    };
    const list = tradeList(request);
    // Value 2060: B's target is 1030; 20 shares (1000) take all the cash (21 cost 1050), and by hand
    // 20 beats 19: TE^2 = 2 (1000/2060 - .5)^2 + (60/2060)^2 = .00127 vs .00316 with 50 left in cash.
    expect(list.orders).toEqual([{ symbol: 'B', side: 'buy', shares: 20, price: 50, value: 1000, cost: 0 }]);
    expect(list.holdings.find((h) => h.symbol === 'OLD')!.shares).toBe(3);
    expect(list.cash).toBe(0);
    // The same request in full mode sells OLD.
    expect(tradeList({ ...request, mode: 'full' }).orders[0]).toEqual({
      symbol: 'OLD',
      side: 'sell',
      shares: 3,
      price: 20,
      value: 60,
      cost: 0,
    });
  });

  it('honours lot sizes per symbol', () => {
    const list = tradeList({
      holdings: [],
      cash: 10_000,
      prices: { A: 9, B: 20 },
      targets: [
        { symbol: 'A', weight: 0.5 },
        { symbol: 'B', weight: 0.5 },
      ],
      mode: 'full',
      lotSize: { A: 100, B: 50 },
    });
    // A: 5 lots = 4500 or 6 = 5400; B: 5 lots = 5000. 5 + 5 -> 9500, cash 500 is closest.
    expect(list.orders.map((o) => [o.symbol, o.shares])).toEqual([
      ['A', 500],
      ['B', 250],
    ]);
  });
});

describe('tradeList: properties over random portfolios', () => {
  it('contribution-only never sells while underweights exist (nor ever), never lowers a holding, never overdraws', () => {
    let mixed = 0;
    fc.assert(
      fc.property(portfolioArb('contribution'), (request) => {
        const before = structuredClone(request);
        const list = tradeList(request);
        // Count the cases with both an overweight holding (a full rebalance would sell) and an underweight one.
        const weight = (symbol: string) =>
          ((request.holdings.find((h) => h.symbol === symbol)?.shares ?? 0) * request.prices[symbol]!) / list.valueBefore;
        const target = (symbol: string) => request.targets.find((t) => t.symbol === symbol)?.weight ?? 0;
        const symbols = Object.keys(request.prices);
        if (symbols.some((s) => weight(s) > target(s) + 0.05) && symbols.some((s) => weight(s) < target(s) - 0.05)) mixed++;
        expect(request).toEqual(before);
        expect(list.orders.filter((o) => o.side === 'sell')).toEqual([]);
        expect(list.sold).toBe(0);
        for (const h of list.holdings) expect(h.shares).toBeGreaterThanOrEqual(h.previousShares);
        expectConsistent(request, list);
        expect(list.trackingError).toBeLessThanOrEqual(list.trackingErrorBefore + 1e-12);
      }),
      { seed: 21, numRuns: 200 },
    );
    expect(mixed).toBeGreaterThan(50);
  });

  it('contribution-only puts new money only into underweight holdings (fractional, no costs)', () => {
    // With fractional shares and no costs the optimum is water-filling: every holding bought ends at
    // one common deviation <= 0 from its target, so it started below it.
    fc.assert(
      fc.property(portfolioArb('contribution'), (request) => {
        const list = tradeList({ ...request, fractional: true, costs: NO_COSTS });
        const value = list.valueBefore;
        for (const order of list.orders) {
          const held = request.holdings.find((h) => h.symbol === order.symbol)?.shares ?? 0;
          const target = request.targets.find((t) => t.symbol === order.symbol)!.weight;
          expect((held * order.price) / value).toBeLessThan(target + 1e-9);
        }
      }),
      { seed: 22, numRuns: 200 },
    );
  });

  it('full: sells first, never overdraws, sells what is no longer targeted and buys nothing back', () => {
    fc.assert(
      fc.property(portfolioArb('full'), (request) => {
        const list = tradeList(request);
        expectConsistent(request, list);
        const targeted = new Set(request.targets.map((t) => t.symbol));
        for (const h of request.holdings) {
          const price = request.prices[h.symbol]!;
          // Untargeted holdings go, unless the sale would not even pay its fee.
          if (!targeted.has(h.symbol) && saleCash(h.shares, price, request.costs!) > 0) {
            expect(list.holdings.find((x) => x.symbol === h.symbol)!.shares).toBe(0);
          }
        }
      }),
      { seed: 23, numRuns: 200 },
    );
  });
});

describe('contributionRebalance and fullRebalance', () => {
  it('neither buy nor sell an asset that cannot trade now, and value one without a price at 0', () => {
    const problem = {
      shares: Float64Array.of(50, 0, 3),
      cash: 1000,
      price: Float64Array.of(10, 10, 0),
      lotSize: Float64Array.of(1, 1, 1),
      target: Float64Array.of(0.2, 0.4, 0.4),
      costs: NO_COSTS,
      tradable: Uint8Array.of(0, 1, 1),
    };
    for (const trades of [contributionRebalance(problem), fullRebalance(problem)]) {
      expect(trades.valueBefore).toBe(1500);
      expect(trades.shares[0]).toBe(50); // overweight (500 of 1500) but closed today
      expect(trades.shares[2]).toBe(3); // no price: cannot be valued or traded
      expect(trades.bought[1]).toBeGreaterThan(0);
      expect(trades.cash).toBeGreaterThanOrEqual(0);
    }
  });

  it('report a tracking error of 0 for an empty book with no cash', () => {
    const trades = contributionRebalance({
      shares: Float64Array.of(0),
      cash: 0,
      price: Float64Array.of(10),
      lotSize: Float64Array.of(1),
      target: Float64Array.of(1),
      costs: NO_COSTS,
    });
    expect([trades.trackingErrorBefore, trades.trackingError, trades.valueAfter]).toEqual([0, 0, 0]);
  });
});

describe('tradeList: bad input', () => {
  const base: TradeListRequest = {
    holdings: [{ symbol: 'A', shares: 10 }],
    cash: 100,
    prices: { A: 10, B: 20 },
    targets: [{ symbol: 'B', weight: 1 }],
    mode: 'full',
  };

  it('names the field at fault', () => {
    expect(fieldOf(() => tradeList({ ...base, prices: { A: 10 } }))).toBe('prices.B');
    expect(fieldOf(() => tradeList({ ...base, prices: { B: 20 } }))).toBe('prices.A');
    expect(fieldOf(() => tradeList({ ...base, prices: { A: -1, B: 20 } }))).toBe('prices.A');
    expect(
      fieldOf(() =>
        tradeList({
          ...base,
          holdings: [
            { symbol: 'A', shares: 1 },
            { symbol: 'A', shares: 2 },
          ],
        }),
      ),
    ).toBe('holdings[1].symbol');
    expect(fieldOf(() => tradeList({ ...base, holdings: [{ symbol: 'A', shares: -1 }] }))).toBe('holdings[0].shares');
    expect(fieldOf(() => tradeList({ ...base, cash: Number.NaN }))).toBe('cash');
    expect(fieldOf(() => tradeList({ ...base, targets: [{ symbol: 'B', weight: 1.2 }] }))).toBe('targets');
    expect(fieldOf(() => tradeList({ ...base, targets: [{ symbol: 'B', weight: -0.2 }] }))).toBe('targets[0].weight');
    expect(fieldOf(() => tradeList({ ...base, mode: 'sell-all' as 'full' }))).toBe('mode');
    expect(fieldOf(() => tradeList({ ...base, lotSize: { B: 0 } }))).toBe('lotSize.B');
    expect(fieldOf(() => tradeList({ ...base, costs: { bps: 1, slippageBps: Number.NaN, fixedFee: 0 } }))).toBe('costs.slippageBps');
  });

  it('needs no price for a symbol neither held nor targeted', () => {
    const list = tradeList({ ...base, holdings: [{ symbol: 'A', shares: 0 }], prices: { B: 20 } });
    expect(list.orders).toEqual([{ symbol: 'B', side: 'buy', shares: 5, price: 20, value: 100, cost: 0 }]);
  });
});
