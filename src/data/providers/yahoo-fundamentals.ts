/**
 * Fundamentals from Yahoo through yahoo-finance2: `fundamentalsTimeSeries` (modules 'financials'
 * and 'balance-sheet', quarterly and annual) and `quoteSummary`'s `earningsHistory` (reported EPS
 * per quarter). The answer is candidate rows in the shape of a CSV import (validate-fundamentals.ts
 * checks them and fundamentals-store.ts stores them point in time), never stored values.
 *
 * Yahoo gives no report date with either (the time series' `asOfDate` is the period end and
 * earningsHistory's `quarter` the quarter end), so every row's known_at is its period end plus the
 * documented lag (fundamental.ts). Statement values have source 'yahoo'; earningsHistory's EPS is
 * Yahoo's "actual" EPS as compared with the analysts' estimate (which may be adjusted, not the GAAP
 * diluted EPS of the statement), so it is stored as eps_diluted under source 'yahoo-earnings',
 * apart from the statement's. Failures are ProviderErrors, retried when retryable (yahoo-client.ts);
 * a symbol Yahoo has no fundamentals for gives no rows and a note saying so.
 */
import type { FundamentalField, PeriodType } from '../fundamental.js';
import type { FundamentalInput } from '../validate-fundamentals.js';
import { normaliseSymbol } from '../bar.js';
import {
  createYahooClient,
  moduleOptions,
  withYahooRetries,
  type YahooClient,
  type YahooClientOptions,
  type YahooRetry,
} from './yahoo-client.js';
import { NoFundamentals } from './yahoo-fetch.js';

/** Yahoo's statement keys (as yahoo-finance2 returns them, the period prefix removed) and the field each is. */
export const YAHOO_STATEMENT_FIELDS: Readonly<Record<string, FundamentalField>> = {
  totalRevenue: 'revenue',
  grossProfit: 'gross_profit',
  operatingIncome: 'operating_income',
  netIncome: 'net_income',
  basicEPS: 'eps_basic',
  dilutedEPS: 'eps_diluted',
  dividendPerShare: 'dividends_per_share',
  totalAssets: 'total_assets',
  totalDebt: 'total_debt',
  stockholdersEquity: 'total_equity',
  cashAndCashEquivalents: 'cash',
  ordinarySharesNumber: 'shares_outstanding',
};

const STATEMENTS = ['financials', 'balance-sheet'] as const;
const PERIODS = { quarterly: 'quarterly', annual: 'annual' } as const satisfies Record<string, PeriodType>;

export interface YahooFundamentalsOptions extends YahooClientOptions {
  /** The clock of the fetch time and of the series' end. */
  readonly now?: () => number;
}

export interface FundamentalsFetch {
  readonly symbol: string;
  /** Candidate rows, `line` numbering them in the order fetched. */
  readonly rows: readonly FundamentalInput[];
  /** Epoch ms: when the answers were fetched. */
  readonly fetchedAt: number;
  readonly notes: readonly string[];
}

/** Where fundamentals come from, for the ingest (fundamentals-ingest.ts). */
export interface FundamentalsSource {
  readonly name: string;
  fetchFundamentals(symbol: string, options?: { readonly from?: number; readonly signal?: AbortSignal }): Promise<FundamentalsFetch>;
}

/**
 * @example const { rows } = await new YahooFundamentals().fetchFundamentals('AAPL')
 */
export class YahooFundamentals implements FundamentalsSource {
  readonly name = 'yahoo';
  private readonly yahoo: YahooClient;
  private readonly retry: YahooRetry;
  private readonly now: () => number;

  constructor(options: YahooFundamentalsOptions = {}) {
    ({ client: this.yahoo, retry: this.retry } = createYahooClient(options));
    this.now = options.now ?? Date.now;
  }

  /** One symbol's statements since `from` (default 2000-01-01; Yahoo keeps about five years) and its earnings history. */
  async fetchFundamentals(
    symbol: string,
    options: { readonly from?: number; readonly signal?: AbortSignal } = {},
  ): Promise<FundamentalsFetch> {
    const wanted = normaliseSymbol(symbol);
    const fetchedAt = this.now();
    const found: Omit<FundamentalInput, 'line'>[] = [];
    for (const [type, periodType] of Object.entries(PERIODS)) {
      for (const module of STATEMENTS) {
        const query = { period1: new Date(options.from ?? Date.UTC(2000, 0, 1)), period2: new Date(fetchedAt), type, module };
        const entries = await withYahooRetries(this.retry, wanted, 'fundamentals', () =>
          this.yahoo.fundamentalsTimeSeries(wanted, query, moduleOptions(options.signal)),
        );
        for (const entry of entries) found.push(...statementRows(wanted, periodType, entry as unknown as Record<string, unknown>));
      }
    }
    found.push(...(await this.earningsRows(wanted, options.signal)));
    const notes = found.length === 0 ? [`no fundamentals for ${wanted} on Yahoo`] : [];
    return { symbol: wanted, rows: found.map((row, i) => ({ line: i + 1, ...row })), fetchedAt, notes };
  }

  private async earningsRows(symbol: string, signal: AbortSignal | undefined): Promise<Omit<FundamentalInput, 'line'>[]> {
    const summary = await withYahooRetries(this.retry, symbol, 'earnings history', async () => {
      try {
        return await this.yahoo.quoteSummary(symbol, { modules: ['earningsHistory'] }, moduleOptions(signal));
      } catch (error) {
        if (error instanceof NoFundamentals) return undefined;
        throw error;
      }
    });
    return (summary?.earningsHistory?.history ?? []).map((entry) => ({
      symbol,
      field: 'eps_diluted',
      periodEnd: entry.quarter ? isoDate(entry.quarter) : undefined,
      periodType: 'quarterly',
      value: entry.epsActual === null ? undefined : String(entry.epsActual),
      source: 'yahoo-earnings',
    }));
  }
}

/** The mapped fields of one period of one statement, as rows; Yahoo's other keys are ignored. */
function statementRows(symbol: string, periodType: PeriodType, entry: Record<string, unknown>): Omit<FundamentalInput, 'line'>[] {
  const date = entry['date'];
  const periodEnd = date instanceof Date ? isoDate(date) : undefined;
  return Object.entries(YAHOO_STATEMENT_FIELDS).flatMap(([key, field]) => {
    const value = entry[key];
    if (typeof value !== 'number') return [];
    return [{ symbol, field, periodEnd, periodType, value: String(value), source: 'yahoo' }];
  });
}

const isoDate = (date: Date): string => date.toISOString().slice(0, 10);
