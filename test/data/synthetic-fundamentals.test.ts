/**
 * The made-up fundamentals of the demo and notebook 07: the same seed gives the same data, every
 * value is known no earlier than its quarter's end and no later than `to`, it stores as it is, and
 * analysts' actions lean the way of the last surprise (the one relation the generator promises).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeFundamentals } from '../../src/data/fundamentals-store.js';
import { storeAnalystActions, storeEarningsEvents, storeNewsHeadlines } from '../../src/data/qualitative-store.js';
import { syntheticFundamentals } from '../../src/data/synthetic-fundamentals.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const options = { symbols: ['AAA', 'BBB', 'CCC', 'DDD'], from: Date.UTC(2010, 0, 1), to: Date.UTC(2019, 11, 31), seed: 3 };

describe(`synthetic fundamentals (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('is the same for the same seed and differs for another', () => {
    expect(syntheticFundamentals(options)).toEqual(syntheticFundamentals(options));
    expect(syntheticFundamentals({ ...options, seed: 4 }).earnings).not.toEqual(syntheticFundamentals(options).earnings);
  });

  it('has 39 quarters a symbol (the 40th, 2019 Q4, is announced after the end), each known between its quarter end and the end, on a weekday', () => {
    const data = syntheticFundamentals(options);
    for (const symbol of options.symbols) expect(data.earnings.filter((e) => e.symbol === symbol)).toHaveLength(39);
    for (const e of data.earnings) {
      const end = Date.parse(`${e.periodEnd}T00:00:00Z`);
      expect(e.knownAt - end).toBeGreaterThanOrEqual(20 * 86_400_000);
      expect(e.knownAt).toBeLessThanOrEqual(options.to);
      expect([1, 2, 3, 4, 5]).toContain(new Date(e.knownAt).getUTCDay());
    }
    for (const v of data.values) expect(v.knownAt).toBeGreaterThan(Date.parse(`${v.periodEnd}T00:00:00Z`));
    for (const a of data.actions) expect(a.actedAt).toBeLessThanOrEqual(options.to);
  });

  it("gives each whole year an annual statement, known 30 days or more after its fourth quarter's announcement", () => {
    const data = syntheticFundamentals(options);
    const annual = data.values.filter((v) => v.symbol === 'AAA' && v.periodType === 'annual' && v.field === 'net_income');
    // 2010 .. 2018: 2019's fourth quarter is announced after the end
    expect(annual.map((v) => v.periodEnd)).toEqual(Array.from({ length: 9 }, (_, i) => `${2010 + i}-12-31`));
    for (const v of annual) {
      const q4 = data.earnings.find((e) => e.symbol === 'AAA' && e.periodEnd === v.periodEnd)!;
      expect(v.knownAt - q4.knownAt).toBeGreaterThanOrEqual(30 * 86_400_000);
      const quarters = data.values.filter(
        (q) =>
          q.symbol === 'AAA' && q.periodType === 'quarterly' && q.field === 'net_income' && q.periodEnd.startsWith(v.periodEnd.slice(0, 4)),
      );
      expect(v.value).toBeCloseTo(
        quarters.reduce((sum, q) => sum + q.value, 0),
        0,
      );
    }
  });

  it('stores every item once', async () => {
    const data = syntheticFundamentals(options);
    const written = await storeFundamentals(db, data.values);
    expect(written.every((w) => w.outcome === 'stored')).toBe(true);
    expect(await storeEarningsEvents(db, data.earnings)).toBe(data.earnings.length);
    expect(await storeAnalystActions(db, data.actions)).toBe(data.actions.length);
    expect(await storeNewsHeadlines(db, data.headlines)).toBe(data.headlines.length);
  });

  it('upgrades more often after a beat than after a miss', () => {
    const data = syntheticFundamentals({ ...options, symbols: Array.from({ length: 30 }, (_, i) => `S${i}`) });
    const tally = { beat: { up: 0, all: 0 }, miss: { up: 0, all: 0 } };
    for (const a of data.actions) {
      const last = data.earnings.filter((e) => e.symbol === a.symbol && e.knownAt < a.actedAt).at(-1);
      if (!last) continue;
      const side = last.epsActual! >= last.epsEstimate! ? tally.beat : tally.miss;
      side.all++;
      if (a.action === 'up') side.up++;
    }
    expect(tally.beat.all).toBeGreaterThan(100);
    expect(tally.miss.all).toBeGreaterThan(100);
    expect(tally.beat.up / tally.beat.all).toBeGreaterThan(tally.miss.up / tally.miss.all + 0.2);
  });
});
