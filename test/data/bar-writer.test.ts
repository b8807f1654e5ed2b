import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/data/bar.js';
import { writeBars } from '../../src/data/bar-writer.js';
import { upsertInstruments } from '../../src/data/price-store.js';
import { DataError } from '../../src/errors.js';
import { barCount, dailyRow, storeFingerprint } from '../helpers/bars.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const bar = (symbol: string, date: string, close: number, extra: Partial<Bar> = {}): Bar => ({
  ...dailyRow(date, close),
  symbol,
  interval: '1d',
  source: 'test',
  ...extra,
});

/** Every stored bar of a symbol as the writer was given it (times as epoch ms). */
async function stored(db: TestDatabase, symbol: string): Promise<Bar[]> {
  const rows = await db.kysely
    .selectFrom('bars')
    .select(['symbol', 'interval', 'ts', 'open', 'high', 'low', 'close', 'adj_close', 'volume', 'source'])
    .where('symbol', '=', symbol)
    .orderBy('interval')
    .orderBy('ts')
    .execute();
  return rows.map((r) => ({ ...r, interval: r.interval as Bar['interval'], ts: r.ts.getTime() }));
}

describe(`writeBars (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await upsertInstruments(db, [{ symbol: 'AAA' }, { symbol: 'BBB' }], 'test');
  });
  beforeEach(async () => {
    await db.kysely.deleteFrom('bars').execute();
    await db.kysely.deleteFrom('bar_series').execute();
  });
  afterAll(async () => {
    await db.close();
  });

  it('stores every value exactly as given, raw and adjusted, with times to the millisecond', async () => {
    const bars = [
      bar('AAA', '1999-12-31', 0.1 + 0.2, { low: 0.1, adj_close: 1e-300, volume: 0 }),
      bar('AAA', '2024-02-29', 123456789.123456, { adj_close: Math.PI, volume: 2 ** 53 - 1, source: 'café ☕' }),
      { ...bar('AAA', '2024-03-01', 5), interval: '1m' as const, ts: Date.UTC(2024, 2, 1, 14, 30, 0, 123) },
      bar('BBB', '1970-01-01', 7.25),
    ];
    expect(await writeBars(db, bars)).toEqual({ inserted: 4, updated: 0, unchanged: 0 });
    expect(await stored(db, 'AAA')).toEqual([bars[0], bars[1], bars[2]]);
    expect(await stored(db, 'BBB')).toEqual([bars[3]]);
  });

  it('re-writing the same bars changes nothing and counts them unchanged', async () => {
    const bars = [bar('AAA', '2024-01-02', 10), bar('AAA', '2024-01-03', 11), bar('BBB', '2024-01-02', 20)];
    await writeBars(db, bars);
    const before = await storeFingerprint(db);
    expect(await writeBars(db, bars)).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    expect(await storeFingerprint(db)).toEqual(before);
  });

  it('updates the rows whose values changed, inserts the new ones, and leaves the rest alone', async () => {
    await writeBars(db, [bar('AAA', '2024-01-02', 10), bar('AAA', '2024-01-03', 11), bar('AAA', '2024-01-04', 12)]);
    const corrected = bar('AAA', '2024-01-03', 11, { adj_close: 10.5 });
    const relabelled = bar('AAA', '2024-01-04', 12, { source: 'yahoo' });
    const counts = await writeBars(db, [bar('AAA', '2024-01-02', 10), corrected, relabelled, bar('AAA', '2024-01-05', 13)]);
    expect(counts).toEqual({ inserted: 1, updated: 2, unchanged: 1 });
    expect(await stored(db, 'AAA')).toEqual([bar('AAA', '2024-01-02', 10), corrected, relabelled, bar('AAA', '2024-01-05', 13)]);
  });

  it('leaves stored bars outside the batch, and of other intervals, untouched', async () => {
    await writeBars(db, [bar('AAA', '2024-01-02', 10), bar('AAA', '2024-01-10', 11)]);
    const weekly = { ...bar('AAA', '2024-01-08', 99), interval: '1wk' as const };
    expect(await writeBars(db, [bar('AAA', '2024-01-05', 50), weekly])).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    expect(await stored(db, 'AAA')).toEqual([
      bar('AAA', '2024-01-02', 10),
      bar('AAA', '2024-01-05', 50),
      bar('AAA', '2024-01-10', 11),
      weekly,
    ]);
  });

  it('refuses bars of an unknown instrument and stores none of the batch', async () => {
    await expect(writeBars(db, [bar('AAA', '2024-01-02', 10), bar('ZZZ', '2024-01-02', 10)])).rejects.toThrow(DataError);
    await expect(writeBars(db, [bar('ZZZ', '2024-01-02', 10)])).rejects.toThrow(/unknown instrument\(s\) ZZZ/);
    expect(await barCount(db)).toBe(0);
  });

  it('is one transaction: a batch that fails part way leaves nothing, not even its valid bars', async () => {
    await writeBars(db, [bar('AAA', '2024-01-02', 10)]);
    const before = await storeFingerprint(db);
    // The same time twice in one batch (validation never lets this through) breaks the primary key mid-write.
    const batch = [bar('AAA', '2024-01-02', 11), bar('BBB', '2024-01-03', 5), bar('BBB', '2024-01-04', 6), bar('BBB', '2024-01-04', 6)];
    await expect(writeBars(db, batch)).rejects.toThrow();
    expect(await storeFingerprint(db)).toEqual(before);
    const [count] = (await sql<{ n: number }>`select count(*)::int as n from bars where symbol = 'BBB'`.execute(db.kysely)).rows;
    expect(count!.n).toBe(0);
  });

  it('does not mutate its input', async () => {
    const bars = [bar('AAA', '2024-01-03', 11), bar('AAA', '2024-01-02', 10)];
    const copy = structuredClone(bars);
    await writeBars(db, bars);
    expect(bars).toEqual(copy);
  });
});
