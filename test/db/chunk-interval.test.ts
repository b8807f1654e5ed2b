/**
 * The chunk interval of bars follows how densely bars arrive: a year for daily bars, shorter for
 * minute bars. On TimescaleDB it is set on the hypertable; elsewhere there is nothing to set.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/data/bar.js';
import { writeBars } from '../../src/data/bar-writer.js';
import { upsertInstruments } from '../../src/data/price-store.js';
import { chunkIntervalDays, tuneChunkInterval } from '../../src/db/chunk-interval.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** A bar at 10 (high 11, low 9): only how many there are and when matters here. */
const flatBar = (symbol: string, interval: Bar['interval'], ts: number): Bar => ({
  symbol,
  interval,
  source: 'test',
  ts,
  open: 10,
  high: 11,
  low: 9,
  close: 10,
  adj_close: 10,
  volume: 5,
});

describe('chunkIntervalDays', () => {
  it('fills about a million bars a chunk, in steps from a day to a year', () => {
    expect(chunkIntervalDays(0)).toBe(365);
    expect(chunkIntervalDays(70)).toBe(365); // 101 stocks of daily bars
    expect(chunkIntervalDays(1_000_000 / 365)).toBe(365);
    expect(chunkIntervalDays(1_000_000 / 364)).toBe(182);
    expect(chunkIntervalDays(8_000)).toBe(90);
    expect(chunkIntervalDays(28_000)).toBe(30); // 100 stocks of minute bars
    expect(chunkIntervalDays(200_000)).toBe(1);
    expect(chunkIntervalDays(5_000_000)).toBe(1);
  });
});

describe(`the chunk interval after dense bars arrive (${engineName})`, () => {
  let db: TestDatabase;
  let hypertable: boolean;
  beforeAll(async () => {
    db = await openTestDatabase();
    const { rows } = await sql<{ libs: string | null }>`select current_setting('shared_preload_libraries', true) as libs`.execute(
      db.kysely,
    );
    hypertable = engineName === 'postgres' && /\btimescaledb\b/.test(rows[0]?.libs ?? '');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('stays a year for daily bars and drops to 90 days for minute bars of 20 symbols', async () => {
    const symbols = Array.from({ length: 20 }, (_, i) => `MIN${i}`);
    await upsertInstruments(
      db,
      symbols.map((symbol) => ({ symbol })),
      'test',
    );
    const daily = symbols.flatMap((symbol) =>
      Array.from({ length: 300 }, (_, d) => flatBar(symbol, '1d', Date.UTC(2020, 0, 1) + d * 86_400_000)),
    );
    await writeBars(db, daily);
    expect(await tuneChunkInterval(db)).toBe(hypertable ? 365 : null);
    // Five sessions of 390 minute bars each, over 5.3 calendar days: ~7,400 bars a day for 20 symbols.
    const minutes = symbols.flatMap((symbol) =>
      Array.from({ length: 5 * 390 }, (_, k) =>
        flatBar(symbol, '1m', Date.UTC(2021, 0, 4 + Math.floor(k / 390), 14, 30) + (k % 390) * 60_000),
      ),
    );
    await writeBars(db, minutes);
    expect(await tuneChunkInterval(db)).toBe(hypertable ? 90 : null);
    if (hypertable) {
      const { rows } = await sql<{ chunk: string }>`
        select time_interval::text as chunk from timescaledb_information.dimensions where hypertable_name = 'bars'`.execute(db.kysely);
      expect(rows[0]!.chunk).toBe('90 days');
    }
  });
});
