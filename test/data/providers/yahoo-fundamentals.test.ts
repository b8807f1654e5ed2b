/**
 * YahooFundamentals and the fundamentals ingest against a local HTTP server answering like Yahoo's
 * fundamentals-timeseries and quoteSummary endpoints (fixtures in test/fixtures/yahoo, in the
 * shape yahoo-finance2 4.0.2 requests and validates). The injected fetch rewrites https://*.yahoo.com
 * to the stub and refuses anything else; values land in a real database (PGlite or PostgreSQL).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeIngest } from '../../../src/cli/fundamentals-action.js';
import { ingestFundamentals } from '../../../src/data/fundamentals-ingest.js';
import { YahooFundamentals, type YahooFundamentalsOptions } from '../../../src/data/providers/yahoo-fundamentals.js';
import { ProviderError } from '../../../src/errors.js';
import { runCli } from '../../helpers/cli.js';
import { cliEnvironment } from '../../helpers/cli-env.js';
import { engineName, openTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { fundamentalsRoute, SERIES, SUMMARY } from '../../helpers/yahoo-fundamentals-stub.js';
import { useScriptedYahoo, type StubReply } from '../../helpers/yahoo-stub.js';

const NOW = Date.parse('2024-03-01T12:00:00Z');
const DAY = 86_400_000;

const yahooStub = useScriptedYahoo(fundamentalsRoute);
const { stub, delays } = yahooStub;
const script = (path: string, ...replies: StubReply[]): void => stub().script(path, ...replies);
const yahoo = (options: YahooFundamentalsOptions = {}): YahooFundamentals =>
  new YahooFundamentals({ ...yahooStub.adapterOptions(), now: () => NOW, ...options });

describe('YahooFundamentals', () => {
  it("maps the statements' fields and earningsHistory's EPS to candidate rows, Yahoo's other keys ignored", async () => {
    const fetched = await yahoo().fetchFundamentals('aapl');
    expect(fetched).toMatchObject({ symbol: 'AAPL', fetchedAt: NOW, notes: [] });
    const rows = fetched.rows.map(({ line: _, ...row }) => row);
    expect(rows).toContainEqual({
      symbol: 'AAPL',
      field: 'revenue',
      periodEnd: '2023-12-31',
      periodType: 'quarterly',
      value: '119575000000',
      source: 'yahoo',
    });
    expect(rows).toContainEqual({
      symbol: 'AAPL',
      field: 'total_equity',
      periodEnd: '2023-09-30',
      periodType: 'annual',
      value: '62146000000',
      source: 'yahoo',
    });
    expect(rows).toContainEqual({
      symbol: 'AAPL',
      field: 'eps_diluted',
      periodEnd: '2023-06-30',
      periodType: 'quarterly',
      value: '1.26',
      source: 'yahoo-earnings',
    });
    // 5 mapped quarterly series of 2 periods, 3 annual, 4 quarters of earnings; CostOfRevenue has no field
    expect(rows).toHaveLength(17);
    // One request per period type and statement: financials (with DilutedEPS), then the balance sheet (with TotalDebt)
    const series = stub()
      .requests.filter((r) => r.path === `${SERIES}AAPL`)
      .map((r) => (r.query.get('type') ?? '').split(','));
    expect(
      series.map((types) => [types.includes(`${types[0]!.startsWith('annual') ? 'annual' : 'quarterly'}DilutedEPS`), types[0]]),
    ).toEqual([
      [true, 'quarterlyTotalRevenue'],
      [false, 'quarterlyNetDebt'],
      [true, 'annualTotalRevenue'],
      [false, 'annualNetDebt'],
    ]);
    expect(series[1]).toContain('quarterlyTotalDebt');
    expect(
      stub()
        .requests.filter((r) => r.path === `${SUMMARY}AAPL`)[0]
        ?.query.get('modules'),
    ).toBe('earningsHistory');
  });

  it('retries a 429 and then succeeds', async () => {
    script(`${SERIES}AAPL`, { status: 429, body: 'Too Many Requests' });
    const fetched = await yahoo().fetchFundamentals('AAPL');
    expect(fetched.rows).toHaveLength(17);
    expect(delays).toEqual([500]);
  });

  it('gives a clear, retryable error when the crumb keeps failing', async () => {
    script('/v1/test/getcrumb', { status: 429, body: 'Too Many Requests' }, { status: 429, body: 'Too Many Requests' });
    const error = await yahoo({ retries: 1 })
      .fetchFundamentals('AAPL')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(true);
    expect((error as ProviderError).message).toMatch(
      /^Yahoo rate-limited the cookie\/crumb request .*HTTP 429.*\(gave up after 2 attempts\)$/,
    );
  });

  it('states a symbol with empty modules (no statements, no earnings history) without an error', async () => {
    const fetched = await yahoo().fetchFundamentals('SPY');
    expect(fetched).toEqual({ symbol: 'SPY', rows: [], fetchedAt: NOW, notes: ['no fundamentals for SPY on Yahoo'] });
  });
});

describe(`fundamentals ingest from Yahoo (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('stores each symbol point in time on its own: values, lag, flags, duplicates, no fundamentals, unknown symbol; again: unchanged', async () => {
    const outcomes = await ingestFundamentals(db, yahoo(), ['AAPL', 'SPY', 'NOPE', 'BAD']);
    expect(outcomes.map((o) => [o.symbol, o.status])).toEqual([
      ['AAPL', 'stored'],
      ['SPY', 'empty'],
      ['NOPE', 'failed'],
      ['BAD', 'stored'],
    ]);
    expect(outcomes[0]).toMatchObject({ report: { rows: 17, stored: 17, flagged: [], rejected: [], repeated: [] } });
    expect(outcomes[1]).toMatchObject({ notes: ['no fundamentals for SPY on Yahoo'] });
    expect(outcomes[2]).toMatchObject({ error: expect.stringMatching(/^unknown symbol NOPE on Yahoo \(HTTP 404: Quote not found/) });
    const bad = outcomes[3]!;
    if (bad.status !== 'stored') throw new Error('BAD not stored');
    expect(bad.report.flagged.map((f) => f.reason.split(':')[0])).toEqual(['negative', 'absurd']);
    expect(bad.report.repeated).toHaveLength(1);
    // in line order: the two contradicting reports of 2023-09-30, then the quarter without an actual EPS
    expect(bad.report.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^contradicted by line/),
      expect.stringMatching(/^eps_diluted quarterly 2023-09-30 = 0.9 contradicts/),
      'missing value',
    ]);
    // revenue, total_debt and net_income (negative is allowed there) of BAD, and its 2023-06-30 EPS once
    expect(bad.report.stored).toBe(4);

    const { rows } = await sql<{ field: string; period_type: string; value: number; known_at: Date; source: string; flag: string | null }>`
      select field, period_type, value, known_at, source, flag from fundamentals
      where symbol = 'AAPL' and period_end = '2023-09-30' and field in ('revenue', 'eps_diluted') order by field, period_type, source`.execute(
      db.kysely,
    );
    // No report date from Yahoo: the lag applies (45 days after a quarter, 90 after a year)
    const quarterKnown = Date.UTC(2023, 8, 30) + 45 * DAY;
    const yearKnown = Date.UTC(2023, 8, 30) + 90 * DAY;
    expect(rows.map((r) => ({ ...r, value: Number(r.value), known_at: new Date(r.known_at).getTime() }))).toEqual([
      { field: 'eps_diluted', period_type: 'annual', value: 6.13, known_at: yearKnown, source: 'yahoo', flag: null },
      { field: 'eps_diluted', period_type: 'quarterly', value: 1.46, known_at: quarterKnown, source: 'yahoo', flag: null },
      { field: 'eps_diluted', period_type: 'quarterly', value: 1.46, known_at: quarterKnown, source: 'yahoo-earnings', flag: null },
      { field: 'revenue', period_type: 'annual', value: 383285000000, known_at: yearKnown, source: 'yahoo', flag: null },
      { field: 'revenue', period_type: 'quarterly', value: 89498000000, known_at: quarterKnown, source: 'yahoo', flag: null },
    ]);
    const { rows: flags } = await sql<{ field: string; flag: string | null }>`
      select field, flag from fundamentals where symbol = 'BAD' and flag is not null order by field`.execute(db.kysely);
    expect(flags).toEqual([
      { field: 'revenue', flag: 'negative' },
      { field: 'total_debt', flag: 'absurd' },
    ]);

    // what `momentum fundamentals ingest` prints: each symbol's counts, then its problems
    const printed = describeIngest(outcomes);
    expect(printed.slice(0, 3)).toEqual([
      'AAPL: 17 rows: 17 stored, 0 unchanged, 0 flagged, 0 rejected, 0 repeated',
      'SPY: no fundamentals for SPY on Yahoo',
      expect.stringMatching(/^NOPE: failed: unknown symbol NOPE on Yahoo/),
    ]);
    expect(printed[3]).toBe('BAD: 8 rows: 4 stored, 0 unchanged, 2 flagged, 3 rejected, 1 repeated');
    expect(printed).toContain('\nflagged (stored with the flag):');
    expect(printed).toContainEqual(expect.stringMatching(/^ {2}value \d+ BAD: negative: revenue 2023-12-31 = -5000000 cannot be below 0/));

    const again = await ingestFundamentals(db, yahoo(), ['AAPL']);
    expect(again[0]).toMatchObject({ status: 'stored', report: { stored: 0, unchanged: 17 } });
  });
});

describe('momentum fundamentals ingest', () => {
  it.each([
    [['--source', 'ftp', '--symbols', 'AAPL'], 'error: source: unknown fundamentals source "ftp"; use yahoo'],
    [['--source', 'yahoo', '--symbols', ' , '], 'error: symbols: give at least one symbol'],
  ])('%j fails with a clear message before any request', async (args, message) => {
    const cli = await cliEnvironment();
    try {
      const result = await runCli(['fundamentals', 'ingest', ...args], cli.env);
      expect(result.stderr).toContain(message);
      expect(result.code).toBe(1);
    } finally {
      await cli.dispose();
    }
  });
});
