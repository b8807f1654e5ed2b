/**
 * loadFundamentals point in time: hand-built cases (a restatement, a late report, the lag rule,
 * flags, asOf, a symbol without data) against a table of expected values written out here, and a
 * property: changing or adding any value known on or after a bar's day never changes what any bar
 * up to it sees.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FundamentalValue } from '../../src/data/fundamental.js';
import { loadFundamentals } from '../../src/data/fundamentals.js';
import { storeFundamentals } from '../../src/data/fundamentals-store.js';
import { validateFundamentals } from '../../src/data/validate-fundamentals.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const DAY = 86_400_000;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const value = (v: Partial<FundamentalValue> & Pick<FundamentalValue, 'symbol' | 'periodEnd' | 'value' | 'knownAt'>): FundamentalValue => ({
  field: 'revenue',
  periodType: 'quarterly',
  source: 'csv',
  flag: null,
  ...v,
});

describe(`loadFundamentals (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  describe('hand-built cases', () => {
    const BARS = [
      '2024-01-31',
      '2024-02-01',
      '2024-02-02',
      '2024-02-05',
      '2024-02-06',
      '2024-05-15',
      '2024-05-16',
      '2024-05-21',
      '2024-06-03',
    ];
    const dates = BARS.map(day);
    beforeAll(async () => {
      await sql`delete from fundamentals`.execute(db.kysely);
      await storeFundamentals(db, [
        // AAA: Q4 reported on 02-01 (after the close, as far as anyone knows), restated on 02-05
        value({ symbol: 'AAA', periodEnd: '2023-12-31', value: 100, knownAt: day('2024-02-01') }),
        value({ symbol: 'AAA', periodEnd: '2023-12-31', value: 110, knownAt: day('2024-02-05') }),
        // BBB: Q4 on 02-02 at 21:30 UTC, restated 05-01; Q1 reported late (05-20); Q4 restated again after that
        value({ symbol: 'BBB', periodEnd: '2023-12-31', value: 1, knownAt: day('2024-02-02') + 21.5 * 3_600_000 }),
        value({ symbol: 'BBB', periodEnd: '2023-12-31', value: 0.9, knownAt: day('2024-05-01') }),
        value({ symbol: 'BBB', periodEnd: '2024-03-31', value: 2, knownAt: day('2024-05-20') }),
        value({ symbol: 'BBB', periodEnd: '2023-12-31', value: 0.8, knownAt: day('2024-06-01') }),
        // CCC: a negative revenue, stored flagged; its annual figure is another series
        value({ symbol: 'CCC', periodEnd: '2023-12-31', value: -3, knownAt: day('2024-01-20'), flag: 'negative' }),
        value({ symbol: 'CCC', periodEnd: '2023-12-31', periodType: 'annual', value: 400, knownAt: day('2024-01-20') }),
      ]);
      // AAA's Q1 without a reported date: the lag rule makes it known on 2024-03-31 + 45 days = 2024-05-15
      const lagged = validateFundamentals(
        [{ line: 2, symbol: 'AAA', field: 'revenue', periodEnd: '2024-03-31', periodType: 'quarterly', value: '120' }],
        { source: 'csv', now: day('2024-07-01') },
      );
      await storeFundamentals(db, lagged.values);
    });

    it('each bar sees the latest period known before its day; a restatement from its own day on', async () => {
      const f = await loadFundamentals(db, ['AAA', 'bbb', 'CCC', 'DDD'], ['revenue'], { dates });
      const N = Number.NaN;
      // prettier-ignore
      const expected = {
        //      01-31 02-01 02-02 02-05 02-06 05-15 05-16 05-21 06-03
        AAA: [  N,    N,    100,  100,  110,  110,  120,  120,  120 ],
        BBB: [  N,    N,    N,    1,    1,    0.9,  0.9,  2,    2   ],
        CCC: [  N,    N,    N,    N,    N,    N,    N,    N,    N   ],
        DDD: [  N,    N,    N,    N,    N,    N,    N,    N,    N   ],
      };
      expect(Object.fromEntries(f.symbols.map((s, i) => [s, [...f.values.revenue[i]!]]))).toEqual(expected);
      expect([...f.periodEnd.revenue[1]!].map((t) => (Number.isNaN(t) ? null : new Date(t).toISOString().slice(0, 10)))).toEqual([
        null,
        null,
        null,
        '2023-12-31',
        '2023-12-31',
        '2023-12-31',
        '2023-12-31',
        '2024-03-31',
        '2024-03-31',
      ]);
      expect(f.withoutValues).toEqual(['CCC', 'DDD']);
    });

    it('flagged values only when asked; annual and quarterly never mixed; asOf hides what came later', async () => {
      const flagged = await loadFundamentals(db, ['CCC'], ['revenue'], { dates, includeFlagged: true });
      expect([...flagged.values.revenue[0]!]).toEqual([-3, -3, -3, -3, -3, -3, -3, -3, -3]);
      const annual = await loadFundamentals(db, ['CCC', 'AAA'], ['revenue'], { dates, periodType: 'annual' });
      expect([...annual.values.revenue[0]!]).toEqual([400, 400, 400, 400, 400, 400, 400, 400, 400]);
      expect(annual.withoutValues).toEqual(['AAA']);
      const asOf = await loadFundamentals(db, ['AAA'], ['revenue'], { dates, asOf: day('2024-02-03') });
      expect([...asOf.values.revenue[0]!]).toEqual([Number.NaN, Number.NaN, 100, 100, 100, 100, 100, 100, 100]);
    });

    it('refuses an unknown field and dates out of order', async () => {
      await expect(loadFundamentals(db, ['AAA'], ['ebitdaa' as 'revenue'], { dates })).rejects.toThrow(/unknown field "ebitdaa"/);
      await expect(loadFundamentals(db, ['AAA'], ['revenue'], { dates: [dates[1]!, dates[0]!] })).rejects.toThrow(/ascending/);
    });
  });

  it('reads dates the same in any session time zone (a value known at 00:00 UTC on its period end is stored and dated exactly)', async () => {
    await sql`delete from fundamentals`.execute(db.kysely);
    // one connection of the pool, in New York time (behind UTC: a date read as local midnight would be 04:00 UTC)
    await db.kysely.connection().execute(async (connection) => {
      await sql`set time zone 'America/New_York'`.execute(connection);
      try {
        const local = { ...db, kysely: connection };
        const writes = await storeFundamentals(local, [
          value({ symbol: 'TZ', periodEnd: '2024-03-31', value: 5, knownAt: day('2024-03-31') }),
        ]);
        expect(writes.map((w) => w.outcome)).toEqual(['stored']);
        const f = await loadFundamentals(local, ['TZ'], ['revenue'], { dates: [day('2024-03-31'), day('2024-04-01')] });
        expect([...f.values.revenue[0]!]).toEqual([Number.NaN, 5]);
        expect(f.periodEnd.revenue[0]![1]).toBe(day('2024-03-31'));
      } finally {
        await sql`reset time zone`.execute(connection);
      }
    });
  });

  it('property: what any bar up to t sees never depends on values known on or after t’s day', async () => {
    const START = day('2024-01-01');
    const BARS = 40;
    const dates = Array.from({ length: BARS }, (_, i) => START + i * DAY);
    const QUARTERS = ['2023-06-30', '2023-09-30', '2023-12-31'];
    const row = fc.record({
      symbol: fc.constantFrom('P1', 'P2'),
      field: fc.constantFrom('revenue' as const, 'eps_diluted' as const),
      periodEnd: fc.constantFrom(...QUARTERS),
      value: fc.double({ min: -100, max: 100, noNaN: true }),
      // known from the start of 2024 (after every period end here) up to past the last bar, at any time of day
      knownAt: fc.integer({ min: 0, max: (BARS + 5) * DAY - 1 }).map((ms) => START + ms),
      source: fc.constantFrom('csv', 'other'),
    });
    const unique = (rows: FundamentalValue[]) => [
      ...new Map(rows.map((r) => [[r.symbol, r.field, r.periodEnd, r.periodType, r.knownAt, r.source].join('|'), r])).values(),
    ];
    const load = async (rows: FundamentalValue[]) => {
      await sql`delete from fundamentals`.execute(db.kysely);
      await storeFundamentals(db, rows);
      return loadFundamentals(db, ['P1', 'P2'], ['revenue', 'eps_diluted'], { dates });
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 25 }),
        fc.array(row, { maxLength: 10 }),
        fc.integer({ min: 0, max: BARS - 1 }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        async (base, added, t, changed) => {
          const cutoff = dates[t]!;
          const before = unique(base.map((r) => value({ ...r, periodType: 'quarterly' })));
          // every value known on or after bar t's day changed, and more such values added
          const later = (r: FundamentalValue) => ({ ...r, knownAt: Math.max(r.knownAt, cutoff) });
          const after = unique([
            ...before.map((r) => (r.knownAt >= cutoff ? { ...r, value: changed } : r)),
            ...added.map((r) => later(value({ ...r, periodType: 'quarterly' }))),
          ]);
          const [a, b] = [await load(before), await load(after)];
          for (const field of ['revenue', 'eps_diluted'] as const)
            for (let s = 0; s < 2; s++) {
              expect([...a.values[field][s]!.slice(0, t + 1)]).toEqual([...b.values[field][s]!.slice(0, t + 1)]);
              expect([...a.periodEnd[field][s]!.slice(0, t + 1)]).toEqual([...b.periodEnd[field][s]!.slice(0, t + 1)]);
            }
        },
      ),
      { seed: 19, numRuns: 60 },
    );
  });
});
