/**
 * Writes validated bars with upsert semantics: new rows are inserted, changed rows updated, and
 * identical rows left alone, so re-ingesting the same data is a no-op (and counted as unchanged).
 * One call is one transaction: a crash leaves either all of the call's bars or none.
 *
 * Both engines: COPY into a temporary table (times as epoch ms, cheaper to print and parse than
 * ISO text), then an UPDATE of the rows whose values differ and an INSERT of the missing ones.
 * That pair measured ~1.8x faster than INSERT ... ON CONFLICT DO UPDATE here, which checks each
 * row with a speculative insertion. Bars of an instrument not in `instruments` are refused.
 */
import type { Database } from '../db/database.js';
import { DataError } from '../errors.js';
import type { Bar } from './bar.js';

export interface WriteCounts {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

const LOAD_COLUMNS = ['symbol', 'interval', 'ts_ms', 'open', 'high', 'low', 'close', 'adj_close', 'volume', 'source'] as const;
const VALUE_COLUMNS = ['open', 'high', 'low', 'close', 'adj_close', 'volume', 'source'] as const;
/** Lines per chunk handed to COPY. */
const COPY_CHUNK = 5_000;

const CREATE_LOAD_TABLE = `create temp table bars_load (
  symbol text not null, interval text not null, ts_ms double precision not null,
  open double precision not null, high double precision not null, low double precision not null,
  close double precision not null, adj_close double precision not null, volume double precision not null,
  source text not null) on commit drop`;

const list = (columns: readonly string[], prefix = '') => columns.map((c) => `${prefix}${c}`).join(', ');
const LOADED_TS = 'to_timestamp(l.ts_ms / 1000.0)';
const SAME_KEY = `b.symbol = l.symbol and b.interval = l.interval and b.ts = ${LOADED_TS}`;

const UNKNOWN_INSTRUMENTS = `select distinct l.symbol from bars_load l where not exists (select 1 from instruments i where i.symbol = l.symbol) limit 5`;
const UPDATE_CHANGED = `update bars b set ${VALUE_COLUMNS.map((c) => `${c} = l.${c}`).join(', ')}
  from bars_load l
  where ${SAME_KEY} and (${list(VALUE_COLUMNS, 'b.')}) is distinct from (${list(VALUE_COLUMNS, 'l.')})`;
const INSERT_MISSING = `insert into bars (symbol, interval, ts, ${list(VALUE_COLUMNS)})
  select l.symbol, l.interval, ${LOADED_TS}, ${list(VALUE_COLUMNS, 'l.')} from bars_load l
  where not exists (select 1 from bars b where ${SAME_KEY})`;

/**
 * @example await upsertInstruments(db.kysely, [{ symbol: 'SPY' }], 'csv'); const { inserted } = await writeBars(db, accepted)
 */
export async function writeBars(database: Database, bars: readonly Bar[]): Promise<WriteCounts> {
  if (bars.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const counts = await database.scriptTransaction(async (tx) => {
    await tx.exec(CREATE_LOAD_TABLE);
    await tx.copyFrom('bars_load', LOAD_COLUMNS, copyLines(bars));
    const unknown = await tx.query<{ symbol: string }>(UNKNOWN_INSTRUMENTS);
    if (unknown.length > 0) {
      throw new DataError(
        `bars for unknown instrument(s) ${unknown.map((u) => u.symbol).join(', ')}: store the instruments first (upsertInstruments)`,
      );
    }
    // Serialise writers of the same bars: the insert below is not safe against a concurrent one.
    await tx.exec('lock table bars in share row exclusive mode');
    const updated = await tx.execute(UPDATE_CHANGED);
    const inserted = await tx.execute(INSERT_MISSING);
    return { inserted, updated };
  });
  return { ...counts, unchanged: bars.length - counts.inserted - counts.updated };
}

/** COPY text format: tab-separated, one bar a line. Symbols and sources never hold tabs or backslashes. */
function* copyLines(bars: readonly Bar[]): Generator<string> {
  for (let start = 0; start < bars.length; start += COPY_CHUNK) {
    let chunk = '';
    const end = Math.min(bars.length, start + COPY_CHUNK);
    for (let i = start; i < end; i++) {
      const b = bars[i]!;
      chunk += `${b.symbol}\t${b.interval}\t${b.ts}\t${b.open}\t${b.high}\t${b.low}\t${b.close}\t${b.adj_close}\t${b.volume}\t${b.source}\n`;
    }
    yield chunk;
  }
}
