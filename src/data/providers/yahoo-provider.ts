/**
 * Bars and instrument metadata from Yahoo Finance, through yahoo-finance2 (`chart` for bars,
 * `quote` for metadata).
 *
 * - Daily and longer bars get `ts` = 00:00 UTC of the trading date in the exchange's time zone
 *   (Yahoo stamps them at an instant: the session open, or midnight local time); intraday bars keep
 *   Yahoo's instant. Intraday answers carry no adjusted close, so `adj_close` = `close` there.
 * - Intraday history is limited (1m: 30 days, 8 days per request; 5m/15m: 60 days; 1h: 730 days):
 *   requests are clamped and split (yahoo-range.ts), with a note saying so.
 * - Every failure is a ProviderError (yahoo-fetch.ts); retryable ones (timeouts, network, 429, 5xx,
 *   truncated bodies) are retried with backoff. Metadata failures never fail the bars.
 */
import type { ChartMeta, ChartResultArray } from 'yahoo-finance2/modules/chart';
import type { Quote } from 'yahoo-finance2/modules/quote';
import { errorMessage } from '../../errors.js';
import { formatBarTime, isIntraday, normaliseSymbol, tradingDateTs, type InstrumentInfo, type Interval } from '../bar.js';
import type { CorporateAction } from '../corporate-action.js';
import type { BarRequest, CandidateBar, PriceProvider, ProviderActions, ProviderResult, UnparsedRow } from './price-provider.js';
import {
  createYahooClient,
  moduleOptions,
  withYahooRetries,
  type YahooClient,
  type YahooClientOptions,
  type YahooRetry,
} from './yahoo-client.js';
import { NoChartResult } from './yahoo-fetch.js';
import { instrumentFromChartMeta, instrumentFromQuote, mergeInstruments } from './yahoo-meta.js';
import { planChartRequests, type ChartPlan, type ChartWindow } from './yahoo-range.js';

export interface YahooProviderOptions extends YahooClientOptions {
  /** The clock the intraday look-back limits are measured from. */
  readonly now?: () => number;
}

type ChartQuote = ChartResultArray['quotes'][number];

/**
 * @example
 * const yahoo = new YahooProvider();
 * const { rows, instrument } = await yahoo.fetchBars({ symbol: 'SPY', interval: '1d', from: dateToTs('2024-01-02'), to: Date.now() });
 */
export class YahooProvider implements PriceProvider {
  readonly name = 'yahoo';
  private readonly yahoo: YahooClient;
  private readonly retry: YahooRetry;
  private readonly now: () => number;
  /** Quote metadata per symbol, fetched once per provider instance. */
  private readonly instruments = new Map<string, InstrumentInfo>();

  constructor(options: YahooProviderOptions = {}) {
    ({ client: this.yahoo, retry: this.retry } = createYahooClient(options));
    this.now = options.now ?? Date.now;
  }

  async fetchBars(request: BarRequest): Promise<ProviderResult> {
    const symbol = normaliseSymbol(request.symbol);
    const plan = planChartRequests(request.interval, request.from, request.to, this.now());
    const charts: ChartResultArray[] = [];
    for (const window of plan.windows) {
      const chart = await this.fetchChart(symbol, request.interval, window, request.signal);
      if (chart) charts.push(chart);
    }
    const meta = charts[0]?.meta;
    const { rows, unparsed } = meta
      ? toCandidates(
          charts.flatMap((chart) => chart.quotes),
          request.interval,
          meta.exchangeTimezoneName,
          plan,
        )
      : { rows: [], unparsed: [] };
    const notes = [...plan.notes];
    if (plan.windows.length > 0 && rows.length === 0 && unparsed.length === 0) {
      notes.push(`Yahoo returned no bars for ${symbol} in ${describeRange(plan, request.interval)}`);
    }
    const instrument = await this.instrument(symbol, meta, notes, request.signal);
    const actions = meta && !isIntraday(request.interval) ? chartActions(symbol, charts, meta.exchangeTimezoneName, plan) : undefined;
    return { rows, unparsed, instrument, notes, ...(actions ? { actions } : {}) };
  }

  /** One chart request, retried; undefined when Yahoo has no result for the window. */
  private fetchChart(
    symbol: string,
    interval: Interval,
    window: ChartWindow,
    signal: AbortSignal | undefined,
  ): Promise<ChartResultArray | undefined> {
    return this.withRetries(symbol, 'chart', async () => {
      try {
        const query = { period1: window.period1, period2: window.period2, interval, includePrePost: false };
        return await this.yahoo.chart(symbol, query, moduleOptions(signal));
      } catch (error) {
        if (error instanceof NoChartResult) return undefined;
        throw error;
      }
    });
  }

  /** Quote metadata (cached), its gaps filled from the chart meta; the chart meta alone if the quote fails. */
  private async instrument(
    symbol: string,
    meta: ChartMeta | undefined,
    notes: string[],
    signal: AbortSignal | undefined,
  ): Promise<InstrumentInfo> {
    const fromChart = meta ? instrumentFromChartMeta(symbol, meta) : { symbol };
    const cached = this.instruments.get(symbol);
    if (cached) return mergeInstruments(cached, fromChart);
    try {
      const quote: Quote | undefined = await this.withRetries(symbol, 'quote', () => this.yahoo.quote(symbol, {}, moduleOptions(signal)));
      if (!quote) {
        notes.push(`Yahoo's quote endpoint does not know ${symbol}; instrument details come from the chart`);
        return fromChart;
      }
      const fromQuote = instrumentFromQuote(symbol, quote);
      this.instruments.set(symbol, fromQuote);
      return mergeInstruments(fromQuote, fromChart);
    } catch (error) {
      if (signal?.aborted) throw error;
      notes.push(`instrument details for ${symbol} come from the chart: ${errorMessage(error)}`);
      return fromChart;
    }
  }

  private withRetries<T>(symbol: string, what: 'chart' | 'quote', task: () => Promise<T>): Promise<T> {
    return withYahooRetries(this.retry, symbol, what, task);
  }
}

function describeRange(plan: ChartPlan, interval: Interval): string {
  return `${formatBarTime(plan.keepFrom, interval)} to ${formatBarTime(plan.keepTo, interval)}`;
}

/**
 * Splits and dividends from the chart's events (yahoo-finance2 asks for `div|split` by default),
 * dated by their trading day in the exchange's zone; a malformed one is a rejected row.
 */
function chartActions(symbol: string, charts: readonly ChartResultArray[], timeZone: string, plan: ChartPlan): ProviderActions {
  const events = new Map<string, CorporateAction>();
  const rejected: UnparsedRow[] = [];
  for (const chart of charts) {
    for (const split of chart.events?.splits ?? []) {
      const ts = tradingDateTs(split.date.getTime(), timeZone);
      if (ts < plan.keepFrom || ts > plan.keepTo) continue;
      const exDate = formatBarTime(ts, '1d');
      const ratio = split.numerator / split.denominator;
      if (!(ratio > 0) || !Number.isFinite(ratio)) {
        rejected.push({
          ts: exDate,
          reason: `Yahoo split ${JSON.stringify(split.splitRatio)} on ${exDate} has no usable ratio`,
          raw: split,
        });
        continue;
      }
      events.set(`${exDate}|split`, { symbol, exDate, kind: 'split', value: ratio, source: 'yahoo' });
    }
    for (const dividend of chart.events?.dividends ?? []) {
      const ts = tradingDateTs(dividend.date.getTime(), timeZone);
      if (ts < plan.keepFrom || ts > plan.keepTo) continue;
      const exDate = formatBarTime(ts, '1d');
      if (!(dividend.amount > 0) || !Number.isFinite(dividend.amount)) {
        rejected.push({ ts: exDate, reason: `Yahoo dividend of ${dividend.amount} on ${exDate} is not an amount above 0`, raw: dividend });
        continue;
      }
      events.set(`${exDate}|dividend`, { symbol, exDate, kind: 'dividend', value: dividend.amount, source: 'yahoo' });
    }
  }
  return { origin: 'Yahoo chart events', events: [...events.values()], rejected, flagged: [] };
}

const price = (value: number | null | undefined): number => value ?? Number.NaN;

function hasNoPrices(quote: ChartQuote): boolean {
  return quote.open === null && quote.high === null && quote.low === null && quote.close === null;
}

function toCandidate(ts: number, quote: ChartQuote): CandidateBar {
  return {
    ts,
    open: price(quote.open),
    high: price(quote.high),
    low: price(quote.low),
    close: price(quote.close),
    // Yahoo sends adjclose for daily and longer bars only.
    adj_close: quote.adjclose === undefined ? price(quote.close) : price(quote.adjclose),
    volume: quote.volume ?? 0,
  };
}

/**
 * Yahoo's rows as candidates: daily and longer stamped with their trading date, padding outside
 * the plan dropped, one row per `ts` (the later one: Yahoo may append today's live bar to a daily
 * series, and 1m request windows may meet on a bar), rows without any price reported as unparsed.
 */
function toCandidates(
  quotes: readonly ChartQuote[],
  interval: Interval,
  timeZone: string,
  plan: ChartPlan,
): { rows: CandidateBar[]; unparsed: UnparsedRow[] } {
  const rows = new Map<number, CandidateBar>();
  const empty = new Map<number, UnparsedRow>();
  for (const quote of quotes) {
    const instant = quote.date.getTime();
    const ts = isIntraday(interval) ? instant : tradingDateTs(instant, timeZone);
    if (ts < plan.keepFrom || ts > plan.keepTo) continue;
    if (hasNoPrices(quote)) empty.set(ts, { ts: formatBarTime(ts, interval), reason: 'Yahoo returned no prices for this bar', raw: quote });
    else rows.set(ts, toCandidate(ts, quote));
  }
  return {
    rows: [...rows.values()].sort((a, b) => a.ts - b.ts),
    unparsed: [...empty].filter(([ts]) => !rows.has(ts)).map(([, row]) => row),
  };
}
