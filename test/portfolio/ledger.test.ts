/** The ledger's arithmetic on hand-made events: splits with cash in lieu, dividends to cash or reinvested, order within a day. */
import { describe, expect, it } from 'vitest';
import type { CorporateAction } from '../../src/data/corporate-action.js';
import { applyActions, applyOne, splitRatio } from '../../src/portfolio/ledger.js';

const split = (symbol: string, exDate: string, value: number): CorporateAction => ({ symbol, exDate, kind: 'split', value, source: 'csv' });
const dividend = (symbol: string, exDate: string, value: number): CorporateAction => ({
  symbol,
  exDate,
  kind: 'dividend',
  value,
  source: 'csv',
});

describe('applyOne', () => {
  it('multiplies whole shares by a split ratio, with no cash when nothing is left over', () => {
    const entry = applyOne(2280, split('USO', '2020-04-29', 0.125), 'cash', 2.48);
    expect(entry).toMatchObject({ sharesBefore: 2280, sharesAfter: 285, cash: 0, price: null });
    expect(entry.note).toBe('1:8 (reverse) split: 2280 -> 285 shares');
  });

  it('pays the fraction a reverse split leaves in cash at the ex-date close', () => {
    const entry = applyOne(2283, split('USO', '2020-04-29', 0.125), 'cash', 2.48);
    expect(entry.sharesAfter).toBe(285);
    expect(entry.cash).toBeCloseTo(0.375 * 2.48, 12);
    expect(entry.price).toBe(2.48);
    expect(entry.note).toContain('0.375 of a share paid in cash at 2.48');
  });

  it('says when there is no close to pay the fraction at', () => {
    const entry = applyOne(3, split('X', '2020-01-02', 0.5), 'cash', null);
    expect(entry).toMatchObject({ sharesAfter: 1, cash: 0 });
    expect(entry.note).toContain('lost: no close on or after the ex-date');
  });

  it("takes upstream's 7.00000700001 as the 7:1 split it is", () => {
    expect(splitRatio(7.00000700001)).toBe(7);
    expect(applyOne(100, split('AAPL', '2014-06-09', 7.00000700001), 'cash', 93.7)).toMatchObject({ sharesAfter: 700, cash: 0 });
  });

  it('credits a dividend to cash, or reinvests it in whole shares with the rest to cash', () => {
    expect(applyOne(88, dividend('AAPL', '2020-11-06', 0.205), 'cash', 118.69)).toMatchObject({ sharesAfter: 88, cash: 88 * 0.205 });
    const reinvested = applyOne(1000, dividend('SPY', '2020-03-20', 1.4056), 'reinvest', 228.8);
    expect(reinvested.sharesAfter).toBe(1006);
    expect(reinvested.cash).toBeCloseTo(1405.6 - 6 * 228.8, 9);
  });
});

describe('applyActions', () => {
  it('applies events in order to the holdings they concern, splits before a dividend of the same day', () => {
    const holdings = [
      { symbol: 'A', shares: 10, tag: 'kept' },
      { symbol: 'B', shares: 5, tag: 'other' },
    ];
    const state = applyActions(
      holdings,
      100,
      [split('A', '2024-01-05', 2), dividend('A', '2024-01-05', 0.5), dividend('C', '2024-01-06', 9)],
      {
        dividends: 'cash',
        closeOn: () => 50,
      },
    );
    expect(state.holdings).toEqual([
      { symbol: 'A', shares: 20, tag: 'kept' },
      { symbol: 'B', shares: 5, tag: 'other' },
    ]);
    expect(state.cash).toBe(110);
    expect(state.entries.map((e) => [e.kind, e.sharesBefore, e.sharesAfter, e.cash])).toEqual([
      ['split', 10, 20, 0],
      ['dividend', 20, 20, 10],
    ]);
  });

  it('does not mutate its inputs', () => {
    const holdings = Object.freeze([Object.freeze({ symbol: 'A', shares: 10 })]);
    const actions = Object.freeze([split('A', '2024-01-05', 3)]);
    const state = applyActions(holdings, 0, actions, { dividends: 'cash', closeOn: () => 1 });
    expect(state.holdings[0]!.shares).toBe(30);
    expect(holdings[0]!.shares).toBe(10);
  });
});
