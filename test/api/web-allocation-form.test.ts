/** Step 4's allocation form, pure: the choice and its refusals by field, the preview of whole shares, the job body that stores it, and the time-weighted drawdown of the portfolio page. */
import { describe, expect, it } from 'vitest';
import { allocationChoice, allocationJobBody, allocationPreview } from '../../src/api/web/allocation-form.js';
import { timeWeightedDrawdown } from '../../src/api/web/portfolio-views.js';
import { parsePortfolioRequest } from '../../src/portfolio/portfolio-spec.js';
import type { StoredPortfolio, StoredRebalance } from '../../src/portfolio/portfolio-store.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields);
const portfolio = {
  id: 1,
  name: 'pair',
  request: parsePortfolioRequest({ strategy: 'xs-momentum', symbols: ['SPY', 'TLT'], amount: 10_000, ignoreGates: true }),
  backtestId: null,
  createdAt: new Date(0),
} satisfies StoredPortfolio;
const latest = {
  asOf: '2024-01-31',
  holdings: [
    { symbol: 'SPY', targetWeight: 0.6, price: 480, shares: 12, weight: 0.58, value: 5760, score: 1, reason: '' },
    { symbol: 'TLT', targetWeight: 0.4, price: 95, shares: 42, weight: 0.4, value: 3990, score: 0.5, reason: '' },
    { symbol: 'GLD', targetWeight: 0, price: 190, shares: 0, weight: 0, value: 0, score: -1, reason: '' },
  ],
} as unknown as StoredRebalance;

describe('the allocation form', () => {
  it('takes a lump sum or a SIP plan', () => {
    expect(allocationChoice(form({ mode: 'lumpsum', amount: '2500', installment: 'ignored' }))).toEqual({
      ok: true,
      choice: { mode: 'lumpsum', amount: 2500, sip: null },
    });
    expect(allocationChoice(form({ mode: 'sip', amount: '2500', installment: '500', every: 'quarter', count: '' }))).toEqual({
      ok: true,
      choice: { mode: 'sip', amount: 2500, sip: { installment: 500, every: 'quarter', count: null } },
    });
  });

  it('refuses each field at fault by its name', () => {
    const refused = allocationChoice(form({ mode: 'sip', amount: '0', installment: 'x', every: 'daily', count: '2.5' }));
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.fields.map((f) => f.path)).toEqual(['amount', 'installment', 'every', 'count']);
  });

  it('buys whole shares of the latest targets with the amount, and says when the choice is the portfolio as stored', () => {
    const preview = allocationPreview(portfolio, latest, {
      mode: 'sip',
      amount: 5000,
      sip: { installment: 1000, every: 'month', count: 3 },
    });
    // Whole shares of the targets only, valued at the rebalance's prices; what is not spent stays cash.
    expect(preview.allocation.lines.map((l) => l.symbol)).toEqual(['SPY', 'TLT']);
    for (const line of preview.allocation.lines) {
      expect(Number.isInteger(line.shares) && line.shares > 0).toBe(true);
      expect(line.value).toBe(line.shares * latest.holdings.find((h) => h.symbol === line.symbol)!.price);
    }
    const { invested, costs, cash } = preview.allocation;
    expect(invested + costs + cash).toBeCloseTo(5000, 9);
    expect(preview.schedule).toEqual([
      { date: '2024-01-31', amount: 5000 },
      { date: '2024-02-29', amount: 1000 },
      { date: '2024-03-31', amount: 1000 },
    ]);
    expect(preview.stored).toBe(false);
    expect(allocationPreview(portfolio, latest, { mode: 'lumpsum', amount: 10_000, sip: null }).stored).toBe(true);
  });

  it('stores the choice with the portfolio request, as of the latest rebalance', () => {
    const body = allocationJobBody(
      portfolio,
      latest,
      { mode: 'sip', amount: 5000, sip: { installment: 1000, every: 'month', count: null } },
      'pair sip',
    );
    expect(body).toMatchObject({
      name: 'pair sip',
      request: { strategy: 'xs-momentum', symbols: ['SPY', 'TLT'], ignoreGates: true, mode: 'sip', amount: 5000, asOf: '2024-01-31' },
    });
    expect(() => parsePortfolioRequest(body.request)).not.toThrow();
    expect(allocationJobBody(portfolio, latest, { mode: 'lumpsum', amount: 1, sip: null }, 'x').request).not.toHaveProperty('sip');
  });
});

describe('the time-weighted drawdown', () => {
  it('counts new money as no gain', () => {
    const drawdown = timeWeightedDrawdown({ value: [100, 90, 190, 220], invested: [100, 100, 200, 200] });
    [0, -0.1, -0.1, 0].forEach((d, i) => expect(drawdown[i]).toBeCloseTo(d, 12));
  });
});
