/**
 * Weekly and monthly bars made from daily ones: every engine (PGlite, PostgreSQL, TimescaleDB with
 * its continuous aggregates) must return the panel an independent computation makes from the daily
 * panel, so they return identical panels. On TimescaleDB the aggregate is also compared with the
 * query the other engines use, and a restated daily bar below the aggregate's last refresh shows.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { derivedBarsByQuery, type DerivedInterval } from '../../src/data/derived-bars.js';
import { aggregateState } from '../../src/db/continuous-aggregates.js';
import { ingest } from '../../src/data/ingest.js';
import { loadPanel, type Panel } from '../../src/data/panel.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const FIELDS = ['open', 'high', 'low', 'close', 'adj_close', 'volume'] as const;
type Field = (typeof FIELDS)[number];
const DAY = 86_400_000;

/** The period a daily bar falls in, computed with Date (Monday-start weeks, calendar months, UTC). */
function periodStart(ts: number, interval: DerivedInterval): number {
  const d = new Date(ts);
  if (interval === '1mo') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return ts - ((d.getUTCDay() + 6) % 7) * DAY;
}

/** The expected panel, from the daily panel alone. */
function fromDaily(daily: Panel<Field>, interval: DerivedInterval, from?: number, to?: number): Panel<Field> {
  const starts = [...new Set(Array.from(daily.dates, (t) => periodStart(t, interval)))]
    .filter((t) => (from === undefined || t >= from) && (to === undefined || t <= to))
    .sort((a, b) => a - b);
  const values = Object.fromEntries(FIELDS.map((f) => [f, daily.symbols.map(() => new Float64Array(starts.length).fill(NaN))])) as Record<
    Field,
    Float64Array[]
  >;
  daily.symbols.forEach((_, s) => {
    for (let t = 0; t < daily.dates.length; t++) {
      // Nothing after `to` is seen: the period holding it is made of its days up to `to`.
      if (Number.isNaN(daily.values.close[s]![t]!) || (to !== undefined && daily.dates[t]! > to)) continue;
      const p = starts.indexOf(periodStart(daily.dates[t]!, interval));
      if (p < 0) continue;
      const at = (f: Field) => daily.values[f][s]![t]!;
      const first = Number.isNaN(values.open[s]![p]!);
      values.open[s]![p] = first ? at('open') : values.open[s]![p]!;
      values.high[s]![p] = first ? at('high') : Math.max(values.high[s]![p]!, at('high'));
      values.low[s]![p] = first ? at('low') : Math.min(values.low[s]![p]!, at('low'));
      values.close[s]![p] = at('close');
      values.adj_close[s]![p] = at('adj_close');
      values.volume[s]![p] = (first ? 0 : values.volume[s]![p]!) + at('volume');
    }
  });
  // Periods where none of the symbols traded are not bars.
  const kept = starts.map((_, p) => daily.symbols.some((__, s) => !Number.isNaN(values.close[s]![p]!)));
  const keep = (column: Float64Array) => column.filter((_, p) => kept[p]);
  return {
    interval,
    symbols: daily.symbols,
    dates: keep(Float64Array.from(starts)),
    values: Object.fromEntries(FIELDS.map((f) => [f, values[f].map(keep)])) as Record<Field, Float64Array[]>,
  };
}

function expectSamePanel(actual: Panel<Field>, expected: Panel<Field>): void {
  expect(Array.from(actual.dates, (t) => new Date(t).toISOString().slice(0, 10))).toEqual(
    Array.from(expected.dates, (t) => new Date(t).toISOString().slice(0, 10)),
  );
  for (const field of FIELDS) {
    actual.symbols.forEach((symbol, s) => {
      expect([field, symbol, Array.from(actual.values[field][s]!)]).toEqual([field, symbol, Array.from(expected.values[field][s]!)]);
    });
  }
}

async function hasAggregates(db: TestDatabase): Promise<boolean> {
  const { rows } = await sql<{ view: string | null }>`select to_regclass('bars_1wk')::text as view`.execute(db.kysely);
  return rows[0]!.view !== null;
}

/** Whether the server runs TimescaleDB with every feature (told by its settings, not the migrations). */
async function fullTimescale(db: TestDatabase): Promise<boolean> {
  if (engineName !== 'postgres') return false;
  const { rows } = await sql<{ libs: string | null; license: string | null }>`
    select current_setting('shared_preload_libraries', true) as libs, current_setting('timescaledb.license', true) as license`.execute(
    db.kysely,
  );
  return /\btimescaledb\b/.test(rows[0]!.libs ?? '') && rows[0]!.license === 'timescale';
}

describe(`weekly and monthly bars from daily bars (${engineName})`, () => {
  let db: TestDatabase;
  const symbols = ['SYN-EQ-US', 'SYN-GOLD', 'SYN-BOND-LONG'];
  beforeAll(async () => {
    db = await openTestDatabase();
    await ingest(db, new SyntheticProvider({ seed: 11 }), { symbols, interval: '1d', now: () => dateToTs('2009-12-31') });
    // On TimescaleDB, the years before the last month materialised (the rest is computed at read
    // time): panels then come from both parts of the aggregates.
    if (await hasAggregates(db)) {
      for (const view of ['bars_1wk', 'bars_1mo']) {
        await sql`call refresh_continuous_aggregate(${view}, null::timestamptz, '2009-12-01'::timestamptz)`.execute(db.kysely);
      }
    }
  });
  afterAll(async () => {
    await db?.close();
  });

  it('are continuous aggregates exactly on a full TimescaleDB', async () => {
    expect(await hasAggregates(db)).toBe(await fullTimescale(db));
  });

  for (const interval of ['1wk', '1mo'] as const) {
    it(`${interval}: the panel equals the one computed from the daily panel, whole and between two dates`, async () => {
      const daily = await loadPanel(db, { symbols, interval: '1d', field: [...FIELDS] });
      const whole = await loadPanel(db, { symbols, interval, field: [...FIELDS] });
      expect(whole.interval).toBe(interval);
      expectSamePanel(whole, fromDaily(daily, interval));
      // Bounds inside a period: only periods starting within them.
      const from = dateToTs('2006-03-08');
      const to = dateToTs('2008-07-16');
      const part = await loadPanel(db, { symbols, interval, field: [...FIELDS], from, to });
      expectSamePanel(part, fromDaily(daily, interval, from, to));
    });
  }

  it('on TimescaleDB the aggregate and the query agree, and a restated daily bar below its last refresh shows at once', async () => {
    const aggregated = await hasAggregates(db);
    if (aggregated) {
      for (const interval of ['1wk', '1mo'] as const) {
        const view = sql.table(`bars_${interval}`);
        const query = derivedBarsByQuery(interval, symbols, undefined, undefined);
        const { rows } = await sql<{ n: number; all_rows: number }>`
          select (select count(*)::int from (
            (select * from ${view} except select * from (${query}) q)
            union all
            (select * from (${query}) q except select * from ${view})) differences) as n,
            (select count(*)::int from ${view}) as all_rows`.execute(db.kysely);
        expect(rows[0]!.n).toBe(0);
        expect(rows[0]!.all_rows).toBeGreaterThan(interval === '1wk' ? 3 * 52 * 5 : 3 * 12 * 5);
      }
      const { rows: state } = await sql<{ until: string }>`select _timescaledb_functions.to_timestamp(
          _timescaledb_functions.cagg_watermark(mat_hypertable_id))::date::text as until
        from _timescaledb_catalog.continuous_agg where user_view_name = 'bars_1mo'`.execute(db.kysely);
      expect(state[0]!.until).toBe('2009-12-01');
    }
    const day = dateToTs('2007-05-16');
    await sql`update bars set close = close * 1.5, high = high * 1.5, adj_close = adj_close * 1.5
      where symbol = 'SYN-GOLD' and interval = '1d' and ts = ${new Date(day)}`.execute(db.kysely);
    // What `db status` tells: the weekly aggregate has a restated bar waiting for a refresh.
    const before = await aggregateState(db, 'bars_1wk');
    expect(before === null ? null : before.stale).toBe(aggregated ? true : null);
    const daily = await loadPanel(db, { symbols, interval: '1d', field: [...FIELDS] });
    const weekly = await loadPanel(db, { symbols, interval: '1wk', field: [...FIELDS] });
    expectSamePanel(weekly, fromDaily(daily, '1wk'));
    const monthly = await loadPanel(db, { symbols, interval: '1mo', field: [...FIELDS] });
    expectSamePanel(monthly, fromDaily(daily, '1mo'));
    if (aggregated) {
      // The read refreshed the aggregate: nothing left to recompute for that week.
      const { rows } = await sql<{ close: number }>`select close from bars_1wk where symbol = 'SYN-GOLD' and ts = '2007-05-14'`.execute(
        db.kysely,
      );
      const g = symbols.indexOf('SYN-GOLD');
      expect(rows[0]!.close).toBe(weekly.values.close[g]![Array.from(weekly.dates).indexOf(dateToTs('2007-05-14'))]);
      expect((await aggregateState(db, 'bars_1wk'))!.stale).toBe(false);
    }
  });

  it('a symbol with weekly bars of its own keeps them; one without daily bars either is refused clearly', async () => {
    await db.kysely
      .insertInto('bars')
      .values({
        symbol: 'SYN-GOLD',
        interval: '1wk',
        ts: new Date(dateToTs('2009-12-28')),
        open: 7,
        high: 8,
        low: 6,
        close: 7.5,
        adj_close: 7.5,
        volume: 1,
        source: 'test',
      })
      .execute();
    await db.kysely
      .insertInto('bar_series')
      .values({
        symbol: 'SYN-GOLD',
        interval: '1wk',
        source: 'test',
        first_ts: new Date(dateToTs('2009-12-28')),
        last_ts: new Date(dateToTs('2009-12-28')),
        bars: 1,
      })
      .execute();
    const panel = await loadPanel(db, { symbols: ['SYN-GOLD', 'SYN-EQ-US'], interval: '1wk', field: 'close' });
    const own = Array.from(panel.values.close[0]!).filter((v) => !Number.isNaN(v));
    expect(own).toEqual([7.5]);
    expect(panel.values.close[1]!.filter((v) => !Number.isNaN(v)).length).toBeGreaterThan(500);
    await expect(loadPanel(db, { symbols: ['SYN-NOPE'], interval: '1mo' })).rejects.toThrow(
      /no 1mo bars \(nor daily bars to make them from\) for SYN-NOPE/,
    );
  });
});

const ETF = resolve(__dirname, '../../../shared/data/etf-daily');

describe.skipIf(!existsSync(ETF))(`weekly and monthly bars of the real ETF prices (${engineName})`, () => {
  let db: TestDatabase;
  const symbols = ['SPY', 'TLT', 'GLD', 'FXE', 'EEM'];
  beforeAll(async () => {
    db = await openTestDatabase();
    await ingest(db, new CsvProvider({ path: join(ETF) }), { symbols, interval: '1d' });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('equal the ones computed from the daily panel (holidays, different first days, whole-number volumes)', async () => {
    const daily = await loadPanel(db, { symbols, interval: '1d', field: [...FIELDS] });
    for (const interval of ['1wk', '1mo'] as const) {
      expectSamePanel(await loadPanel(db, { symbols, interval, field: [...FIELDS] }), fromDaily(daily, interval));
    }
  });
});
