/**
 * The qualitative tables: each kind stored once (a re-fetch stores nothing), read back as written,
 * and a reader's as-of instant hides what was known later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalystAction, EarningsEvent, NewsHeadline, RecommendationTrend } from '../../src/data/qualitative.js';
import { surprise } from '../../src/data/qualitative.js';
import {
  latestHeadlines,
  loadAnalystActions,
  loadEarningsEvents,
  qualitativeSummary,
  storeAnalystActions,
  storeEarningsEvents,
  storeNewsHeadlines,
  storeRecommendationTrends,
} from '../../src/data/qualitative-store.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

const actions: AnalystAction[] = [
  { symbol: 'AAA', actedAt: day('2024-01-10'), firm: 'Firm A', action: 'up', fromGrade: 'Hold', toGrade: 'Buy', source: 'test' },
  { symbol: 'AAA', actedAt: day('2024-02-10'), firm: 'Firm B', action: 'down', fromGrade: 'Buy', toGrade: 'Hold', source: 'test' },
  { symbol: 'BBB', actedAt: day('2024-01-15'), firm: 'Firm A', action: 'init', fromGrade: null, toGrade: 'Buy', source: 'test' },
];
const events: EarningsEvent[] = [
  {
    symbol: 'AAA',
    periodEnd: '2023-12-31',
    epsActual: 1.1,
    epsEstimate: 1,
    knownAt: day('2024-01-30'),
    knownRule: 'reported',
    source: 'test',
  },
  {
    symbol: 'AAA',
    periodEnd: '2024-03-31',
    epsActual: null,
    epsEstimate: 1.2,
    knownAt: day('2024-05-15'),
    knownRule: 'lag',
    source: 'test',
  },
];
const headlines: NewsHeadline[] = [1, 2, 3, 4].map((n) => ({
  symbol: 'AAA',
  id: `story-${n}`,
  title: `Headline <${n}>`,
  publisher: 'Wire',
  link: `https://news.example/${n}`,
  publishedAt: day(`2024-03-0${n}`),
  source: 'test',
}));
const trends: RecommendationTrend[] = [
  { symbol: 'AAA', month: '2024-03-01', strongBuy: 3, buy: 5, hold: 2, sell: 0, strongSell: 0, knownAt: day('2024-03-20'), source: 'test' },
];

describe(`qualitative store (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('stores each item once: a second store of the same items stores none', async () => {
    expect(await storeAnalystActions(db, actions)).toBe(3);
    expect(await storeAnalystActions(db, actions)).toBe(0);
    expect(await storeEarningsEvents(db, events)).toBe(2);
    expect(await storeEarningsEvents(db, events)).toBe(0);
    expect(await storeNewsHeadlines(db, headlines)).toBe(4);
    expect(await storeNewsHeadlines(db, headlines)).toBe(0);
    expect(await storeRecommendationTrends(db, trends)).toBe(1);
    expect(await storeRecommendationTrends(db, trends)).toBe(0);
  });

  it('reads back what was stored, oldest first, and hides what was known after the as-of instant', async () => {
    expect(await loadAnalystActions(db, { symbols: ['AAA', 'BBB'] })).toEqual([actions[0], actions[2], actions[1]]);
    expect(await loadAnalystActions(db, { symbols: ['AAA'], asOf: day('2024-02-01') })).toEqual([actions[0]]);
    expect(await loadEarningsEvents(db, { symbols: ['AAA'] })).toEqual(events);
    expect(await loadEarningsEvents(db, { symbols: ['AAA'], asOf: day('2024-05-14') })).toEqual([events[0]]);
    expect(await loadAnalystActions(db, { symbols: [] })).toEqual([]);
  });

  it('gives the latest headlines first, at most the limit, none published after the as-of instant', async () => {
    expect((await latestHeadlines(db, 'AAA', 3)).map((h) => h.id)).toEqual(['story-4', 'story-3', 'story-2']);
    expect((await latestHeadlines(db, 'AAA', 3, day('2024-03-02'))).map((h) => h.id)).toEqual(['story-2', 'story-1']);
    expect(await latestHeadlines(db, 'ZZZ', 3)).toEqual([]);
  });

  it("summarises each symbol's items of every kind and the latest, for data summary", async () => {
    expect(await qualitativeSummary(db)).toEqual([
      { symbol: 'AAA', actions: 2, trends: 1, earnings: 2, headlines: 4, latest: new Date(day('2024-05-15')).toISOString() },
      { symbol: 'BBB', actions: 1, trends: 0, earnings: 0, headlines: 0, latest: new Date(day('2024-01-15')).toISOString() },
    ]);
    expect((await qualitativeSummary(db, ['BBB', 'ZZZ'])).map((r) => r.symbol)).toEqual(['BBB']);
    expect(await qualitativeSummary(db, [])).toEqual([]);
  });

  it('refuses a headline whose link is not http(s) (the database check, whatever the writer)', async () => {
    await expect(storeNewsHeadlines(db, [{ ...headlines[0]!, id: 'bad', link: 'javascript:alert(1)' }])).rejects.toThrow();
  });

  it('measures a surprise against the estimate, NaN without one', () => {
    expect(surprise({ epsActual: 1.1, epsEstimate: 1 })).toBeCloseTo(0.1, 12);
    expect(surprise({ epsActual: -0.5, epsEstimate: -1 })).toBeCloseTo(0.5, 12);
    expect(surprise({ epsActual: 1, epsEstimate: null })).toBeNaN();
    expect(surprise({ epsActual: 1, epsEstimate: 0 })).toBeNaN();
  });
});
