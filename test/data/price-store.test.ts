import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateToTs, type Bar, type Interval } from '../../src/data/bar.js';
import { writeBars } from '../../src/data/bar-writer.js';
import { dataSummary, upsertInstruments } from '../../src/data/price-store.js';
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
