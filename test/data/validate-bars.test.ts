import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import type { CandidateBar } from '../../src/data/providers/price-provider.js';
import { rowProblems, validateBars } from '../../src/data/validate-bars.js';

const context = { symbol: 'TEST', interval: '1d' as const, source: 'csv' };

function bar(date: string, values: Partial<CandidateBar> = {}, line?: number): CandidateBar {
  return {
    ts: dateToTs(date),
    open: 10,
    high: 11,
    low: 9,
    close: 10.5,
    adj_close: 10.5,
    volume: 1000,
    ...values,
    ...(line === undefined ? {} : { line }),
  };
}

describe('validateBars', () => {
  it('accepts valid rows, sorts them by time and tags symbol, interval and source', () => {
    const rows = [bar('2024-01-03'), bar('2024-01-02')];
    const result = validateBars(rows, context);
    expect(result.rejected).toEqual([]);
    expect(result.accepted.map((b) => new Date(b.ts).toISOString().slice(0, 10))).toEqual(['2024-01-02', '2024-01-03']);
    expect(result.accepted[0]).toMatchObject({ symbol: 'TEST', interval: '1d', source: 'csv', open: 10, adj_close: 10.5 });
  });

  it.each([
    ['NaN close', { close: Number.NaN }, 'close is not a number'],
    ['infinite open', { open: Number.POSITIVE_INFINITY }, 'open is not a number'],
    ['zero low', { low: 0 }, 'low must be positive (got 0)'],
    ['negative adj_close', { adj_close: -1 }, 'adj_close must be positive (got -1)'],
    ['negative volume', { volume: -5 }, 'volume must not be negative (got -5)'],
    ['high below low', { high: 8, low: 9, open: 8.5, close: 8.5 }, 'high 8 is below low 9'],
    ['high below close', { high: 10.2 }, 'high 10.2 is below max(open 10, close 10.5)'],
    ['low above open', { low: 10.1 }, 'low 10.1 is above min(open 10, close 10.5)'],
  ])('rejects %s with a reason and keeps the other rows', (_name, values, reason) => {
    const rows = [bar('2024-01-02'), bar('2024-01-03', values, 3), bar('2024-01-04')];
    const result = validateBars(rows, context);
    expect(result.accepted).toHaveLength(2);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]).toMatchObject({ symbol: 'TEST', line: 3, ts: '2024-01-03' });
    expect(result.rejected[0]!.reason).toContain(reason);
  });

  it('rejects a row with an invalid timestamp without a date in the issue', () => {
    const result = validateBars([{ ...bar('2024-01-02'), ts: Number.NaN, line: 7 }], context);
    expect(result.rejected).toEqual([{ symbol: 'TEST', line: 7, ts: undefined, reason: 'invalid timestamp' }]);
  });

  it('keeps one of identical duplicates and rejects the copy', () => {
    const result = validateBars([bar('2024-01-02', {}, 2), bar('2024-01-02', {}, 3)], context);
    expect(result.accepted).toHaveLength(1);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]!.reason).toMatch(/duplicate of an identical row .*lines 2, 3.*one kept/);
  });

  it('rejects every row of conflicting duplicates: there is no telling which is right', () => {
    const result = validateBars(
      [bar('2024-01-02', {}, 2), bar('2024-01-02', { close: 10.6, adj_close: 10.6 }, 3), bar('2024-01-03', {}, 4)],
      context,
    );
    expect(result.accepted.map((b) => b.ts)).toEqual([dateToTs('2024-01-03')]);
    expect(result.rejected.map((r) => r.line)).toEqual([2, 3]);
    expect(result.rejected[0]!.reason).toContain('conflicting duplicate rows');
  });

  it('flags (but keeps) a >50% adjusted move that the adjustment does not explain', () => {
    const rows = [bar('2024-01-02'), bar('2024-01-03', { open: 5, high: 5.5, low: 4.5, close: 5, adj_close: 5 })];
    const result = validateBars(rows, context);
    expect(result.accepted).toHaveLength(2);
    expect(result.flagged).toHaveLength(1);
    expect(result.flagged[0]!.ts).toBe('2024-01-03');
    expect(result.flagged[0]!.reason).toContain('close and adj_close both moved -52.4%');
  });

  it('does not flag a split that adj_close already absorbs (raw close halves, adj_close continuous)', () => {
    const rows = [bar('2024-01-02'), bar('2024-01-03', { open: 5.1, high: 5.4, low: 5, close: 5.25, adj_close: 10.5 })];
    expect(validateBars(rows, context).flagged).toEqual([]);
  });

  it('flags an adj_close jump with no raw move as a bad adjustment', () => {
    const rows = [bar('2024-01-02'), bar('2024-01-03', { adj_close: 30 })];
    expect(validateBars(rows, context).flagged[0]!.reason).toContain('adj_close moved +185.7% while close moved +0.0%');
  });

  it('checks the first new bar against the stored bar before the batch', () => {
    const previous = { ts: dateToTs('2024-01-01'), close: 30, adj_close: 30 };
    const result = validateBars([bar('2024-01-02')], { ...context, previous });
    expect(result.flagged).toHaveLength(1);
  });

  it('does not mutate its input', () => {
    const rows = [bar('2024-01-03'), bar('2024-01-02')];
    const copy = structuredClone(rows);
    validateBars(rows, context);
    expect(rows).toEqual(copy);
  });

  it('accepts a row exactly when it has no problems to report', () => {
    const value = fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, 0, 1e-9, 9, 10, 10.5, 11, 1e300);
    const row = fc.record({
      ts: fc.constantFrom(dateToTs('2024-01-02'), Number.NaN),
      open: value,
      high: value,
      low: value,
      close: value,
      adj_close: value,
      volume: value,
    });
    fc.assert(
      fc.property(row, (r) => {
        expect(validateBars([r], context).accepted.length === 1).toBe(rowProblems(r).length === 0);
      }),
      { numRuns: 20_000 },
    );
  });
});
