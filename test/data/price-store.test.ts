import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateToTs, type Bar, type Interval } from '../../src/data/bar.js';
import { writeBars } from '../../src/data/bar-writer.js';
import { ingest } from '../../src/data/ingest.js';
import { dataSummary, upsertInstruments, type SummaryRow } from '../../src/data/price-store.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { defaultMigrationsDir, migrate } from '../../src/db/migrator.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const bar = (symbol: string, interval: Interval, date: string, source: string): Bar => ({
  symbol,
  interval,
  ts: dateToTs(date),
  open: 10,
  high: 11,
  low: 9,
  close: 10,
  adj_close: 10,
  volume: 100,
  source,
});

describe(`dataSummary (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await upsertInstruments(db, [{ symbol: 'SPY', name: 'S&P 500 ETF', asset_class: 'fund' }, { symbol: 'TLT' }], 'test');
    await writeBars(db, [
      bar('TLT', '1d', '2024-01-03', 'csv'),
      bar('SPY', '1d', '2024-01-02', 'yahoo'),
      bar('SPY', '1d', '2024-01-03', 'csv'),
      bar('SPY', '1d', '2024-01-04', 'yahoo'),
      bar('SPY', '1wk', '2024-01-01', 'yahoo'),
    ]);
  });
  afterAll(async () => {
    await db.close();
  });

  it('gives each series its first and last bar, its count and its sources, in symbol and interval order', async () => {
    expect(await dataSummary(db)).toEqual([
      {
        symbol: 'SPY',
        interval: '1d',
        name: 'S&P 500 ETF',
        asset_class: 'fund',
        sources: 'csv,yahoo',
        first: '2024-01-02',
        last: '2024-01-04',
        bars: 3,
      },
      {
        symbol: 'SPY',
        interval: '1wk',
        name: 'S&P 500 ETF',
        asset_class: 'fund',
        sources: 'yahoo',
        first: '2024-01-01',
        last: '2024-01-01',
        bars: 1,
      },
      { symbol: 'TLT', interval: '1d', name: null, asset_class: null, sources: 'csv', first: '2024-01-03', last: '2024-01-03', bars: 1 },
    ]);
  });

  it('keeps to the symbols and interval asked for', async () => {
    expect((await dataSummary(db, { symbols: ['TLT'] })).map((r) => [r.symbol, r.interval])).toEqual([['TLT', '1d']]);
    expect((await dataSummary(db, { interval: '1wk' })).map((r) => [r.symbol, r.interval])).toEqual([['SPY', '1wk']]);
    expect(await dataSummary(db, { symbols: [] })).toEqual([]);
  });
});

/** The summary computed independently, in JavaScript, from every stored bar. */
async function summaryFromBars(
  db: TestDatabase,
): Promise<Pick<SummaryRow, 'symbol' | 'interval' | 'sources' | 'first' | 'last' | 'bars'>[]> {
  const rows = await db.kysely.selectFrom('bars').select(['symbol', 'interval', 'ts', 'source']).execute();
  const series = new Map<string, { symbol: string; interval: string; sources: Set<string>; ts: number[] }>();
  for (const r of rows) {
    const key = `${r.symbol} ${r.interval}`;
    const entry = series.get(key) ?? { symbol: r.symbol, interval: r.interval, sources: new Set<string>(), ts: [] };
    entry.sources.add(r.source);
    entry.ts.push(new Date(r.ts).getTime());
    series.set(key, entry);
  }
  return [...series.values()]
    .sort((a, b) => (a.symbol === b.symbol ? a.interval.localeCompare(b.interval) : a.symbol.localeCompare(b.symbol)))
    .map((s) => ({
      symbol: s.symbol,
      interval: s.interval as Interval,
      sources: [...s.sources].sort().join(','),
      first: new Date(Math.min(...s.ts)).toISOString().slice(0, 10),
      last: new Date(Math.max(...s.ts)).toISOString().slice(0, 10),
      bars: s.ts.length,
    }));
}

const withoutNames = (rows: readonly SummaryRow[]) => rows.map(({ name: _name, asset_class: _class, ...rest }) => rest);

describe(`dataSummary follows every write (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await upsertInstruments(db, [{ symbol: 'SPY' }, { symbol: 'TLT' }], 'test');
  });
  afterAll(async () => {
    await db.close();
  });

  it('agrees with the bars after new bars, bars before the first, corrections that change the source, and a failed write', async () => {
    await writeBars(db, [bar('SPY', '1d', '2024-01-03', 'csv'), bar('SPY', '1d', '2024-01-04', 'csv')]);
    expect(withoutNames(await dataSummary(db))).toEqual(await summaryFromBars(db));
    await writeBars(db, [bar('SPY', '1d', '2023-12-29', 'csv'), bar('TLT', '1d', '2024-01-02', 'yahoo')]);
    expect(withoutNames(await dataSummary(db))).toEqual(await summaryFromBars(db));
    // Every SPY bar restated by another source: csv is gone from its sources.
    const restated = ['2023-12-29', '2024-01-03', '2024-01-04'].map((d) => ({ ...bar('SPY', '1d', d, 'yahoo'), close: 10.5 }));
    await writeBars(db, restated);
    const after = await summaryFromBars(db);
    expect(after.find((r) => r.symbol === 'SPY')).toMatchObject({ sources: 'yahoo', first: '2023-12-29', bars: 3 });
    expect(withoutNames(await dataSummary(db))).toEqual(after);
    await expect(writeBars(db, [bar('SPY', '1d', '2024-01-05', 'csv'), bar('XXX', '1d', '2024-01-05', 'csv')])).rejects.toThrow(/unknown/);
    expect(withoutNames(await dataSummary(db))).toEqual(after);
  });

  it('agrees with the bars after a CSV streamed in batches, and after it is ingested again with more rows', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'momentum-summary-csv-'));
    const days = (count: number) =>
      Array.from({ length: count }, (_, i) => new Date(Date.UTC(2000, 0, 3) + i * 86_400_000).toISOString().slice(0, 10));
    const write = (count: number) =>
      writeFileSync(
        join(folder, 'GLD.csv'),
        [
          'date,open,high,low,close,adj_close,volume',
          ...days(count).map((d, i) => `${d},${50 + (i % 7)},60,40,${50 + (i % 5)},${50 + (i % 5)},100`),
        ].join('\n'),
      );
    try {
      const options = { symbols: ['GLD'], interval: '1d' as const, now: () => dateToTs('2030-01-01'), batchRows: 700 };
      write(3000);
      await ingest(db, new CsvProvider({ path: folder }), options);
      expect((await dataSummary(db, { symbols: ['GLD'] }))[0]).toMatchObject({ bars: 3000, first: '2000-01-03', sources: 'csv' });
      write(3500);
      await ingest(db, new CsvProvider({ path: folder }), options);
      expect(withoutNames(await dataSummary(db))).toEqual(await summaryFromBars(db));
      expect((await dataSummary(db, { symbols: ['GLD'] }))[0]?.bars).toBe(3500);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe(`the bar_series migration (${engineName})`, () => {
  const before = mkdtempSync(join(tmpdir(), 'momentum-migrations-'));
  let db: TestDatabase;
  beforeAll(async () => {
    for (const file of readdirSync(defaultMigrationsDir()).filter((f) => f < '012'))
      copyFileSync(join(defaultMigrationsDir(), file), join(before, file));
    db = await openTestDatabase({ migrationsDir: before });
  });
  afterAll(async () => {
    await db.close();
    rmSync(before, { recursive: true, force: true });
  });

  it('counts the bars a database already holds', async () => {
    await upsertInstruments(db, [{ symbol: 'SPY' }, { symbol: 'TLT' }], 'test');
    const rows = [
      bar('SPY', '1d', '2024-01-02', 'yahoo'),
      bar('SPY', '1d', '2024-01-03', 'csv'),
      bar('SPY', '1wk', '2024-01-01', 'yahoo'),
      bar('TLT', '1d', '2024-01-05', 'csv'),
    ];
    await db.kysely
      .insertInto('bars')
      .values(rows.map((b) => ({ ...b, ts: new Date(b.ts) })))
      .execute();
    expect((await migrate(db)).applied.map((m) => m.name)).toContain('012_bar_series.sql');
    const summary = withoutNames(await dataSummary(db));
    expect(summary).toEqual(await summaryFromBars(db));
    expect(summary).toHaveLength(3);
  });
});
