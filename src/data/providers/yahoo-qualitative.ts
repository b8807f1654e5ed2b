/**
 * Qualitative data from Yahoo through yahoo-finance2: one `quoteSummary` request for the modules
 * upgradeDowngradeHistory (analysts' actions), recommendationTrend (monthly counts), earningsHistory
 * (reported quarters against the consensus) and calendarEvents (the next announcement), then one
 * `search` request for the symbol's news. yahoo-finance2's own validation is off for both
 * (`validateResult: false`): it would refuse the whole answer for one item with a grade or action
 * code it does not list; each item is checked instead (yahoo-qualitative-map.ts) and a bad one is
 * dropped with a note. Failures are ProviderErrors, retried when retryable (yahoo-client.ts); a
 * symbol Yahoo knows without these modules (an ETF) has none of them, and a note says so.
 */
import { z } from 'zod';
import { normaliseSymbol } from '../bar.js';
import type { AnalystAction, EarningsEvent, NewsHeadline, RecommendationTrend } from '../qualitative.js';
import { ProviderError } from '../../errors.js';
import {
  createYahooClient,
  moduleOptions,
  withYahooRetries,
  type YahooClient,
  type YahooClientOptions,
  type YahooRetry,
} from './yahoo-client.js';
import { NoFundamentals, type YahooRequestKind } from './yahoo-fetch.js';
import {
  mapAnalystActions,
  mapEarningsHistory,
  mapHeadlines,
  mapRecommendationTrends,
  mapUpcomingEarnings,
  type MapContext,
} from './yahoo-qualitative-map.js';

export interface YahooQualitativeOptions extends YahooClientOptions {
  /** The clock of the fetch time (the recommendation counts' month and known_at). */
  readonly now?: () => number;
  /** Headlines asked of the search. Default 10. */
  readonly newsCount?: number;
}

export interface QualitativeFetch {
  readonly symbol: string;
  readonly actions: readonly AnalystAction[];
  readonly trends: readonly RecommendationTrend[];
  readonly earnings: readonly EarningsEvent[];
  readonly headlines: readonly NewsHeadline[];
  /** Epoch ms: when the answers were fetched. */
  readonly fetchedAt: number;
  /** Items dropped and why, modules missing, a symbol with nothing. */
  readonly notes: readonly string[];
}

/** Where qualitative data comes from, for the ingest (qualitative-ingest.ts). */
export interface QualitativeSource {
  readonly name: string;
  fetchQualitative(symbol: string, options?: { readonly signal?: AbortSignal }): Promise<QualitativeFetch>;
}

const MODULES = ['upgradeDowngradeHistory', 'recommendationTrend', 'earningsHistory', 'calendarEvents'] as const;

const history = z.object({ history: z.array(z.unknown()) });
/** The envelope of each answer; items are checked one by one later. A module Yahoo left out is absent. */
const SUMMARY = z.object({
  upgradeDowngradeHistory: history.optional(),
  recommendationTrend: z.object({ trend: z.array(z.unknown()) }).optional(),
  earningsHistory: history.optional(),
  calendarEvents: z.unknown().optional(),
});
const SEARCH = z.object({ news: z.array(z.unknown()).optional() });

/** An answer that is not the shape Yahoo documents: Yahoo changed its API, not worth retrying. */
function parseAnswer<S extends z.ZodType>(schema: S, answer: unknown, symbol: string, what: YahooRequestKind): z.output<S> {
  const parsed = schema.safeParse(answer);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `/${issue.path.join('/')}: ${issue.message}`)
    .join('; ');
  throw new ProviderError(
    `Yahoo's ${what} response for ${symbol} did not match the expected format (${where}); Yahoo may have changed its API`,
    {
      retryable: false,
    },
  );
}

/**
 * @example const { actions, headlines, notes } = await new YahooQualitative().fetchQualitative('AAPL')
 */
export class YahooQualitative implements QualitativeSource {
  readonly name = 'yahoo';
  private readonly yahoo: YahooClient;
  private readonly retry: YahooRetry;
  private readonly now: () => number;
  private readonly newsCount: number;

  constructor(options: YahooQualitativeOptions = {}) {
    ({ client: this.yahoo, retry: this.retry } = createYahooClient(options));
    this.now = options.now ?? Date.now;
    this.newsCount = options.newsCount ?? 10;
  }

  async fetchQualitative(symbol: string, options: { readonly signal?: AbortSignal } = {}): Promise<QualitativeFetch> {
    const wanted = normaliseSymbol(symbol);
    const ctx: MapContext = { symbol: wanted, source: this.name, fetchedAt: this.now() };
    const fetchOptions = { validateResult: false as const, ...moduleOptions(options.signal) };

    const summaryAnswer = await withYahooRetries(this.retry, wanted, 'analysts and earnings', async () => {
      try {
        return await this.yahoo.quoteSummary(wanted, { modules: [...MODULES] }, fetchOptions);
      } catch (error) {
        if (error instanceof NoFundamentals) return undefined;
        throw error;
      }
    });
    // undefined: Yahoo knows the symbol without any of the modules (an ETF, an index)
    const summary = parseAnswer(SUMMARY, summaryAnswer ?? {}, wanted, 'analysts and earnings');
    const searchAnswer = await withYahooRetries(this.retry, wanted, 'news', () =>
      this.yahoo.search(wanted, { newsCount: this.newsCount, quotesCount: 0 }, fetchOptions),
    );
    const search = parseAnswer(SEARCH, searchAnswer, wanted, 'news');

    const actions = mapAnalystActions(summary.upgradeDowngradeHistory?.history ?? [], ctx);
    const trends = mapRecommendationTrends(summary.recommendationTrend?.trend ?? [], ctx);
    const reported = mapEarningsHistory(summary.earningsHistory?.history ?? [], ctx);
    const latestQuarter = reported.items
      .map((e) => e.periodEnd)
      .sort()
      .at(-1);
    const upcoming = mapUpcomingEarnings(summary.calendarEvents, latestQuarter, ctx);
    const headlines = mapHeadlines(search.news ?? [], ctx);
    const notes = [actions, trends, reported, upcoming, headlines].flatMap((m) => m.notes);
    if (summaryAnswer === undefined) notes.unshift(`Yahoo has no analysts' or earnings data for ${wanted}`);
    const earnings = [...reported.items, ...upcoming.items];
    const none = actions.items.length + trends.items.length + earnings.length + headlines.items.length === 0;
    return {
      symbol: wanted,
      actions: actions.items,
      trends: trends.items,
      earnings,
      headlines: headlines.items,
      fetchedAt: ctx.fetchedAt,
      notes: none ? [`no qualitative data for ${wanted} on Yahoo`, ...notes] : notes,
    };
  }
}
