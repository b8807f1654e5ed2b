/**
 * On a server that preloads TimescaleDB (`.ci/run` builds it and runs the PostgreSQL suite a second
 * time on it), the migrations make `bars` a hypertable; on plain PostgreSQL and PGlite it stays a
 * plain table. Whichever engine runs this file, bars written across several yearly chunks read back
 * exactly, and a corrected bar replaces the old one.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { loadPanel } from '../../src/data/panel.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe(`bars on this engine (${engineName})`, () => {
  let db: TestDatabase;
  let preloaded: boolean;
  beforeAll(async () => {
    db = await openTestDatabase();
    // Told by the server's own settings, not by the migrations under test.
    const { rows } = await sql<{ libs: string | null }>`select current_setting('shared_preload_libraries', true) as libs`.execute(
      db.kysely,
    );
    preloaded = engineName === 'postgres' && /\btimescaledb\b/.test(rows[0]?.libs ?? '');
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
});
