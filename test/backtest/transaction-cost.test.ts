/**
 * The one transaction-cost model: a worked fill by hand, the simulator's fill and the allocator's
 * purchase and sale agreeing with each other and with the independent definition, and the
 * optimiser's linear term as the mean of a purchase's and a sale's proportional cost.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_COSTS, TransactionCost, type CostModel } from '../../src/backtest/transaction-cost.js';
import { purchaseCash, saleCash } from '../portfolio/independent.js';

const costsArb: fc.Arbitrary<CostModel> = fc.record({
  bps: fc.double({ min: 0, max: 100, noNaN: true }),
  slippageBps: fc.double({ min: 0, max: 50, noNaN: true }),
  fixedFee: fc.double({ min: 0, max: 10, noNaN: true }),
});
const sharesArb = fc.integer({ min: 1, max: 100_000 });
const priceArb = fc.double({ min: 0.01, max: 5_000, noNaN: true });
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

describe('TransactionCost', () => {
  const cost = new TransactionCost({ bps: 10, slippageBps: 20, fixedFee: 1 });

  it('fills a purchase of 100 shares at 50 with 20 bps slippage, 10 bps commission and a fee of 1', () => {
    const fill = cost.fill(100, 50);
    expect(fill.price).toBeCloseTo(50.1, 12); // 50 x 1.002
    expect(fill.value).toBeCloseTo(5_010, 9);
    expect(fill.fee).toBeCloseTo(6.01, 9); // 0.1% of 5,010 + 1
    expect(fill.cashOut).toBeCloseTo(5_016.01, 9);
    expect(cost.fill(-100, 50).cashOut).toBeCloseTo(-(49.9 * 100 - 4.99 - 1), 9); // a sale brings cash in
  });

  it('gives the optimiser kappa = sigma + beta, the mean of the proportional costs of a purchase and a sale', () => {
    expect(cost.linear).toBeCloseTo(0.003, 15);
    expect(cost.linear).toBeCloseTo((cost.buyRate - 1 + (1 - cost.sellRate)) / 2, 15);
    expect(new TransactionCost(NO_COSTS).linear).toBe(0);
  });

  it('costs the same in the simulator and the allocator, and as the independent definition says', () => {
    fc.assert(
      fc.property(costsArb, sharesArb, priceArb, (model, shares, price) => {
        const c = new TransactionCost(model);
        const bought = c.buy(shares, price);
        const sold = c.sell(shares, price);
        return (
          close(c.fill(shares, price).cashOut, bought.total) &&
          close(-c.fill(-shares, price).cashOut, sold.total) &&
          close(bought.total, purchaseCash(shares, price, model)) &&
          close(sold.total, saleCash(shares, price, model)) &&
          close(bought.value, shares * price) &&
          close(c.shareBuyCash(price) * shares + model.fixedFee, bought.total)
        );
      }),
    );
  });

  it('buys and sells nothing for free, and says when trading is free', () => {
    expect(cost.buy(0, 50)).toEqual({ value: 0, cost: 0, total: 0 });
    expect(cost.sell(0, 50)).toEqual({ value: 0, cost: 0, total: 0 });
    expect(new TransactionCost(NO_COSTS).free).toBe(true);
    expect(cost.free).toBe(false);
  });
});
