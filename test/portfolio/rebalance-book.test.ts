import { describe, expect, it } from 'vitest';
import { bookPositions, type RebalanceBook } from '../../src/portfolio/rebalance-book.js';

// Before: 10 AAA at 20 and 5 CCC at 40 (400 in holdings) plus 100 cash and 500 new money: 1000.
// The orders sell the CCC (200) and buy 20 BBB at 30 (600, cost 0): after, 10 AAA (200) and 20 BBB (600) and 200 cash: 1000.
const book: RebalanceBook = {
  before: [
    { symbol: 'AAA', shares: 10 },
    { symbol: 'CCC', shares: 5 },
  ],
  cashBefore: 100,
  contribution: 500,
  orders: [
    { symbol: 'CCC', side: 'sell', shares: 5, price: 40, value: 200, cost: 0 },
    { symbol: 'BBB', side: 'buy', shares: 20, price: 30, value: 600, cost: 0 },
  ],
  after: [
    { symbol: 'AAA', shares: 10 },
    { symbol: 'BBB', shares: 20 },
  ],
  cashAfter: 200,
  costs: 0,
  prices: { AAA: 20, BBB: 30, CCC: 40 },
  corporateActions: [],
};

describe('bookPositions', () => {
  it("weighs the model's symbols in their order, then the ones sold, by the totals before and after the orders", () => {
    const { positions, totalAfter } = bookPositions(book, ['BBB', 'AAA']);
    expect(totalAfter).toBe(1000);
    expect(positions).toEqual([
      { symbol: 'BBB', previousWeight: 0, weight: 0.6, shares: 20, sharesBefore: 0, value: 600, price: 30 },
      { symbol: 'AAA', previousWeight: 0.2, weight: 0.2, shares: 10, sharesBefore: 10, value: 200, price: 20 },
      { symbol: 'CCC', previousWeight: 0.2, weight: 0, shares: 0, sharesBefore: 5, value: 0, price: 40 },
    ]);
  });

  it('has no price for a symbol the book does not price, and zero weights in an empty book', () => {
    const empty: RebalanceBook = { ...book, before: [], after: [], orders: [], cashBefore: 0, contribution: 0, cashAfter: 0, prices: {} };
    expect(bookPositions(empty, ['ZZZ'])).toEqual({
      positions: [{ symbol: 'ZZZ', previousWeight: 0, weight: 0, shares: 0, sharesBefore: 0, value: 0, price: null }],
      totalAfter: 0,
    });
  });
});
