/**
 * The risk-free rate Sharpe, Sortino, alpha and the gates measure against: an annual constant
 * (`riskFreeRate`, default 0: rf / periodsPerYear a bar), or the per-bar returns of a stored symbol
 * (`riskFreeSymbol`, a T-bill fund such as BIL or SHV; ../shared/data has SHY, 1-3 year Treasuries):
 *
 *   rf_t = P(d_t) / P(d_{t-1}) - 1,   P(d) = the symbol's last adjusted close on or before d,
 *
 * on the backtest's own bars (so a holiday of one market carries the other's price over), and 0 on
 * a bar without both prices (before the fund's second bar), said in a warning.
 */
import { z } from 'zod';
import type { Interval } from '../data/bar.js';
import { loadPanel } from '../data/panel.js';
import type { Database } from '../db/database.js';
import { DataError } from '../errors.js';

/** The spec's fields (backtest-spec.ts): at most one of them set. */
export const riskFreeFields = {
  /** Annual, e.g. 0.02 for 2% a year. */
  riskFreeRate: z.number().min(-0.1).max(1).default(0),
  /** A stored symbol whose adjusted-close returns are the risk-free return of each bar. */
  riskFreeSymbol: z.string().nullable().default(null),
};

/** What a spec says of the risk-free rate, for a line of text: `0`, `2.00% a year`, `SHY's returns`. */
export function riskFreeLabel(spec: { readonly riskFreeRate: number; readonly riskFreeSymbol: string | null }): string {
  if (spec.riskFreeSymbol) return `${spec.riskFreeSymbol}'s returns`;
  return spec.riskFreeRate === 0 ? '0' : `${(spec.riskFreeRate * 100).toFixed(2)}% a year`;
}

/** Per-bar risk-free returns on `dates` (0 before `firstBar`, the first with a return; -1: none). */
export interface RiskFreeSeries {
  readonly symbol: string;
  readonly returns: Float64Array;
  readonly firstBar: number;
}

/**
 * rf_t on `dates` from the symbol's own bars (`ownDates`, `closes`), pure.
 * @example riskFreeOn(dates, shy.dates, shy.values.adj_close[0], 'SHY').returns
 */
export function riskFreeOn(dates: Float64Array, ownDates: Float64Array, closes: Float64Array, symbol: string): RiskFreeSeries {
  const returns = new Float64Array(dates.length);
  let firstBar = -1;
  let i = -1; // the symbol's last bar on or before the current date
  let previous = Number.NaN;
  for (let t = 0; t < dates.length; t++) {
    // The price before the first date is the last one strictly before it.
    if (t === 0) {
      while (i + 1 < ownDates.length && ownDates[i + 1]! < dates[0]!) i++;
      previous = lastPrice(closes, i);
    }
    while (i + 1 < ownDates.length && ownDates[i + 1]! <= dates[t]!) i++;
    const price = lastPrice(closes, i);
    const r = price / previous - 1;
    if (Number.isFinite(r)) {
      returns[t] = r;
      if (firstBar < 0) firstBar = t;
    }
    previous = price;
  }
  return { symbol, returns, firstBar };
}

/** The last non-NaN close at or before index i. */
function lastPrice(closes: Float64Array, i: number): number {
  for (let k = i; k >= 0; k--) if (!Number.isNaN(closes[k]!)) return closes[k]!;
  return Number.NaN;
}

/**
 * Loads the symbol's adjusted closes up to the last date and returns rf_t on `dates`; a DataError
 * when it has no bars at all.
 * @example const rf = await loadRiskFree(db, 'SHY', '1d', outcome.dates)
 */
export async function loadRiskFree(db: Database, symbol: string, interval: Interval, dates: Float64Array): Promise<RiskFreeSeries> {
  const to = dates.length > 0 ? dates[dates.length - 1]! : undefined;
  // No bars is a DataError from loadPanel (said below); anything else (the database) goes up as it is.
  const panel = await loadPanel(db, { symbols: [symbol], interval, to, field: 'adj_close' }).catch((error: unknown) => {
    if (error instanceof DataError) return undefined;
    throw error;
  });
  const closes = panel?.values.adj_close[0];
  if (!panel || !closes || !closes.some((c) => !Number.isNaN(c))) {
    throw new DataError(`risk-free symbol ${symbol} has no ${interval} bars: ingest it, or give a constant rate`);
  }
  return riskFreeOn(dates, panel.dates, closes, symbol);
}

/** The warning for trading bars (from `start`) without a risk-free return, or none. */
export function riskFreeWarnings(series: RiskFreeSeries | undefined, start: number): string[] {
  if (!series) return [];
  const missing = (series.firstBar < 0 ? series.returns.length : series.firstBar) - start;
  return missing > 0 ? [`risk-free ${series.symbol} has no return for the first ${missing} bar(s) of the period: rf 0 there`] : [];
}
