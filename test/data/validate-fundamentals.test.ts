/**
 * Validation of fundamental rows: every bad input of issue 19 rejected or flagged with its reason,
 * the other rows kept; the lag rule when no reported date is given.
 */
import { describe, expect, it } from 'vitest';
import { validateFundamentals, type FundamentalInput } from '../../src/data/validate-fundamentals.js';

const NOW = Date.UTC(2025, 0, 1);
const ok = {
  symbol: 'aapl',
  field: 'revenue',
  periodEnd: '2024-03-31',
  periodType: 'quarterly',
  value: '90e9',
  reportedDate: '2024-05-02',
};
const run = (rows: Omit<FundamentalInput, 'line'>[]) =>
  validateFundamentals(
    rows.map((row, i) => ({ ...row, line: i + 2 })),
    { source: 'csv', now: NOW },
  );

describe('validateFundamentals', () => {
  it('keeps a good row with its reported date as known_at, upper-cases the symbol and takes the default source', () => {
    const result = run([ok]);
    expect(result.rejected).toEqual([]);
    expect(result.values).toEqual([
      {
        line: 2,
        symbol: 'AAPL',
        field: 'revenue',
        periodEnd: '2024-03-31',
        periodType: 'quarterly',
        value: 90e9,
        knownAt: Date.UTC(2024, 4, 2),
        source: 'csv',
        flag: null,
      },
    ]);
  });

  it('without a reported date, known_at is the period end plus 45 days (quarter, ttm) or 90 (year)', () => {
    const result = run([
      { ...ok, reportedDate: '' },
      { ...ok, periodType: 'ttm', reportedDate: undefined },
      { ...ok, periodEnd: '2023-12-31', periodType: 'annual', reportedDate: ' ' },
    ]);
    // 2024-03-31 + 45 days = 2024-05-15; 2023-12-31 + 90 days = 2024-03-30
    expect(result.values.map((v) => new Date(v.knownAt).toISOString().slice(0, 10))).toEqual(['2024-05-15', '2024-05-15', '2024-03-30']);
  });

  it.each([
    [{ ...ok, value: '' }, 'missing value'],
    [{ ...ok, field: undefined, periodType: ' ' }, 'missing field, period_type'],
    [{ ...ok, field: 'ebitdaa' }, 'unknown field "ebitdaa"'],
    [{ ...ok, periodType: 'monthly' }, 'unknown period type "monthly"'],
    [{ ...ok, periodEnd: '2024-02-30' }, 'invalid period_end "2024-02-30"'],
    [{ ...ok, value: 'NaN' }, 'value "NaN" is not a finite decimal number'],
    [{ ...ok, value: 'Infinity' }, 'value "Infinity" is not a finite decimal number'],
    [{ ...ok, value: '1e999' }, 'value "1e999" is not a finite decimal number'],
    [{ ...ok, value: '0x10' }, 'value "0x10" is not a finite decimal number'],
    [{ ...ok, reportedDate: '2024-03-01' }, 'reported_date 2024-03-01 is before period_end 2024-03-31 (periods out of order)'],
    [{ ...ok, reportedDate: '2024/05/02' }, 'invalid reported_date "2024/05/02"'],
    [{ ...ok, periodEnd: '2025-03-31', reportedDate: '' }, 'period_end 2025-03-31 is in the future'],
    [{ ...ok, symbol: 'A B' }, 'invalid symbol "A B"'],
  ])('rejects %j: %s, and keeps the other rows', (bad, reason) => {
    const result = run([bad, { ...ok, symbol: 'MSFT' }]);
    expect(result.rejected).toEqual([{ line: 2, symbol: (bad.symbol ?? '').toUpperCase(), reason: expect.stringContaining(reason) }]);
    expect(result.values.map((v) => v.symbol)).toEqual(['MSFT']);
  });

  it('stores a negative revenue and absurd magnitudes with their flag; a negative net income is no flag', () => {
    const result = run([
      { ...ok, value: '-5' },
      { ...ok, field: 'net_income', value: '-5' },
      { ...ok, field: 'eps_diluted', value: '2e8' },
      { ...ok, field: 'roe', value: '150' },
      { ...ok, field: 'roe', periodType: 'ttm', value: '0.35' },
    ]);
    expect(result.rejected).toEqual([]);
    expect(result.values.map((v) => [v.field, v.flag])).toEqual([
      ['revenue', 'negative'],
      ['net_income', null],
      ['eps_diluted', 'absurd'],
      ['roe', 'absurd'],
      ['roe', null],
    ]);
    expect(result.flagged.map((f) => [f.line, f.reason.split(':')[0]])).toEqual([
      [2, 'negative'],
      [4, 'absurd'],
      [5, 'absurd'],
    ]);
  });

  it('keeps a repeated row once, rejects both rows of a contradiction, keeps a restatement (a later reported date)', () => {
    const result = run([
      ok,
      { ...ok },
      { ...ok, field: 'net_income', value: '1' },
      { ...ok, field: 'net_income', value: '2' },
      { ...ok, reportedDate: '2024-08-01', value: '91e9' },
    ]);
    expect(result.repeated).toEqual([{ line: 3, symbol: 'AAPL', reason: 'repeats line 2' }]);
    expect(result.rejected.map((r) => r.line)).toEqual([4, 5]);
    expect(result.rejected[1]!.reason).toContain('contradicts line 4');
    expect(result.values.map((v) => [v.line, v.value])).toEqual([
      [2, 90e9],
      [6, 91e9],
    ]);
  });

  it('names a symbol whose rows were all rejected; the source column overrides the default', () => {
    const result = run([
      { ...ok, symbol: 'BAD', value: 'x' },
      { ...ok, source: 'compustat' },
    ]);
    expect(result.withoutValues).toEqual(['BAD']);
    expect(result.values[0]!.source).toBe('compustat');
  });
});
