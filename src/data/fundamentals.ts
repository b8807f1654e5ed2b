/**
 * Point-in-time fundamentals on a panel's bars: for each bar, symbol and field, the value the
 * market could know at that bar's close, NaN where nothing was known yet.
 *
 * The rule (AS_OF_RULE): a bar stamped t sees a stored value when its known_at falls on a UTC day
 * before t's UTC day. A value known on day D is first seen by the bar of the next day after D, at
 * that bar's close: the reported date says nothing of the hour, and a report after D's close (the
 * usual earnings release) could not have been traded at D's close, so the conservative reading
 * takes every value known during D as known after D's close. For daily bars (00:00 UTC of their
 * date) this is `known_at < t`; an intraday, weekly or monthly bar sees what was known before the
 * day of its stamp began (a stamp is never after the bar's close, so this never looks ahead).
 *
 * Among the values seen, the latest period end wins (a newer quarter replaces an older one); for that
 * period, the value known last (a restatement counts only from its own known_at, and a restatement
 * of an older period does not bring that period back). Values stored with a flag are left out unless
 * `includeFlagged`. A value stays until a later period's is known: there is no expiry.
 */
import type { Database } from '../db/database.js';
import { ValidationError } from '../errors.js';
import { normaliseSymbol } from './bar.js';
import { FUNDAMENTAL_FIELD_NAMES, PERIOD_TYPES, isFundamentalField, type FundamentalField, type PeriodType } from './fundamental.js';
import { fundamentalSeries, type FundamentalSeriesRow } from './fundamentals-store.js';

export const AS_OF_RULE = 'known_at before the UTC day of the bar; latest period end, then latest known_at';

const DAY_MS = 86_400_000;

export interface FundamentalsRequest {
  /** Bar times, ascending, epoch ms (a Panel's dates). */
  readonly dates: Float64Array | readonly number[];
  /** Nothing known after this instant (epoch ms, inclusive) is seen, at any bar: the data as of a past day. */
  readonly asOf?: number | undefined;
  /** Which statements: 'quarterly' (default), 'annual' or 'ttm'; periods of different types are never mixed. */
  readonly periodType?: PeriodType | undefined;
  /** Also use values stored with a flag ('negative', 'absurd'). Default false. */
  readonly includeFlagged?: boolean | undefined;
}

export interface FundamentalsPanel<F extends FundamentalField = FundamentalField> {
  readonly symbols: readonly string[];
  readonly dates: Float64Array;
  readonly periodType: PeriodType;
  /** values[field][symbolIndex][dateIndex]: the value seen at that bar, NaN when none. */
  readonly values: { readonly [K in F]: readonly Float64Array[] };
  /** periodEnd[field][symbolIndex][dateIndex]: epoch ms of the period of that value, NaN when none. */
  readonly periodEnd: { readonly [K in F]: readonly Float64Array[] };
  /** Symbols without a value of any requested field at any bar (stated; the others are still returned). */
  readonly withoutValues: readonly string[];
}

/**
 * @example const f = await loadFundamentals(db, panel.symbols, ['eps_diluted'], { dates: panel.dates })
 *          f.values.eps_diluted[0][t] // what was known of the first symbol's diluted EPS at bar t's close
 */
export async function loadFundamentals<F extends FundamentalField>(
  db: Database,
  symbols: readonly string[],
  fields: readonly F[],
  request: FundamentalsRequest,
): Promise<FundamentalsPanel<F>> {
  const names = symbols.map((s, i) => normaliseSymbol(s, `symbols[${i}]`));
  if (new Set(names).size !== names.length) throw new ValidationError('symbols', `repeated symbol in ${names.join(', ')}`);
  for (const field of fields)
    if (!isFundamentalField(field))
      throw new ValidationError('fields', `unknown field ${JSON.stringify(field)}; use one of ${FUNDAMENTAL_FIELD_NAMES.join(', ')}`);
  const periodType = request.periodType ?? 'quarterly';
  if (!PERIOD_TYPES.includes(periodType)) throw new ValidationError('periodType', `use one of ${PERIOD_TYPES.join(', ')}`);
  const dates = Float64Array.from(request.dates);
  for (let i = 1; i < dates.length; i++)
    if (!(dates[i]! > dates[i - 1]!)) throw new ValidationError('dates', 'bar times must be ascending and distinct');
  const rows =
    dates.length === 0
      ? []
      : await fundamentalSeries(db, {
          symbols: names,
          fields,
          periodType,
          knownBefore: dayStart(dates[dates.length - 1]!),
          asOf: request.asOf,
          includeFlagged: request.includeFlagged ?? false,
        });
  return { ...mergeFundamentals(names, fields, dates, rows), periodType };
}

/**
 * The pure half of loadFundamentals: stored rows (each series in known_at order) onto the bars by
 * the rule of this module.
 */
export function mergeFundamentals<F extends FundamentalField>(
  symbols: readonly string[],
  fields: readonly F[],
  dates: Float64Array,
  rows: readonly FundamentalSeriesRow[],
): Omit<FundamentalsPanel<F>, 'periodType'> {
  const byKey = new Map(rows.map((row) => [`${row.field}|${row.symbol}`, row]));
  const values = {} as Record<F, Float64Array[]>;
  const periodEnd = {} as Record<F, Float64Array[]>;
  const seen = new Set<string>();
  for (const field of fields) {
    values[field] = [];
    periodEnd[field] = [];
    for (const symbol of symbols) {
      const column = new Float64Array(dates.length).fill(Number.NaN);
      const periods = new Float64Array(dates.length).fill(Number.NaN);
      const row = byKey.get(`${field}|${symbol}`);
      if (row) fill(row, dates, column, periods);
      if (periods.some((p) => !Number.isNaN(p))) seen.add(symbol);
      values[field].push(column);
      periodEnd[field].push(periods);
    }
  }
  return { symbols, dates, values, periodEnd, withoutValues: symbols.filter((s) => !seen.has(s)) };
}

/** One series onto the bars: rows taken in known_at order as each bar's day begins. */
function fill(row: FundamentalSeriesRow, dates: Float64Array, column: Float64Array, periods: Float64Array): void {
  let next = 0;
  let period = Number.NEGATIVE_INFINITY;
  let value = Number.NaN;
  for (let i = 0; i < dates.length; i++) {
    const cutoff = dayStart(dates[i]!);
    for (; next < row.knownAt.length && row.knownAt[next]! < cutoff; next++) {
      if (row.periodEnd[next]! >= period) {
        period = row.periodEnd[next]!;
        value = row.value[next]!;
      }
    }
    if (period > Number.NEGATIVE_INFINITY) {
      column[i] = value;
      periods[i] = period;
    }
  }
}

/**
 * The first bar that sees something known at `knownAt` by AS_OF_RULE (its UTC day is after
 * knownAt's), or dates.length when no bar does.
 * @example firstBarSeeing(Float64Array.of(Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)), Date.UTC(2024, 0, 2, 21)) // 1
 */
export function firstBarSeeing(dates: Float64Array, knownAt: number): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (knownAt < dayStart(dates[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** 00:00 UTC of the day of t. */
export function dayStart(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}
