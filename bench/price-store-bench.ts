/**
 * Issue 2 benchmarks: bulk load of 1,000,000 daily bars, loadPanel of 500 symbols x 2,000 days,
 * and the import of all of ../shared/data, on PGlite and (when DATABASE_URL is set) PostgreSQL.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dateToTs, MS_PER_DAY, type Bar } from '../src/data/bar.js';
import { writeBars } from '../src/data/bar-writer.js';
import { ingest } from '../src/data/ingest.js';
import { loadPanel } from '../src/data/panel.js';
import { upsertInstruments } from '../src/data/price-store.js';
import { CsvProvider } from '../src/data/providers/csv-provider.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { createRandom } from '../src/util/random.js';
import { createServerDatabase } from '../test/helpers/test-database.js';
import { fmt, median, report, timed } from './bench-utils.js';

const SYMBOLS = 500;
const DAYS = 2_000;
const SHARED_DATA = resolve(import.meta.dirname, '../../shared/data');

function syntheticBars(symbols: number, days: number): Bar[] {
  const random = createRandom(1);
  const start = dateToTs('2010-01-01');
  const bars: Bar[] = [];
  for (let s = 0; s < symbols; s++) {
    let price = 50 + 50 * random.next();
    for (let d = 0; d < days; d++) {
      price *= Math.exp(0.01 * random.normal());
      const close = Math.round(price * 100) / 100;
      bars.push({
        symbol: `B${String(s).padStart(4, '0')}`,
        interval: '1d',
        ts: start + d * MS_PER_DAY,
        open: close,
        high: close + 0.5,
        low: Math.max(0.01, close - 0.5),
        close,
        adj_close: close,
        volume: 1000 + d,
        source: 'bench',
      });
    }
  }
  return bars;
}

/** PostgreSQL runs in a new database on the server named by DATABASE_URL, dropped afterwards. */
export async function benchPriceStore(engine: 'pglite' | 'postgres'): Promise<void> {
  console.log(`\nprice store on ${engine}`);
  const bars = syntheticBars(SYMBOLS, DAYS);
  const server = engine === 'postgres' ? await createServerDatabase() : undefined;
  const db = await openDatabase(server ? { url: server.url } : { memory: true });
  try {
    await upsertInstruments(
      db,
      Array.from({ length: SYMBOLS }, (_, s) => ({ symbol: `B${String(s).padStart(4, '0')}` })),
      'bench',
    );
    const load = await timed(() => writeBars(db, bars));
    report(
      `bulk load of ${fmt(bars.length)} daily bars (COPY + upsert)`,
      `${fmt(bars.length / load.seconds)} bars/s (${load.seconds.toFixed(2)} s)`,
      engine === 'postgres' ? '>= 200,000 bars/s' : undefined,
    );
    const again = await timed(() => writeBars(db, bars));
    report(`re-load of the same bars (all unchanged)`, `${fmt(bars.length / again.seconds)} bars/s (${again.seconds.toFixed(2)} s)`);

    const symbols = Array.from({ length: SYMBOLS }, (_, s) => `B${String(s).padStart(4, '0')}`);
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) runs.push((await timed(() => loadPanel(db, { symbols, interval: '1d', field: 'close' }))).seconds);
    report(
      `loadPanel ${SYMBOLS} symbols x ${fmt(DAYS)} days of closes (median of 3)`,
      `${median(runs).toFixed(3)} s`,
      engine === 'postgres' ? '< 1 s' : undefined,
    );
    await clearBars(db);
    await importSharedData(db);
  } finally {
    await db.close();
    await server?.drop();
  }
}

async function clearBars(db: Database): Promise<void> {
  await db.kysely.deleteFrom('bars').execute();
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
