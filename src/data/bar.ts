/**
 * The price-bar spec (DESIGN.md, "the open specification for price data").
 *
 * A bar's `ts` is epoch milliseconds (UTC). For daily and longer bars it is 00:00 UTC of the
 * exchange trading date (for `1wk`/`1mo`, the date the source gives the period: Yahoo uses the
 * Monday and the 1st of the month), so a bar's date never shifts with the reader's time zone. Raw prices (`open`..`close`) are kept as
 * traded; `adj_close` is the split- and dividend-adjusted close. Where a source has no adjusted
 * close (Yahoo intraday), `adj_close` equals `close`.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { dateToTs } from '../util/calendar-date.js';

export const INTERVALS = ['1m', '5m', '15m', '1h', '1d', '1wk', '1mo'] as const;
export type Interval = (typeof INTERVALS)[number];

export const ASSET_CLASSES = ['equity', 'bond', 'commodity', 'currency', 'crypto', 'index', 'fund'] as const;
export type AssetClass = (typeof ASSET_CLASSES)[number];

export const PRICE_FIELDS = ['open', 'high', 'low', 'close', 'adj_close', 'volume'] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];

/** The prices of one bar at `ts`, as a provider gives them (CandidateBar) and the store keeps them (Bar). */
export interface BarPrices {
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly adj_close: number;
  readonly volume: number;
}

/** A stored bar: its prices, with the series it belongs to and where it came from. */
export interface Bar extends BarPrices {
  readonly symbol: string;
  readonly interval: Interval;
  readonly source: string;
}

export interface Instrument {
  readonly symbol: string;
  readonly name: string | null;
  readonly asset_class: AssetClass | null;
  readonly currency: string | null;
  readonly exchange: string | null;
  readonly timezone: string | null;
}

/** Instrument metadata as far as a source knows it; unknown fields stay unset. */
export type InstrumentInfo = { readonly symbol: string } & Partial<Omit<Instrument, 'symbol'>>;

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

/** Bar length in ms for intraday intervals; undefined for calendar intervals (1d and longer). */
export function intradayLengthMs(interval: Interval): number | undefined {
  switch (interval) {
    case '1m':
      return MS_PER_MINUTE;
    case '5m':
      return 5 * MS_PER_MINUTE;
    case '15m':
      return 15 * MS_PER_MINUTE;
    case '1h':
      return 60 * MS_PER_MINUTE;
    default:
      return undefined;
  }
}

export function isIntraday(interval: Interval): boolean {
  return intradayLengthMs(interval) !== undefined;
}

export const intervalSchema = z.enum(INTERVALS, {
  error: (issue) => `unknown interval ${JSON.stringify(issue.input)}; use one of ${INTERVALS.join(', ')}`,
});
export const assetClassSchema = z.enum(ASSET_CLASSES, {
  error: (issue) => `unknown asset class ${JSON.stringify(issue.input)}; use one of ${ASSET_CLASSES.join(', ')}`,
});

export function parseInterval(value: string, field = 'interval'): Interval {
  const parsed = intervalSchema.safeParse(value);
  if (!parsed.success) throw new ValidationError(field, parsed.error.issues[0]?.message ?? 'invalid');
  return parsed.data;
}

/**
 * Symbols as Yahoo writes them: `SPY`, `EURUSD=X`, `GC=F`, `^GSPC`, `BTC-USD`, `RELIANCE.NS`, `BRK-B`.
 * Nothing else gets through, so a symbol can never carry SQL, a path or a shell word.
 */
const SYMBOL_PATTERN = /^[A-Z0-9^][A-Z0-9.=^_-]{0,31}$/;

/** Upper-cases and checks a symbol; throws a ValidationError naming the rule it broke. */
export function normaliseSymbol(raw: string, field = 'symbol'): string {
  const symbol = raw.trim().toUpperCase();
  if (!SYMBOL_PATTERN.test(symbol) || symbol.includes('..')) {
    throw new ValidationError(
      field,
      `invalid symbol ${JSON.stringify(raw)}: use 1-32 characters A-Z, 0-9 and . = ^ _ - (as Yahoo writes them, e.g. SPY, EURUSD=X, GC=F, ^GSPC, RELIANCE.NS)`,
    );
  }
  return symbol;
}

export function isValidSymbol(raw: string): boolean {
  const symbol = raw.trim().toUpperCase();
  return SYMBOL_PATTERN.test(symbol) && !symbol.includes('..');
}

/** `2024-01-31` for calendar intervals, a full ISO instant for intraday ones. */
export function formatBarTime(ts: number, interval: Interval): string {
  const iso = new Date(ts).toISOString();
  return isIntraday(interval) ? iso : iso.slice(0, 10);
}

/** Calendar dates are parsed strictly in one place (src/util/calendar-date.ts). */
export { dateToTs };

/** The trading date (00:00 UTC epoch ms) of an instant, as seen in an exchange's time zone. */
export function tradingDateTs(instantMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(
    new Date(instantMs),
  );
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return dateToTs(`${get('year')}-${get('month')}-${get('day')}`);
}

/** Start of the UTC day containing `ts`. */
export function utcDayStart(ts: number): number {
  return Math.floor(ts / MS_PER_DAY) * MS_PER_DAY;
}

export { MS_PER_DAY };
