/**
 * YahooQualitative and the qualitative ingest against a local HTTP server answering like Yahoo's
 * quoteSummary and search endpoints (fixtures in test/fixtures/yahoo, in the shape yahoo-finance2
 * 4.0.2 requests). The injected fetch rewrites https://*.yahoo.com to the stub and refuses anything
 * else; items land in a real database (PGlite or PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeQualitativeIngest } from '../../../src/cli/qualitative-action.js';
import { YahooQualitative, type YahooQualitativeOptions } from '../../../src/data/providers/yahoo-qualitative.js';
import { ingestQualitative } from '../../../src/data/qualitative-ingest.js';
import { latestHeadlines, loadAnalystActions, loadEarningsEvents, loadRecommendationTrends } from '../../../src/data/qualitative-store.js';
import { ProviderError } from '../../../src/errors.js';
import { engineName, openTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { qualitativeRoute, SEARCH, SUMMARY } from '../../helpers/yahoo-qualitative-stub.js';
import { useScriptedYahoo, yahooFixture as fixture, type StubReply } from '../../helpers/yahoo-stub.js';

const NOW = Date.parse('2024-03-15T12:00:00Z');
const DAY = 86_400_000;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

const yahooStub = useScriptedYahoo(qualitativeRoute);
const { stub, delays } = yahooStub;
const script = (path: string, ...replies: StubReply[]): void => stub().script(path, ...replies);
const yahoo = (options: YahooQualitativeOptions = {}): YahooQualitative =>
  new YahooQualitative({ ...yahooStub.adapterOptions(), now: () => NOW, ...options });

const TOO_MANY = { status: 429, body: 'Too Many Requests' } as const;

describe('YahooQualitative', () => {
  it("maps analysts' actions, monthly counts, reported and upcoming earnings and headlines, with their timestamps", async () => {
    const fetched = await yahoo().fetchQualitative('aapl');
    expect(fetched).toMatchObject({ symbol: 'AAPL', fetchedAt: NOW, notes: [] });
    expect(fetched.actions).toEqual([
      {
        symbol: 'AAPL',
        actedAt: day('2024-03-08'),
        firm: 'Morgan Stanley',
        action: 'main',
        fromGrade: 'Overweight',
        toGrade: 'Overweight',
        source: 'yahoo',
      },
      {
        symbol: 'AAPL',
        actedAt: day('2024-02-02'),
        firm: 'Barclays',
        action: 'down',
        fromGrade: 'Equal-Weight',
        toGrade: 'Underweight',
        source: 'yahoo',
      },
      {
        symbol: 'AAPL',
        actedAt: day('2024-01-04'),
        firm: 'Piper Sandler',
        action: 'up',
        fromGrade: 'Neutral',
        toGrade: 'Overweight',
        source: 'yahoo',
      },
    ]);
    // '0m' is the fetch's month (March 2024), '-3m' December 2023; known from the fetch, never before
    expect(fetched.trends.map((t) => [t.month, t.strongBuy, t.buy, t.hold, t.sell, t.strongSell, t.knownAt])).toEqual([
      ['2024-03-01', 11, 21, 6, 0, 0, NOW],
      ['2024-02-01', 11, 21, 6, 0, 0, NOW],
      ['2024-01-01', 10, 20, 8, 1, 0, NOW],
      ['2023-12-01', 10, 20, 9, 1, 0, NOW],
    ]);
    // No announcement date in earningsHistory: quarter end + 45 days; the next announcement (2024-05-02,
    // confirmed) reports the quarter after the latest, with no actual yet and the consensus as the estimate
    expect(fetched.earnings).toEqual([
      ...[
        ['2023-03-31', 1.52, 1.43],
        ['2023-06-30', 1.26, 1.19],
        ['2023-09-30', 1.46, 1.39],
        ['2023-12-31', 2.18, 2.1],
      ].map(([quarter, actual, estimate]) => ({
        symbol: 'AAPL',
        periodEnd: quarter,
        epsActual: actual,
        epsEstimate: estimate,
        knownAt: day(quarter as string) + 45 * DAY,
        knownRule: 'lag',
        source: 'yahoo',
      })),
      {
        symbol: 'AAPL',
        periodEnd: '2024-03-31',
        epsActual: null,
        epsEstimate: 1.5,
        knownAt: day('2024-05-02'),
        knownRule: 'reported',
        source: 'yahoo',
      },
    ]);
    expect(fetched.headlines).toEqual([
      {
        symbol: 'AAPL',
        id: '7a1c2f4e-1111-3c1a-9d0e-aapl00000001',
        title: 'Apple shares slip as iPhone sales in China fall',
        publisher: 'Reuters',
        link: 'https://finance.yahoo.com/news/apple-shares-slip-china-093000123.html',
        publishedAt: Date.parse('2024-03-14T09:30:00Z'),
        source: 'yahoo',
      },
      expect.objectContaining({ title: 'Apple & the AI race: what <Vision Pro> means', publisher: 'Motley Fool' }),
      expect.objectContaining({ publisher: 'Bloomberg', publishedAt: Date.parse('2024-03-04T10:15:00Z') }),
    ]);
    // one quoteSummary request for the four modules, one search for the news
    expect(
      stub()
        .requests.filter((r) => r.path === `${SUMMARY}AAPL`)
        .map((r) => r.query.get('modules')),
    ).toEqual(['upgradeDowngradeHistory,recommendationTrend,earningsHistory,calendarEvents']);
    expect(
      stub()
        .requests.filter((r) => r.path === SEARCH)
        .map((r) => [r.query.get('q'), r.query.get('newsCount')]),
    ).toEqual([['AAPL', '10']]);
  });

  it('drops bad items with a note saying why, and keeps the good ones', async () => {
    const fetched = await yahoo().fetchQualitative('BAD');
    // an action or a headline listed twice alike is kept once; two different ones of one key are both dropped
    expect(fetched.actions.map((a) => a.firm)).toEqual(['Good Firm', 'Twice Firm']);
    expect(fetched.trends.map((t) => t.month)).toEqual(['2024-03-01']);
    // the quarter listed twice alike is kept once; the one listed twice with different figures is dropped
    expect(fetched.earnings.map((e) => [e.periodEnd, e.epsActual])).toEqual([['2023-06-30', 0.5]]);
    expect(fetched.headlines.map((h) => h.id)).toEqual(['bad-good-1']);
    expect(fetched.notes).toEqual([
      'analyst action 2 dropped: unknown action code "hold"',
      'analyst action 3 dropped: empty firm',
      'analyst action of Twice Firm 2024-02-15T08:00:00.000Z listed 2 times: kept once',
      'analyst action of Clash Firm 2024-02-15T08:00:00.000Z dropped: listed 2 times, differently',
      'recommendation trend 2 dropped: negative sell count',
      'earnings quarter 5 dropped: no reported EPS',
      'earnings quarter 2023-06-30 listed 2 times: kept once',
      'earnings quarter 2023-09-30 dropped: listed 2 times, differently',
      "upcoming earnings date not stored: 2024-04-25 to 2024-04-29 is Yahoo's estimate, not an announced date",
      'headline 2 dropped: link is not an http(s) URL',
      'headline 3 dropped: missing title',
      'headline 4 dropped: missing or invalid date',
      'headline bad-good-1 listed 2 times: kept once',
      '1 headline(s) about other symbols skipped',
    ]);
  });

  it('retries a 429 and then succeeds', async () => {
    script(`${SUMMARY}AAPL`, TOO_MANY);
    script(SEARCH, TOO_MANY);
    const fetched = await yahoo().fetchQualitative('AAPL');
    expect(fetched.actions).toHaveLength(3);
    expect(fetched.headlines).toHaveLength(3);
    expect(delays).toEqual([500, 500]);
  });

  it('retries a cut-off news answer, and names the search when it stays cut off', async () => {
    const cut = { status: 200, body: '{"news":[{"uuid":' };
    script(SEARCH, cut);
    expect((await yahoo().fetchQualitative('AAPL')).headlines).toHaveLength(3);
    script(SEARCH, cut, cut);
    await expect(yahoo({ retries: 1 }).fetchQualitative('AAPL')).rejects.toThrow(
      /^Yahoo sent an unreadable answer to the news search for AAPL \(truncated or not JSON, 17 characters\) \(gave up after 2 attempts\)$/,
    );
  });

  it('gives a clear, retryable error when the crumb keeps failing', async () => {
    script('/v1/test/getcrumb', TOO_MANY, TOO_MANY);
    const fetching = yahoo({ retries: 1 }).fetchQualitative('AAPL');
    await expect(fetching).rejects.toBeInstanceOf(ProviderError);
    await expect(fetching).rejects.toMatchObject({
      retryable: true,
      message: expect.stringMatching(/^Yahoo rate-limited the cookie\/crumb request .*HTTP 429.*\(gave up after 2 attempts\)$/),
    });
  });

  it('says so when Yahoo changes the shape of a module, instead of storing nothing quietly', async () => {
    script(`${SUMMARY}AAPL`, {
      status: 200,
      body: JSON.stringify({ quoteSummary: { result: [{ upgradeDowngradeHistory: { history: 'moved' } }], error: null } }),
    });
    await expect(yahoo().fetchQualitative('AAPL')).rejects.toThrow(
      /^Yahoo's analysts and earnings response for AAPL did not match the expected format \(\/upgradeDowngradeHistory\/history: .*\); Yahoo may have changed its API$/,
    );
  });

  it('states a symbol with empty modules and no news, without an error', async () => {
    const fetched = await yahoo().fetchQualitative('QUIET');
    expect(fetched).toEqual({
      symbol: 'QUIET',
      actions: [],
      trends: [],
      earnings: [],
      headlines: [],
      fetchedAt: NOW,
      notes: ['no qualitative data for QUIET on Yahoo'],
    });
  });
});

describe(`qualitative ingest from Yahoo (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('stores each symbol on its own: items, modules missing, nothing at all, unknown symbol, bad items; again: nothing new', async () => {
    const outcomes = await ingestQualitative(db, yahoo(), ['AAPL', 'SPY', 'QUIET', 'NOPE', 'BAD']);
    expect(outcomes.map((o) => [o.symbol, o.status])).toEqual([
      ['AAPL', 'stored'],
      ['SPY', 'stored'],
      ['QUIET', 'empty'],
      ['NOPE', 'failed'],
      ['BAD', 'stored'],
    ]);
    const all = { actions: 3, trends: 4, earnings: 5, headlines: 3 };
    expect(outcomes[0]).toMatchObject({ fetched: all, stored: all, notes: [] });
    // an ETF: no analysts' modules on Yahoo, but news
    expect(outcomes[1]).toMatchObject({
      stored: { actions: 0, trends: 0, earnings: 0, headlines: 1 },
      notes: ["Yahoo has no analysts' or earnings data for SPY"],
    });
    expect(outcomes[2]).toMatchObject({ notes: ['no qualitative data for QUIET on Yahoo'] });
    expect(outcomes[3]).toMatchObject({ error: expect.stringMatching(/^unknown symbol NOPE on Yahoo \(HTTP 404: Quote not found/) });
    expect(outcomes[4]).toMatchObject({ stored: { actions: 2, trends: 1, earnings: 1, headlines: 1 } });

    expect(await loadAnalystActions(db, { symbols: ['AAPL'], asOf: day('2024-02-15') })).toHaveLength(2);
    const earnings = await loadEarningsEvents(db, { symbols: ['AAPL'] });
    expect(earnings.map((e) => [e.periodEnd, e.epsActual, new Date(e.knownAt).toISOString().slice(0, 10), e.knownRule])).toEqual([
      ['2023-03-31', 1.52, '2023-05-15', 'lag'],
      ['2023-06-30', 1.26, '2023-08-14', 'lag'],
      ['2023-09-30', 1.46, '2023-11-14', 'lag'],
      ['2023-12-31', 2.18, '2024-02-14', 'lag'],
      ['2024-03-31', null, '2024-05-02', 'reported'],
    ]);
    expect((await latestHeadlines(db, 'AAPL', 2)).map((h) => h.publisher)).toEqual(['Reuters', 'Motley Fool']);

    // what `momentum qualitative ingest` prints: each symbol's counts, then its notes
    const printed = describeQualitativeIngest(outcomes);
    expect(printed.slice(0, 5)).toEqual([
      'AAPL: stored (new/fetched) 3/3 actions, 4/4 trends, 5/5 earnings, 3/3 headlines',
      'SPY: stored (new/fetched) 0/0 actions, 0/0 trends, 0/0 earnings, 1/1 headlines',
      "  Yahoo has no analysts' or earnings data for SPY",
      'QUIET: no qualitative data for QUIET on Yahoo',
      expect.stringMatching(/^NOPE: failed: unknown symbol NOPE on Yahoo/),
    ]);
    expect(printed).toContain('  analyst action 2 dropped: unknown action code "hold"');

    // a day later, the same answers: nothing new (unchanged counts are no new snapshot)
    const again = await ingestQualitative(db, yahoo({ now: () => NOW + DAY }), ['AAPL', 'BAD']);
    for (const outcome of again)
      expect(outcome).toMatchObject({ status: 'stored', stored: { actions: 0, trends: 0, earnings: 0, headlines: 0 } });

    // counts that changed are a new snapshot, known from that fetch
    const changed = JSON.parse(fixture('quoteSummary-qualitative-aapl.json'));
    changed.quoteSummary.result[0].recommendationTrend.trend[0].buy = 22;
    script(`${SUMMARY}AAPL`, { status: 200, body: JSON.stringify(changed) });
    const later = await ingestQualitative(db, yahoo({ now: () => NOW + 2 * DAY }), ['AAPL']);
    expect(later[0]).toMatchObject({ stored: { actions: 0, trends: 1, earnings: 0, headlines: 0 } });
    const march = (await loadRecommendationTrends(db, { symbols: ['AAPL'] })).filter((t) => t.month === '2024-03-01');
    expect(march.map((t) => [t.buy, t.knownAt])).toEqual([
      [21, NOW],
      [22, NOW + 2 * DAY],
    ]);
  });

  it("keeps one symbol's 429 (retried, then given up) and crumb failure to that symbol; the others are stored", async () => {
    script(`${SUMMARY}AAPL`, TOO_MANY, TOO_MANY);
    const rateLimited = await ingestQualitative(db, yahoo({ retries: 1 }), ['AAPL', 'SPY']);
    expect(rateLimited.map((o) => o.status)).toEqual(['failed', 'stored']);
    expect(rateLimited[0]).toMatchObject({
      error: expect.stringMatching(/^Yahoo rate-limited the quoteSummary request for AAPL \(HTTP 429.*\(gave up after 2 attempts\)$/),
    });
    expect(delays).toEqual([500]);

    stub().reset();
    script('/v1/test/getcrumb', TOO_MANY, TOO_MANY);
    const noCrumb = await ingestQualitative(db, yahoo({ retries: 1 }), ['BAD', 'AAPL']);
    expect(noCrumb.map((o) => o.status)).toEqual(['failed', 'stored']);
    expect(noCrumb[0]).toMatchObject({ error: expect.stringMatching(/^Yahoo rate-limited the cookie\/crumb request/) });
  });
});
