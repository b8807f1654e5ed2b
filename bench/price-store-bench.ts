/**
 * Issues 2 and 14 benchmarks: loading 1,000,000 daily bars (500 symbols x 2,000 days) as ingest
 * does it, a transaction per symbol, then again with --full (all unchanged); loadPanel of the 500
 * symbols; and the import of all of ../shared/data. The embedded engine runs on disk, in a
 * temporary MOMENTUM_HOME, as users meet it; PostgreSQL (with DATABASE_URL) in a new database.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dateToTs, MS_PER_DAY, type Bar } from '../src/data/bar.js';
import { writeBars } from '../src/data/bar-writer.js';
import { ingest } from '../src/data/ingest.js';
import { loadPanel } from '../src/data/panel.js';
import { upsertInstruments } from '../src/data/price-store.js';
import { CsvProvider } from '../src/data/providers/csv-provider.js';
import type { BarRequest, CandidateBar, PriceProvider, ProviderResult } from '../src/data/providers/price-provider.js';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../src/db/database.js';
import { timescaleStatus } from '../src/db/timescale-status.js';
import { formatBytes } from '../src/report/report-format.js';
import { createRandom } from '../src/util/random.js';
import { createServerDatabase } from '../test/helpers/test-database.js';
import { fmt, median, report, timed } from './bench-utils.js';

const SYMBOLS = 500;
const DAYS = 2_000;
const BARS = SYMBOLS * DAYS;
const SHARED_DATA = resolve(import.meta.dirname, '../../shared/data');
const symbolName = (s: number) => `B${String(s).padStart(4, '0')}`;

/** A seeded random walk per symbol, as a provider would return it. */
function syntheticRows(): Map<string, CandidateBar[]> {
  const random = createRandom(1);
  const start = dateToTs('2010-01-01');
  const rows = new Map<string, CandidateBar[]>();
  for (let s = 0; s < SYMBOLS; s++) {
    let price = 50 + 50 * random.next();
    const series: CandidateBar[] = [];
    for (let d = 0; d < DAYS; d++) {
      price *= Math.exp(0.01 * random.normal());
      const close = Math.round(price * 100) / 100;
      series.push({
        ts: start + d * MS_PER_DAY,
        open: close,
        high: close + 0.5,
        low: Math.max(0.01, close - 0.5),
        close,
        adj_close: close,
        volume: 1000 + d,
      });
    }
    rows.set(symbolName(s), series);
  }
  return rows;
}

/** The rows above, served as a provider: what ingest reads from Yahoo or CSV files. */
class BenchProvider implements PriceProvider {
  readonly name = 'bench';
  constructor(private readonly rows: ReadonlyMap<string, readonly CandidateBar[]>) {}
  async fetchBars(request: BarRequest): Promise<ProviderResult> {
    const from = request.from ?? -Infinity;
    return { rows: this.rows.get(request.symbol)!.filter((r) => r.ts >= from && r.ts <= request.to), unparsed: [] };
  }
}

/** PostgreSQL runs in a new database on the server named by DATABASE_URL, dropped afterwards. */
export async function benchPriceStore(engine: 'pglite' | 'postgres'): Promise<void> {
  console.log(`\nprice store on ${engine === 'pglite' ? 'the embedded engine (PGlite, on disk)' : 'PostgreSQL'}`);
  const rows = syntheticRows();
  const symbols = [...rows.keys()];
  const server = engine === 'postgres' ? await createServerDatabase() : undefined;
  const home = engine === 'pglite' ? mkdtempSync(join(tmpdir(), 'momentum-bench-store-')) : undefined;
  const db = await openDatabase(server ? { url: server.url } : { home });
  try {
    const timescale = await timescaleStatus(db);
    if (timescale.state === 'enabled') console.log(`  (TimescaleDB ${timescale.version}: bars a hypertable)`);
    const provider = new BenchProvider(rows);
    const to = dateToTs('2030-01-01');
    const load = await timed(() => ingest(db, provider, { symbols, interval: '1d', to }));
    if (load.result.totals.bars_inserted !== BARS) throw new Error(`expected ${BARS} new bars, got ${load.result.totals.bars_inserted}`);
    report(
      `ingest of ${fmt(BARS)} daily bars, ${SYMBOLS} symbols (a transaction each)`,
      `${fmt(BARS / load.seconds)} bars/s (${load.seconds.toFixed(1)} s; CPU ${load.cpuSeconds.toFixed(1)} s)`,
      engine === 'pglite' ? '>= 100,000 bars/s' : undefined,
    );
    const again = await timed(() => ingest(db, provider, { symbols, interval: '1d', to, full: true }));
    report(
      'the same again with --full (every bar read back, all unchanged)',
      `${fmt(BARS / again.seconds)} bars/s (${again.seconds.toFixed(1)} s; CPU ${again.cpuSeconds.toFixed(1)} s)`,
    );

    const runs: number[] = [];
    for (let i = 0; i < 3; i++) runs.push((await timed(() => loadPanel(db, { symbols, interval: '1d', field: 'close' }))).seconds);
    report(
      `loadPanel ${SYMBOLS} symbols x ${fmt(DAYS)} days of closes (median of 3)`,
      `${median(runs).toFixed(3)} s`,
      engine === 'postgres' ? '< 1 s' : undefined,
    );
    // Weekly bars from the daily ones: a query elsewhere; on TimescaleDB the continuous aggregate,
    // computed at read time until refreshed (the hourly policy), then read from its materialisation.
    const weekly = async () => {
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push((await timed(() => loadPanel(db, { symbols, interval: '1wk', field: 'close' }))).seconds);
      return `${median(runs).toFixed(3)} s`;
    };
    if (timescale.state === 'enabled') {
      const live = await weekly();
      const refresh = await timed(() =>
        sql`call refresh_continuous_aggregate('bars_1wk', null::timestamptz, null::timestamptz)`.execute(db.kysely),
      );
      report(
        `loadPanel ${SYMBOLS} symbols of weekly closes made from the daily bars (continuous aggregate, median of 3)`,
        `${live} before its first refresh, ${await weekly()} after (the refresh took ${refresh.seconds.toFixed(1)} s)`,
      );
    } else {
      report(`loadPanel ${SYMBOLS} symbols of weekly closes made from the daily bars (by query, median of 3)`, await weekly());
    }

    await db.kysely.deleteFrom('bars').execute();
    await db.kysely.deleteFrom('bar_series').execute();
    const bars: Bar[] = symbols.flatMap((symbol) =>
      rows.get(symbol)!.map((r) => ({ ...r, symbol, interval: '1d' as const, source: 'bench' })),
    );
    await upsertInstruments(
      db,
      symbols.map((symbol) => ({ symbol })),
      'bench',
    );
    const bulk = await timed(() => writeBars(db, bars));
    report(
      `the ${fmt(BARS)} bars in one writeBars call (one transaction)`,
      `${fmt(BARS / bulk.seconds)} bars/s (${bulk.seconds.toFixed(1)} s)`,
      engine === 'postgres' ? '>= 200,000 bars/s' : undefined,
    );
    if (engine === 'postgres') await reportStoreSize(db, timescale.state === 'enabled');

    await db.kysely.deleteFrom('bars').execute();
    await db.kysely.deleteFrom('bar_series').execute();
    await importSharedData(db);
  } finally {
    await db.close();
    await server?.drop();
    if (home) rmSync(home, { recursive: true, force: true });
  }
}

/** The size of the bars: a plain table with its index, or the hypertable before and after compressing every chunk. */
async function reportStoreSize(db: Database, timescale: boolean): Promise<void> {
  const size = async (expression: string) =>
    (await sql<{ bytes: number }>`select ${sql.raw(expression)}::float8 as bytes`.execute(db.kysely)).rows[0]!.bytes;
  if (!timescale) {
    report(`size of the ${fmt(BARS)} bars (a plain table with its index)`, formatBytes(await size("pg_total_relation_size('bars')")));
    return;
  }
  const before = await size("hypertable_size('bars')");
  const compress = await timed(() =>
    sql`select count(compress_chunk(c, if_not_compressed => true)) from show_chunks('bars') c`.execute(db.kysely),
  );
  const after = await size("hypertable_size('bars')");
  report(
    `size of the ${fmt(BARS)} bars in the hypertable, then every chunk compressed`,
    `${formatBytes(before)} -> ${formatBytes(after)} (${(before / after).toFixed(1)}x smaller; compressing took ${compress.seconds.toFixed(1)} s)`,
  );
}

async function importSharedData(db: Database): Promise<void> {
  const folders = ['etf-daily', 'stocks-daily'].map((f) => join(SHARED_DATA, f));
  if (!folders.every(existsSync)) {
    report('import of ../shared/data', 'skipped: folder not present');
    return;
  }
  let rows = 0;
  let files = 0;
  const { seconds } = await timed(async () => {
    for (const folder of folders) {
      const provider = new CsvProvider({ path: folder });
      const symbols = await provider.listSymbols();
      files += symbols.length;
      const result = await ingest(db, provider, { symbols, interval: '1d' });
      rows += result.totals.bars_inserted;
    }
  });
  report(`import of ../shared/data (${files} CSV files, ${fmt(rows)} bars)`, `${seconds.toFixed(1)} s, ${fmt(rows / seconds)} rows/s`);
}
