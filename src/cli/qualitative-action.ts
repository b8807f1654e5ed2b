/**
 * `momentum qualitative ingest --source yahoo` (analysts' actions, recommendation counts, earnings
 * announcements, headlines from a provider) and `momentum qualitative show SYMBOL` (what is stored).
 */
import { normaliseSymbol } from '../data/bar.js';
import type { Database } from '../db/database.js';
import type { QualitativeSource } from '../data/providers/yahoo-qualitative.js';
import type { QualitativeOutcome } from '../data/qualitative-ingest.js';
import { surprise, type AnalystAction, type EarningsEvent, type NewsHeadline, type RecommendationTrend } from '../data/qualitative.js';
import { latestHeadlines, loadAnalystActions, loadEarningsEvents, loadRecommendationTrends } from '../data/qualitative-store.js';
import { formatSignedPercent } from '../report/report-format.js';
import { formatTable } from '../util/table.js';
import { withLightDatabase, type Output } from './cli-context.js';
import { parseIntegerOption } from './options.js';
import { runProviderIngest } from './provider-ingest.js';

/** Fetches each symbol's qualitative data from the source and stores what is new (provider-ingest.ts: flags, output, exit code). */
export async function qualitativeIngestAction(
  flags: { source: string; symbols: string; json?: boolean },
  output: Output,
  createSource: () => Promise<QualitativeSource> = yahooSource,
): Promise<void> {
  await runProviderIngest(flags, output, {
    kind: 'qualitative',
    ingest: async (db, symbols) => {
      const { ingestQualitative } = await import('../data/qualitative-ingest.js');
      return ingestQualitative(db, await createSource(), symbols);
    },
    describe: describeQualitativeIngest,
  });
}

async function yahooSource(): Promise<QualitativeSource> {
  const { YahooQualitative } = await import('../data/providers/yahoo-qualitative.js');
  return new YahooQualitative();
}

/** One line per symbol: new and fetched counts of each kind, then its notes (items dropped and why). */
export function describeQualitativeIngest(outcomes: readonly QualitativeOutcome[]): string[] {
  return outcomes.flatMap((o) => {
    if (o.status === 'failed') return [`${o.symbol}: failed: ${o.error}`];
    if (o.status === 'empty') return [`${o.symbol}: ${o.notes.join('; ')}`];
    const kinds = (['actions', 'trends', 'earnings', 'headlines'] as const).map((k) => `${o.stored[k]}/${o.fetched[k]} ${k}`);
    return [`${o.symbol}: stored (new/fetched) ${kinds.join(', ')}`, ...o.notes.map((note) => `  ${note}`)];
  });
}

/** What is stored about a symbol, newest first, as `qualitative show` prints it. */
export interface QualitativeView {
  readonly symbol: string;
  readonly actions: readonly AnalystAction[];
  /** The latest known counts of each month. */
  readonly trends: readonly RecommendationTrend[];
  readonly earnings: readonly (EarningsEvent & { readonly surprise: number | null })[];
  readonly headlines: readonly NewsHeadline[];
}

/** The newest `limit` items of each kind stored for the symbol. */
export async function qualitativeView(db: Database, symbol: string, limit: number): Promise<QualitativeView> {
  const query = { symbols: [symbol] };
  const latestByMonth = new Map((await loadRecommendationTrends(db, query)).map((t) => [`${t.month}|${t.source}`, t]));
  const earnings = (await loadEarningsEvents(db, query)).sort((a, b) => b.periodEnd.localeCompare(a.periodEnd) || b.knownAt - a.knownAt);
  return {
    symbol,
    actions: (await loadAnalystActions(db, query)).reverse().slice(0, limit),
    trends: [...latestByMonth.values()].sort((a, b) => b.month.localeCompare(a.month)).slice(0, limit),
    earnings: earnings.slice(0, limit).map((e) => {
      const s = surprise(e);
      return { ...e, surprise: Number.isNaN(s) ? null : s };
    }),
    headlines: await latestHeadlines(db, symbol, limit),
  };
}

const day = (at: number) => new Date(at).toISOString().slice(0, 10);

/** The view as text: a table per kind, or a line saying there is nothing. */
export function describeQualitative(view: QualitativeView): string[] {
  const { symbol } = view;
  if (view.actions.length + view.trends.length + view.earnings.length + view.headlines.length === 0)
    return [`no qualitative data stored for ${symbol}; fetch it with: momentum qualitative ingest --source yahoo --symbols ${symbol}`];
  const section = <T extends object>(title: string, rows: readonly T[], columns: readonly (keyof T & string)[]) =>
    rows.length === 0 ? [`${title}: none stored`, ''] : [`${title}:`, formatTable(rows, columns), ''];
  return [
    ...section(
      `${symbol} analysts' actions (latest first)`,
      view.actions.map((a) => ({ date: day(a.actedAt), firm: a.firm, action: a.action, from: a.fromGrade, to: a.toGrade })),
      ['date', 'firm', 'action', 'from', 'to'],
    ),
    ...section(
      `${symbol} recommendation counts (latest known for each month)`,
      view.trends.map((t) => ({
        month: t.month.slice(0, 7),
        strong_buy: t.strongBuy,
        buy: t.buy,
        hold: t.hold,
        sell: t.sell,
        strong_sell: t.strongSell,
        known: day(t.knownAt),
      })),
      ['month', 'strong_buy', 'buy', 'hold', 'sell', 'strong_sell', 'known'],
    ),
    ...section(
      `${symbol} earnings (quarter, EPS against the estimate; known from the announcement or the quarter end plus the lag)`,
      view.earnings.map((e) => ({
        quarter: e.periodEnd,
        eps: e.epsActual ?? 'to come',
        estimate: e.epsEstimate,
        surprise: formatSignedPercent(e.surprise),
        known: day(e.knownAt),
        rule: e.knownRule,
      })),
      ['quarter', 'eps', 'estimate', 'surprise', 'known', 'rule'],
    ),
    ...section(
      `${symbol} headlines (latest first)`,
      view.headlines.map((h) => ({ published: day(h.publishedAt), publisher: h.publisher, title: h.title, link: h.link })),
      ['published', 'publisher', 'title', 'link'],
    ),
  ];
}

export async function qualitativeShowAction(raw: string, flags: { limit?: string; json?: boolean }, output: Output): Promise<void> {
  const symbol = normaliseSymbol(raw);
  const limit = parseIntegerOption(flags.limit, 'limit', 1, 1000) ?? 10;
  await withLightDatabase(async (db) => {
    const view = await qualitativeView(db, symbol, limit);
    if (flags.json) return output.out(JSON.stringify(view, null, 2));
    for (const line of describeQualitative(view)) output.out(line);
  });
}
