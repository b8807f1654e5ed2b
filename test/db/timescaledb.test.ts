/**
 * On a server that preloads TimescaleDB (`.ci/run` builds it and runs the PostgreSQL suite a second
 * time on it), the migrations make `bars` a hypertable; on plain PostgreSQL and PGlite it stays a
 * plain table. Whichever engine runs this file, bars written across several yearly chunks read back
 * exactly, and a corrected bar replaces the old one; on TimescaleDB the chunks are compressed first
 * (segments by symbol and interval), and a delta ingest, a full re-import and a restated bar inside
 * a compressed chunk must still land.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { loadPanel } from '../../src/data/panel.js';
import type { PriceProvider } from '../../src/data/providers/price-provider.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { describeTimescale, setCompressionAge, timescaleStatus } from '../../src/db/timescale-status.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe(`bars on this engine (${engineName})`, () => {
  let db: TestDatabase;
  let preloaded: boolean;
  /** Compression and continuous aggregates: not in the Apache-licensed build (`.ci/run` tests that too). */
  let compression: boolean;
  beforeAll(async () => {
    db = await openTestDatabase();
    // Told by the server's own settings, not by the migrations under test.
    const { rows } = await sql<{ libs: string | null; license: string | null }>`
      select current_setting('shared_preload_libraries', true) as libs, current_setting('timescaledb.license', true) as license`.execute(
      db.kysely,
    );
    preloaded = engineName === 'postgres' && /\btimescaledb\b/.test(rows[0]?.libs ?? '');
    compression = preloaded && rows[0]?.license === 'timescale';
  });
  afterAll(async () => {
    await db?.close();
  });

  it('is a hypertable exactly when the server preloads TimescaleDB', async () => {
    const { rows } = await sql<{ view: string | null }>`select to_regclass('timescaledb_information.hypertables')::text as view`.execute(
      db.kysely,
    );
    const hypertables =
      rows[0]!.view === null
        ? 0
        : (
            await sql<{
              n: number;
            }>`select count(*)::int as n from timescaledb_information.hypertables where hypertable_name = 'bars'`.execute(db.kysely)
          ).rows[0]!.n;
    expect(hypertables).toBe(preloaded ? 1 : 0);
    // What `db status` says about it.
    const { rows: available } = await sql<{ n: number }>`
      select count(*)::int as n from pg_available_extensions where name = 'timescaledb'`.execute(db.kysely);
    const status = await timescaleStatus(db);
    const expected = engineName === 'pglite' || available[0]!.n === 0 ? 'absent' : preloaded ? 'enabled' : 'not preloaded';
    expect(status.state).toBe(expected);
    if (compression) {
      expect(status.version).toBe('2.28.3');
      expect(describeTimescale(status)).toMatch(
        /^TimescaleDB 2\.28\.3 \(timescale licence\): bars a hypertable, 0 of \d+ chunks of 365 days compressed \(policy: chunks older than 2 years\); bars_1wk (not materialised yet|materialised up to \d{4}-\d\d-\d\d), bars_1mo /,
      );
    } else if (preloaded) {
      expect(describeTimescale(status)).toMatch(
        /^TimescaleDB 2\.28\.3 \(apache licence\): bars a hypertable \(\d+ chunks of 365 days\); this build has no compression and no continuous aggregates, so bars stay uncompressed and weekly and monthly bars are computed by query$/,
      );
    } else {
      expect(describeTimescale(status)).toMatch(/bars are a plain table/);
    }
  });

  it('reads back bars written across several chunks, and a corrected bar replaces the old one', async () => {
    const provider = new SyntheticProvider({ seed: 3 });
    const symbols = ['SYN-EQ-US', 'SYN-GOLD'];
    await ingest(db, provider, { symbols, interval: '1d', now: () => dateToTs('2006-12-31') });
    const expected = provider.market(dateToTs('2006-12-31')).bars.get('SYN-GOLD')!;
    expect(expected.length).toBeGreaterThan(1000);
    const panel = await loadPanel(db, { symbols, interval: '1d', field: ['close', 'adj_close'] });
    const gold = symbols.indexOf('SYN-GOLD');
    expect(Array.from(panel.dates)).toEqual(expected.map((bar) => bar.ts));
    expect(Array.from(panel.values.close[gold]!)).toEqual(expected.map((bar) => bar.close));
    if (preloaded) {
      const { rows } = await sql<{ chunks: number }>`select count(*)::int as chunks from show_chunks('bars')`.execute(db.kysely);
      expect(rows[0]!.chunks).toBeGreaterThan(1);
    }
    const { rows } = await sql<{
      n: number;
    }>`update bars set close = close * 2 where symbol = 'SYN-GOLD' and ts = ${new Date(expected[100]!.ts)} returning 1 as n`.execute(
      db.kysely,
    );
    expect(rows).toHaveLength(1);
    const after = await loadPanel(db, { symbols: ['SYN-GOLD'], interval: '1d', field: 'close' });
    expect(after.values.close[0]![100]).toBe(expected[100]!.close * 2);
    expect(after.dates).toHaveLength(expected.length);
  });

  it('compresses old chunks on TimescaleDB; a delta, a full re-import and a restated bar in a compressed chunk all land', async () => {
    const symbols = ['SYN-EQ-EU', 'SYN-BOND-LONG'];
    const synthetic = new SyntheticProvider({ seed: 8 });
    await ingest(db, synthetic, { symbols, interval: '1d', now: () => dateToTs('2005-12-31') });
    const { rows: settings } = await sql<{ segments: string | null }>`
      select string_agg(attname, ',' order by segmentby_column_index) as segments
      from timescaledb_information.compression_settings
      where hypertable_name = 'bars' and segmentby_column_index is not null`
      .execute(db.kysely)
      .catch(() => ({ rows: [{ segments: null }] }));
    expect(settings[0]!.segments).toBe(compression ? 'symbol,interval' : null);
    if (compression) {
      await sql`select compress_chunk(c, if_not_compressed => true) from show_chunks('bars') c`.execute(db.kysely);
      const { rows } = await sql<{ compressed: number }>`
        select count(*)::int as compressed from timescaledb_information.chunks where hypertable_name = 'bars' and is_compressed`.execute(
        db.kysely,
      );
      expect(rows[0]!.compressed).toBeGreaterThan(1);
      const status = await timescaleStatus(db);
      expect(status.compressedChunks).toBe(rows[0]!.compressed);
      expect(status.afterBytes).toBeGreaterThan(0);
      expect(status.afterBytes).toBeLessThan(status.beforeBytes);
      expect(describeTimescale(status)).toMatch(/chunks of 365 days compressed, \d+\.\dx smaller \(policy: /);
    }
    const market = synthetic.market(dateToTs('2006-06-30')).bars.get('SYN-EQ-EU')!;
    const restatedAt = market.findIndex((bar) => bar.ts >= dateToTs('2004-03-01'));
    // The source restates one old bar (inside a compressed chunk on TimescaleDB), every price by 0.1%.
    const restate = <B extends { open: number; high: number; low: number; close: number; adj_close: number }>(bar: B): B => ({
      ...bar,
      open: bar.open * 1.001,
      high: bar.high * 1.001,
      low: bar.low * 1.001,
      close: bar.close * 1.001,
      adj_close: bar.adj_close * 1.001,
    });
    const restating: PriceProvider = {
      name: synthetic.name,
      fetchBars: async (request) => {
        const result = await synthetic.fetchBars(request);
        return {
          ...result,
          rows: result.rows.map((bar) => (bar.ts === market[restatedAt]!.ts && request.symbol === 'SYN-EQ-EU' ? restate(bar) : bar)),
        };
      },
    };
    await ingest(db, synthetic, { symbols, interval: '1d', now: () => dateToTs('2006-06-30') });
    await ingest(db, restating, { symbols, interval: '1d', full: true, now: () => dateToTs('2006-06-30') });
    const panel = await loadPanel(db, { symbols: ['SYN-EQ-EU'], interval: '1d', field: 'close' });
    expect(Array.from(panel.dates)).toEqual(market.map((bar) => bar.ts));
    const expected = market.map((bar, i) => (i === restatedAt ? restate(bar).close : bar.close));
    expect(Array.from(panel.values.close[0]!)).toEqual(expected);
  });

  it("sets the compression policy's age on TimescaleDB (db compress-after), and says why it cannot elsewhere", async () => {
    if (!preloaded) {
      await expect(setCompressionAge(db, '18 months')).rejects.toThrow(/bars are a plain table.*no compression policy to set here/);
      return;
    }
    if (!compression) {
      await expect(setCompressionAge(db, '18 months')).rejects.toThrow(/apache licence.*no compression policy to set here/);
      return;
    }
    await expect(setCompressionAge(db, 'soon')).rejects.toThrow(/"soon" is not a positive interval/);
    await expect(setCompressionAge(db, '-3 months')).rejects.toThrow(/not a positive interval/);
    expect(await setCompressionAge(db, '18 months')).toBe('1 year 6 mons');
    expect((await timescaleStatus(db)).compressAfter).toBe('1 year 6 mons');
    expect(await setCompressionAge(db, '2 years')).toBe('2 years');
    expect((await timescaleStatus(db)).compressAfter).toBe('2 years');
  });
});
