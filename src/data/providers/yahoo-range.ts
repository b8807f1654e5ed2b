/**
 * Which chart requests serve a bar request: Yahoo's look-back limits for intraday bars, the
 * 8-day cap on 1m requests, and the padding daily bars need because of how Yahoo stamps them.
 */
import { MS_PER_DAY, formatBarTime, intradayLengthMs, utcDayStart, type Interval } from '../bar.js';

interface IntradayLimit {
  /** How far back Yahoo serves bars of this interval. */
  readonly lookBackDays: number;
  /** The longest range one request may ask for. */
  readonly maxDaysPerRequest?: number;
}

const INTRADAY_LIMITS: Readonly<Partial<Record<Interval, IntradayLimit>>> = {
  '1m': { lookBackDays: 30, maxDaysPerRequest: 8 },
  '5m': { lookBackDays: 60 },
  '15m': { lookBackDays: 60 },
  '1h': { lookBackDays: 730 },
};

// Start a little inside the look-back limit, so that our clock being behind Yahoo's (or the time
// the request takes) cannot push the start past it and get the request rejected (HTTP 422).
const LIMIT_MARGIN_MS = 10 * 60_000;

/** One chart request: `period1` inclusive, `period2` exclusive, as Yahoo reads them. */
export interface ChartWindow {
  readonly period1: Date;
  readonly period2: Date;
}

export interface ChartPlan {
  readonly windows: readonly ChartWindow[];
  /** Bars (by their final `ts`) outside [keepFrom, keepTo] were only fetched as padding. */
  readonly keepFrom: number;
  readonly keepTo: number;
  readonly notes: readonly string[];
}

/**
 * The chart requests for bars from `from` (undefined: as far back as Yahoo goes) to `to`, both inclusive.
 * @example planChartRequests('1m', undefined, Date.now(), Date.now()).windows.length // 4 (30 days in 8-day requests)
 */
export function planChartRequests(interval: Interval, from: number | undefined, to: number, now: number): ChartPlan {
  if (from !== undefined && from > to) {
    return { windows: [], keepFrom: from, keepTo: to, notes: ['nothing to fetch: the requested range starts after it ends'] };
  }
  const limit = INTRADAY_LIMITS[interval];
  return limit ? planIntraday(interval, limit, from, to, now) : planCalendar(from, to);
}

/**
 * Daily and longer bars are stamped at an instant (the session open, or midnight in the exchange's
 * zone) that can fall on the UTC day before the trading date (EURUSD=X in London summer time:
 * 23:00 UTC); so ask for a day either side and keep the trading dates asked for.
 */
function planCalendar(from: number | undefined, to: number): ChartPlan {
  // Undefined `from`: from 1970-01-01; Yahoo answers from the first trade date.
  const keepFrom = from === undefined ? 0 : utcDayStart(from);
  const period1 = from === undefined ? 0 : keepFrom - MS_PER_DAY;
  const period2 = utcDayStart(to) + 2 * MS_PER_DAY;
  return { windows: [{ period1: new Date(period1), period2: new Date(period2) }], keepFrom, keepTo: to, notes: [] };
}

function planIntraday(interval: Interval, limit: IntradayLimit, from: number | undefined, to: number, now: number): ChartPlan {
  const earliest = now - limit.lookBackDays * MS_PER_DAY + LIMIT_MARGIN_MS;
  const onlyRecent = `Yahoo serves ${interval} bars for the last ${limit.lookBackDays} days only`;
  if (to < earliest) {
    const notes = [`${onlyRecent}; nothing up to ${formatBarTime(to, interval)} is still available, so nothing was fetched`];
    return { windows: [], keepFrom: earliest, keepTo: to, notes };
  }
  const start = Math.max(from ?? earliest, earliest);
  const notes =
    from !== undefined && from < earliest
      ? [`${onlyRecent}; the request from ${formatBarTime(from, interval)} was clamped to ${formatBarTime(start, interval)}`]
      : [];
  // `period2` is exclusive: one bar length past `to` includes the bar that starts at `to`. Whole
  // seconds (Yahoo's unit) keep every window at least a second long.
  const end = Math.ceil((to + (intradayLengthMs(interval) ?? 0)) / 1000) * 1000;
  const windows = splitWindows(Math.floor(start / 1000) * 1000, end, limit.maxDaysPerRequest);
  return { windows, keepFrom: start, keepTo: to, notes };
}

/** [start, end) in consecutive windows of at most `maxDays` days (one window without a cap). */
function splitWindows(start: number, end: number, maxDays: number | undefined): ChartWindow[] {
  const step = maxDays === undefined ? end - start : maxDays * MS_PER_DAY;
  const windows: ChartWindow[] = [];
  for (let period1 = start; period1 < end; period1 += step) {
    windows.push({ period1: new Date(period1), period2: new Date(Math.min(period1 + step, end)) });
  }
  return windows;
}
