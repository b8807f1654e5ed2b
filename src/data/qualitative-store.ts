/**
 * The qualitative tables (sql/020_qualitative.sql): written by providers' ingests, never updated (the
 * same item fetched again is skipped), read by strategies point in time and by reports.
 */
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import { ofSymbols } from './fundamentals-store.js';
import type { AnalystAction, EarningsEvent, NewsHeadline, RecommendationTrend } from './qualitative.js';

const BATCH = 2000;
const iso = (ms: number) => new Date(ms).toISOString();
const ms = (date: Date) => date.getTime();

/** Inserts the rows not stored yet, in batches; returns how many were new. */
async function insertNew<R>(
  rows: readonly R[],
  insert: (batch: readonly R[]) => Promise<{ numInsertedOrUpdatedRows?: bigint }[]>,
): Promise<number> {
  let stored = 0;
  for (let at = 0; at < rows.length; at += BATCH) {
    const result = await insert(rows.slice(at, at + BATCH));
    stored += result.reduce((n, r) => n + Number(r.numInsertedOrUpdatedRows ?? 0n), 0);
  }
  return stored;
}

/** @returns the number of actions not stored before */
export async function storeAnalystActions(db: Database, actions: readonly AnalystAction[]): Promise<number> {
  return insertNew(actions, (batch) =>
    db.kysely
      .insertInto('analyst_actions')
      .values(
        batch.map((a) => ({
          symbol: a.symbol,
          acted_at: iso(a.actedAt),
          firm: a.firm,
          action: a.action,
          from_grade: a.fromGrade,
          to_grade: a.toGrade,
          source: a.source,
        })),
      )
      .onConflict((c) => c.doNothing())
      .execute(),
  );
}

/** @returns the number of monthly counts not stored before */
export async function storeRecommendationTrends(db: Database, trends: readonly RecommendationTrend[]): Promise<number> {
  return insertNew(trends, (batch) =>
    db.kysely
      .insertInto('recommendation_trends')
      .values(
        batch.map((t) => ({
          symbol: t.symbol,
          month: t.month,
          strong_buy: t.strongBuy,
          buy: t.buy,
          hold: t.hold,
          sell: t.sell,
          strong_sell: t.strongSell,
          known_at: iso(t.knownAt),
          source: t.source,
        })),
      )
      .onConflict((c) => c.doNothing())
      .execute(),
  );
}

/** @returns the number of announcements not stored before */
export async function storeEarningsEvents(db: Database, events: readonly EarningsEvent[]): Promise<number> {
  return insertNew(events, (batch) =>
    db.kysely
      .insertInto('earnings_events')
      .values(
        batch.map((e) => ({
          symbol: e.symbol,
          period_end: e.periodEnd,
          eps_actual: e.epsActual,
          eps_estimate: e.epsEstimate,
          known_at: iso(e.knownAt),
          known_rule: e.knownRule,
          source: e.source,
        })),
      )
      .onConflict((c) => c.doNothing())
      .execute(),
  );
}

/** @returns the number of headlines not stored before */
export async function storeNewsHeadlines(db: Database, headlines: readonly NewsHeadline[]): Promise<number> {
  return insertNew(headlines, (batch) =>
    db.kysely
      .insertInto('news_headlines')
      .values(
        batch.map((h) => ({
          symbol: h.symbol,
          id: h.id,
          title: h.title,
          publisher: h.publisher,
          link: h.link,
          published_at: iso(h.publishedAt),
          source: h.source,
        })),
      )
      .onConflict((c) => c.doNothing())
      .execute(),
  );
}

/** What a reader may see: items known at or before `asOf` (epoch ms, inclusive), when given. */
export interface QualitativeQuery {
  readonly symbols: readonly string[];
  readonly asOf?: number | undefined;
}

/** The symbols' analyst actions, oldest first. */
export async function loadAnalystActions(db: Database, query: QualitativeQuery): Promise<AnalystAction[]> {
  if (query.symbols.length === 0) return [];
  let select = db.kysely
    .selectFrom('analyst_actions')
    .selectAll()
    .where('symbol', 'in', [...query.symbols]);
  if (query.asOf !== undefined) select = select.where('acted_at', '<=', new Date(query.asOf));
  const rows = await select.orderBy('acted_at').orderBy('symbol').orderBy('firm').orderBy('source').execute();
  return rows.map((r) => ({
    symbol: r.symbol,
    actedAt: ms(r.acted_at),
    firm: r.firm,
    action: r.action,
    fromGrade: r.from_grade,
    toGrade: r.to_grade,
    source: r.source,
  }));
}

/** The symbols' monthly recommendation counts, in the order they became known (then by month). */
export async function loadRecommendationTrends(db: Database, query: QualitativeQuery): Promise<RecommendationTrend[]> {
  if (query.symbols.length === 0) return [];
  let select = db.kysely
    .selectFrom('recommendation_trends')
    .select(['symbol', sql<string>`month::text`.as('month'), 'strong_buy', 'buy', 'hold', 'sell', 'strong_sell', 'known_at', 'source'])
    .where('symbol', 'in', [...query.symbols]);
  if (query.asOf !== undefined) select = select.where('known_at', '<=', new Date(query.asOf));
  const rows = await select.orderBy('known_at').orderBy('symbol').orderBy('month').orderBy('source').execute();
  return rows.map((r) => ({
    symbol: r.symbol,
    month: r.month,
    strongBuy: r.strong_buy,
    buy: r.buy,
    hold: r.hold,
    sell: r.sell,
    strongSell: r.strong_sell,
    knownAt: ms(r.known_at),
    source: r.source,
  }));
}

/** The symbols' earnings announcements, in the order they became known. */
export async function loadEarningsEvents(db: Database, query: QualitativeQuery): Promise<EarningsEvent[]> {
  if (query.symbols.length === 0) return [];
  let select = db.kysely
    .selectFrom('earnings_events')
    .select(['symbol', sql<string>`period_end::text`.as('period_end'), 'eps_actual', 'eps_estimate', 'known_at', 'known_rule', 'source'])
    .where('symbol', 'in', [...query.symbols]);
  if (query.asOf !== undefined) select = select.where('known_at', '<=', new Date(query.asOf));
  const rows = await select.orderBy('known_at').orderBy('symbol').orderBy('period_end').orderBy('source').execute();
  return rows.map((r) => ({
    symbol: r.symbol,
    periodEnd: r.period_end,
    epsActual: r.eps_actual === null ? null : Number(r.eps_actual),
    epsEstimate: r.eps_estimate === null ? null : Number(r.eps_estimate),
    knownAt: ms(r.known_at),
    knownRule: r.known_rule,
    source: r.source,
  }));
}

/** A symbol's latest headlines published at or before `asOf` (default: all), newest first. */
export async function latestHeadlines(db: Database, symbol: string, limit: number, asOf?: number): Promise<NewsHeadline[]> {
  let select = db.kysely.selectFrom('news_headlines').selectAll().where('symbol', '=', symbol);
  if (asOf !== undefined) select = select.where('published_at', '<=', new Date(asOf));
  const rows = await select.orderBy('published_at', 'desc').orderBy('id').limit(limit).execute();
  return rows.map((r) => ({
    symbol: r.symbol,
    id: r.id,
    title: r.title,
    publisher: r.publisher,
    link: r.link,
    publishedAt: ms(r.published_at),
    source: r.source,
  }));
}

/** Per symbol, the qualitative items stored, for `momentum data summary`. */
export interface QualitativeSummaryRow {
  readonly symbol: string;
  readonly actions: number;
  readonly trends: number;
  readonly earnings: number;
  readonly headlines: number;
  /** ISO instant of the latest action, announcement or headline (what is known, not fetched). */
  readonly latest: string;
}

/** Counts per symbol of every qualitative table (all symbols, or these), one query. */
export async function qualitativeSummary(db: Database, symbols?: readonly string[]): Promise<QualitativeSummaryRow[]> {
  const of = ofSymbols(symbols);
  const { rows } = await sql<{ symbol: string; actions: number; trends: number; earnings: number; headlines: number; latest: Date }>`
    select symbol,
      (count(*) filter (where kind = 'action'))::int as actions, (count(*) filter (where kind = 'trend'))::int as trends,
      (count(*) filter (where kind = 'earnings'))::int as earnings, (count(*) filter (where kind = 'headline'))::int as headlines,
      max(at) as latest
    from (
      select symbol, 'action' as kind, acted_at as at from analyst_actions where ${of}
      union all select symbol, 'trend', known_at from recommendation_trends where ${of}
      union all select symbol, 'earnings', known_at from earnings_events where ${of}
      union all select symbol, 'headline', published_at from news_headlines where ${of}
    ) items
    group by symbol order by symbol`.execute(db.kysely);
  return rows.map((r) => ({
    symbol: r.symbol,
    actions: Number(r.actions),
    trends: Number(r.trends),
    earnings: Number(r.earnings),
    headlines: Number(r.headlines),
    latest: new Date(r.latest).toISOString(),
  }));
}
