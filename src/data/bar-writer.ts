/**
 * Writes validated bars with upsert semantics: new rows are inserted, changed rows updated, and
 * identical rows left alone, so re-ingesting the same data is a no-op (and counted as unchanged).
 * One call is one transaction: a crash leaves either all of the call's bars or none.
 *
 * Both engines, per series (symbol and interval) in the batch: read the stored bars of the batch's
 * time range as arrays, compare in JavaScript, COPY the new rows straight into `bars` in the binary
 * format, and update the changed ones. The earlier way (text COPY into a temporary table, then an
 * UPDATE join and an INSERT ... WHERE NOT EXISTS) measured ~16,000 bars/s on PGlite at 1M bars: its
 * text parsing and two joins were the cost. Bars of an instrument not in `instruments` are refused.
 */
import { encodeBinaryCopy, type CopyColumn } from '../db/binary-copy.js';
import type { Database } from '../db/database.js';
import type { ScriptTransaction } from '../db/script-transaction.js';
import { DataError } from '../errors.js';
import type { Bar } from './bar.js';

export interface WriteCounts {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

const VALUE_COLUMNS = ['open', 'high', 'low', 'close', 'adj_close', 'volume', 'source'] as const;
type StoredValues = Pick<Bar, (typeof VALUE_COLUMNS)[number]>;

const COPY_COLUMNS: readonly (CopyColumn<Bar> & { readonly name: string })[] = [
  { name: 'symbol', kind: 'text', value: (b) => b.symbol },
  { name: 'interval', kind: 'text', value: (b) => b.interval },
  { name: 'ts', kind: 'timestamptz', value: (b) => b.ts },
  { name: 'open', kind: 'float8', value: (b) => b.open },
  { name: 'high', kind: 'float8', value: (b) => b.high },
  { name: 'low', kind: 'float8', value: (b) => b.low },
  { name: 'close', kind: 'float8', value: (b) => b.close },
  { name: 'adj_close', kind: 'float8', value: (b) => b.adj_close },
  { name: 'volume', kind: 'float8', value: (b) => b.volume },
  { name: 'source', kind: 'text', value: (b) => b.source },
];

/** One series' stored bars in a time range, as one row of arrays (PGlite is slow at many row objects). */
const STORED_RANGE = `select array_agg((extract(epoch from ts) * 1000)::float8 order by ts) as ts,
  ${VALUE_COLUMNS.map((c) => `array_agg(${c} order by ts) as ${c}`).join(', ')}
  from bars where symbol = $1 and interval = $2 and ts between $3::timestamptz and $4::timestamptz`;

const UPDATE_CHANGED = `update bars b set ${VALUE_COLUMNS.map((c) => `${c} = u.${c}`).join(', ')}
  from unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[],
    $9::float8[], $10::text[]) as u (symbol, interval, ts, ${VALUE_COLUMNS.join(', ')})
  where b.symbol = u.symbol and b.interval = u.interval and b.ts = u.ts`;

/**
 * @example await upsertInstruments(db, [{ symbol: 'SPY' }], 'csv'); const { inserted } = await writeBars(db, accepted)
 */
export async function writeBars(database: Database, bars: readonly Bar[]): Promise<WriteCounts> {
  if (bars.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const series = bySeries(bars);
  const counts = await database.scriptTransaction(async (tx) => {
    await refuseUnknownInstruments(tx, [...new Set(bars.map((b) => b.symbol))]);
    // Serialise writers of bars (PostgreSQL): what is read below stays true until this transaction commits.
    await tx.exec('lock table bars in share row exclusive mode');
    const fresh: Bar[] = [];
    const changed: Bar[] = [];
    for (const group of series) {
      const stored = await storedValues(tx, group);
      for (const bar of group) {
        const old = stored.get(bar.ts);
        if (!old) fresh.push(bar);
        else if (VALUE_COLUMNS.some((c) => old[c] !== bar[c])) changed.push(bar);
      }
    }
    if (fresh.length > 0) {
      await tx.copyFrom(
        'bars',
        COPY_COLUMNS.map((c) => c.name),
        encodeBinaryCopy(fresh, COPY_COLUMNS),
      );
    }
    if (changed.length > 0)
      await tx.execute(
        UPDATE_CHANGED,
        COPY_COLUMNS.map((c) => changed.map(updateValue(c))),
      );
    return { inserted: fresh.length, updated: changed.length };
  });
  return { ...counts, unchanged: bars.length - counts.inserted - counts.updated };
}

/** Bars grouped by symbol and interval, in input order. */
function bySeries(bars: readonly Bar[]): Bar[][] {
  const groups = new Map<string, Bar[]>();
  for (const bar of bars) {
    const key = `${bar.symbol}\t${bar.interval}`;
    const group = groups.get(key);
    if (group) group.push(bar);
    else groups.set(key, [bar]);
  }
  return [...groups.values()];
}

async function refuseUnknownInstruments(tx: ScriptTransaction, symbols: readonly string[]): Promise<void> {
  const known = await tx.query<{ symbol: string }>('select symbol from instruments where symbol = any($1::text[])', [symbols]);
  const knownSet = new Set(known.map((k) => k.symbol));
  const unknown = symbols.filter((s) => !knownSet.has(s));
  if (unknown.length > 0) {
    throw new DataError(
      `bars for unknown instrument(s) ${unknown.slice(0, 5).join(', ')}: store the instruments first (upsertInstruments)`,
    );
  }
}

type StoredArrays = { readonly [K in 'ts' | (typeof VALUE_COLUMNS)[number]]: (K extends 'source' ? string : number)[] | null };

/** The stored values of one series within the time range of `group`, by epoch ms. */
async function storedValues(tx: ScriptTransaction, group: readonly Bar[]): Promise<Map<number, StoredValues>> {
  let first = Infinity;
  let last = -Infinity;
  for (const bar of group) {
    first = Math.min(first, bar.ts);
    last = Math.max(last, bar.ts);
  }
  const { symbol, interval } = group[0]!;
  const [row] = await tx.query<StoredArrays>(STORED_RANGE, [
    symbol,
    interval,
    new Date(first).toISOString(),
    new Date(Math.ceil(last)).toISOString(),
  ]);
  const stored = new Map<number, StoredValues>();
  const ts = row?.ts ?? [];
  for (let i = 0; i < ts.length; i++) {
    stored.set(ts[i]!, {
      open: row!.open![i]!,
      high: row!.high![i]!,
      low: row!.low![i]!,
      close: row!.close![i]!,
      adj_close: row!.adj_close![i]!,
      volume: row!.volume![i]!,
      source: row!.source![i]!,
    });
  }
  return stored;
}

/** A column's value as an update parameter: times as ISO text, the rest as they are. */
function updateValue(column: (typeof COPY_COLUMNS)[number]): (bar: Bar) => string | number {
  return column.kind === 'timestamptz' ? (bar) => new Date(column.value(bar)).toISOString() : column.value;
}
