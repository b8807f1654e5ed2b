/**
 * Weekly and monthly bars made from daily ones, for symbols that have none of their own stored:
 * per symbol and calendar week (starting Monday, UTC) or month, the first open, the highest high,
 * the lowest low, the last close and adjusted close and the summed volume, stamped at the start of
 * the period (as Yahoo stamps its own weekly and monthly bars). The last period may be partial, and
 * a panel read up to a day `to` makes the period holding it of its days up to `to` only: nothing
 * after `to` is seen. A period starting before `from` is left out (not cut).
 *
 * On TimescaleDB they are read from continuous aggregates (sql/017); elsewhere (plain PostgreSQL,
 * PGlite, TimescaleDB's Apache build) a query computes the same rows. Both give identical values:
 * first, last, max and min pick stored numbers; the volume sum is exact while volumes are whole
 * numbers below 2^53 (summation order cannot matter then).
 */
import { sql, type RawBuilder } from 'kysely';
import { aggregateState, refreshAggregate } from '../db/continuous-aggregates.js';
import type { Database } from '../db/database.js';
import type { Interval } from './bar.js';

const DERIVED = {
  '1wk': { unit: 'week', view: 'bars_1wk' },
  '1mo': { unit: 'month', view: 'bars_1mo' },
} as const;

export type DerivedInterval = keyof typeof DERIVED;

const MS_PER_DAY = 86_400_000;

export function isDerivedInterval(interval: Interval): interval is DerivedInterval {
  return interval in DERIVED;
}

/** Symbols, and inclusive bounds on the periods' start (epoch ms). */
export type DerivedBarsQuery = (symbols: readonly string[], from: number | undefined, to: number | undefined) => RawBuilder<unknown>;

/**
 * How this database reads the interval's bars: rows with bars' columns (symbol, ts, open, high,
 * low, close, adj_close, volume), periods starting within [from, to]. Decided once per panel (a
 * stale aggregate is refreshed once, not by each of the panel's parallel queries).
 * @example const query = await derivedBarsReader(db, '1wk'); sql`select * from (${query(['SPY'], undefined, undefined)}) w`
 */
export async function derivedBarsReader(database: Database, interval: DerivedInterval): Promise<DerivedBarsQuery> {
  if (!(await readsAggregate(database, interval))) return (symbols, from, to) => derivedBarsByQuery(interval, symbols, from, to);
  const view = sql.table(DERIVED[interval].view);
  return (symbols, from, to) => {
    const after = from === undefined ? sql`` : sql`and ts >= ${new Date(from)}`;
    if (to === undefined)
      return sql`select symbol, ts, open, high, low, close, adj_close, volume from ${view}
      where symbol in (${sql.join(symbols)}) ${after}`;
    // The aggregate's periods that end before `to`; the one holding `to` only up to it, by query.
    const last = periodStart(interval, to);
    return sql`select symbol, ts, open, high, low, close, adj_close, volume from ${view}
        where symbol in (${sql.join(symbols)}) ${after} and ts < ${new Date(last)}
      union all
      select * from (${derivedBarsByQuery(interval, symbols, from === undefined ? last : Math.max(from, last), to)}) partial`;
  };
}

/** The start of the period holding `ts` (UTC): its week's Monday or its month's first day. */
function periodStart(interval: DerivedInterval, ts: number): number {
  const day = new Date(Math.floor(ts / MS_PER_DAY) * MS_PER_DAY);
  if (interval === '1mo') return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1);
  return day.getTime() - ((day.getUTCDay() + 6) % 7) * MS_PER_DAY;
}

/** The same rows computed from `bars` by a query (every engine). */
export function derivedBarsByQuery(
  interval: DerivedInterval,
  symbols: readonly string[],
  from: number | undefined,
  to: number | undefined,
): RawBuilder<unknown> {
  const unit = sql.lit(DERIVED[interval].unit);
  // Days from `from` on make the periods starting there; days after `to` are left out, so the
  // period holding `to` is made of its days up to `to` only (what was known then).
  return sql`select symbol, date_trunc(${unit}, ts, 'UTC') as ts, (array_agg(open order by ts))[1] as open, max(high) as high,
      min(low) as low, (array_agg(close order by ts desc))[1] as close, (array_agg(adj_close order by ts desc))[1] as adj_close,
      sum(volume) as volume
    from bars
    where interval = '1d' and symbol in (${sql.join(symbols)})
      ${from === undefined ? sql`` : sql`and ts >= ${new Date(from)}`}
      ${to === undefined ? sql`` : sql`and ts <= ${new Date(to)}`}
    group by symbol, 2
    having ${from === undefined ? sql`true` : sql`date_trunc(${unit}, min(ts), 'UTC') >= ${new Date(from)}`}`;
}

/**
 * Whether this database has the interval's continuous aggregate, brought up to date first. Bars
 * written or restated below its last refresh are not in it until the next refresh (the hourly
 * policy): then it is refreshed now; should that fail, this read computes the bars by query
 * instead. Either way the panel is the one the stored bars make.
 */
async function readsAggregate(database: Database, interval: DerivedInterval): Promise<boolean> {
  const view = DERIVED[interval].view;
  const state = await aggregateState(database, view);
  if (state === null) return false;
  return !state.stale || (await refreshAggregate(database, view));
}
