import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateToTs, type Bar } from '../../src/data/bar.js';
import { writeBars } from '../../src/data/bar-writer.js';
import { loadPanel } from '../../src/data/panel.js';
import { upsertInstruments } from '../../src/data/price-store.js';
import { DataError, ValidationError } from '../../src/errors.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const bar = (symbol: string, date: string, close: number, adj = close, interval: Bar['interval'] = '1d'): Bar => ({
  symbol,
  interval,
  ts: dateToTs(date),
  open: close - 1,
  high: close + 1,
  low: close - 2,
  close,
  adj_close: adj,
  volume: 10,
  source: 'test',
});

describe(`loadPanel (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await upsertInstruments(db, [{ symbol: 'AAA' }, { symbol: 'BBB' }, { symbol: 'CCC' }], 'test');
    await writeBars(db, [
      bar('AAA', '2024-01-02', 10, 5),
      bar('AAA', '2024-01-03', 11, 5.5),
      bar('AAA', '2024-01-05', 12, 6),
      bar('BBB', '2024-01-03', 20),
      bar('BBB', '2024-01-04', 21),
      bar('BBB', '2024-01-05', 22),
      bar('AAA', '2024-01-08', 99, 99, '1wk'),
    ]);
  });
  afterAll(async () => {
    await db.close();
  });

  it('puts symbols on the union of their dates, NaN where a symbol has no bar', async () => {
    const panel = await loadPanel(db, { symbols: ['AAA', 'BBB'], interval: '1d', field: ['close', 'adj_close'] });
    expect([...panel.dates].map((t) => new Date(t).toISOString().slice(0, 10))).toEqual([
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
      '2024-01-05',
    ]);
    expect(panel.symbols).toEqual(['AAA', 'BBB']);
    expect([...panel.values.close[0]!]).toEqual([10, 11, Number.NaN, 12]);
    expect([...panel.values.close[1]!]).toEqual([Number.NaN, 20, 21, 22]);
    expect([...panel.values.adj_close[0]!]).toEqual([5, 5.5, Number.NaN, 6]);
    expect(panel.values.close[0]).toBeInstanceOf(Float64Array);
  });

  it('defaults to adjusted closes and derives adjusted open/high/low from the adjustment factor', async () => {
    const panel = await loadPanel(db, { symbols: ['AAA'], interval: '1d', field: ['adj_open', 'adj_high', 'adj_low'] });
    // open = close - 1, factor adj/close = 0.5: adj_open = (10 - 1) * 0.5
    expect([...panel.values.adj_open[0]!]).toEqual([4.5, 5, 5.5]);
    expect([...panel.values.adj_high[0]!]).toEqual([5.5, 6, 6.5]);
    expect([...panel.values.adj_low[0]!]).toEqual([4, 4.5, 5]);
    const plain = await loadPanel(db, { symbols: ['AAA'], interval: '1d' });
    expect(Object.keys(plain.values)).toEqual(['adj_close']);
  });

  it('keeps intervals apart and honours inclusive from/to bounds', async () => {
    const weekly = await loadPanel(db, { symbols: ['AAA'], interval: '1wk', field: 'close' });
    expect([...weekly.values.close[0]!]).toEqual([99]);
    const window = await loadPanel(db, { symbols: ['AAA', 'BBB'], interval: '1d', from: '2024-01-03', to: '2024-01-04', field: 'close' });
    expect(window.dates.length).toBe(2);
    expect([...window.values.close[1]!]).toEqual([20, 21]);
  });

  it('gives an all-NaN column to a symbol without bars, and an error when no symbol has any', async () => {
    const panel = await loadPanel(db, { symbols: ['AAA', 'CCC'], interval: '1d', field: 'close' });
    expect([...panel.values.close[1]!].every(Number.isNaN)).toBe(true);
    await expect(loadPanel(db, { symbols: ['CCC'], interval: '1d' })).rejects.toThrow(DataError);
    await expect(loadPanel(db, { symbols: ['AAA'], interval: '1d', from: '2030-01-01' })).rejects.toThrow(
      'no 1d bars for AAA between 2030-01-01 and now; ingest them first (momentum ingest)',
    );
  });

  it('refuses bad requests with the field named', async () => {
    await expect(loadPanel(db, { symbols: [], interval: '1d' })).rejects.toThrow(ValidationError);
    await expect(loadPanel(db, { symbols: ['AAA', 'aaa'], interval: '1d' })).rejects.toThrow('symbols: repeated symbol');
    await expect(loadPanel(db, { symbols: ["A'--"], interval: '1d' })).rejects.toThrow('symbols[0]: invalid symbol');
    await expect(loadPanel(db, { symbols: ['AAA'], interval: '1d', from: 'yesterday' })).rejects.toThrow(
      'from: "yesterday" is not a calendar date',
    );
    await expect(loadPanel(db, { symbols: ['AAA'], interval: '1d', to: '2020-02-30T12:00:00Z' })).rejects.toThrow(
      'to: 2020-02-30 is not a calendar date (February 2020 has 29 days)',
    );
    await expect(loadPanel(db, { symbols: ['AAA'], interval: '1d', to: '2020-02-03Tnoon' })).rejects.toThrow('to: invalid date');
    await expect(loadPanel(db, { symbols: ['AAA'], interval: '1d', field: 'price' as never })).rejects.toThrow(
      'field: unknown field "price"',
    );
  });
});
