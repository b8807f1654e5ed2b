/**
 * The `ingest-fundamentals` job through the run path (runSlot, recorded in job_runs), on the engine
 * under test, against a local server answering like Yahoo (test/helpers/yahoo-fundamentals-stub.ts):
 * nothing in use; a universe of a stock, an ETF without fundamentals and a symbol Yahoo rate-limits
 * (429), beside a synthetic series that is never asked for; a second run that stores nothing new and
 * asks only from the latest stored period less the restatement margin; the failing symbol back; every
 * symbol failing. Also: the job is built in and the shipped schedule runs it weekly.
 */
import { resolve } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIngestFundamentalsJob, RESTATED_WITHIN_DAYS } from '../../jobs/ingest-fundamentals.js';
import { BUILT_IN_JOBS } from '../../jobs/registry.js';
import type { SlotOutcome } from '../../jobs/run-slot.js';
import { checkSchedule } from '../../jobs/schedule-service.js';
import { loadConfig, type MomentumConfig } from '../../src/config.js';
import { ingest } from '../../src/data/ingest.js';
import { createProvider } from '../../src/data/providers/create-provider.js';
import { YahooQualitative } from '../../src/data/providers/yahoo-qualitative.js';
import { YahooFundamentals } from '../../src/data/providers/yahoo-fundamentals.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { fundamentalsRoute, SERIES, SUMMARY } from '../helpers/yahoo-fundamentals-stub.js';
import { isQualitativeRequest, qualitativeRoute, SEARCH } from '../helpers/yahoo-qualitative-stub.js';
import { serveScriptedYahoo, type ScriptedYahoo } from '../helpers/yahoo-stub.js';
import { configWith, runManualSlot } from './service-helpers.js';

const NOW = Date.parse('2024-03-01T12:00:00Z');
/** The qualitative fixtures' fetch: their headlines are of early March 2024 (anything dated after a fetch is dropped). */
const QUALITATIVE_NOW = Date.parse('2024-03-15T12:00:00Z');
const RATE_LIMITED = { status: 429, body: 'Too Many Requests' };

describe(`the ingest-fundamentals job (${engineName})`, () => {
  let db: TestDatabase;
  let stub: ScriptedYahoo;
  let config: MomentumConfig;
  const job = createIngestFundamentalsJob({
    source: async () => new YahooFundamentals({ fetch: stub.fetch, retries: 0, sleep: async () => {}, now: () => NOW }),
    qualitative: async () => new YahooQualitative({ fetch: stub.fetch, retries: 0, sleep: async () => {}, now: () => QUALITATIVE_NOW }),
  });
  const run = async (slot: string, args: Record<string, unknown> = { universes: ['stocks'] }) => {
    const outcome: SlotOutcome = await runManualSlot(db, config, 'ingest-fundamentals', job, args, new Date(slot));
    if (outcome.kind !== 'ran') throw new Error(`the slot did not run: ${outcome.kind}`);
    return outcome.run;
  };
  const storedRows = async () =>
    (
      await sql<{ symbol: string; n: number }>`select symbol, count(*)::int as n from fundamentals group by symbol order by symbol`.execute(
        db.kysely,
      )
    ).rows;
  /** The period1 (epoch s) of each fundamentals-timeseries request of a symbol. */
  const seriesFrom = (symbol: string) =>
    stub.requests.filter((r) => r.path === `${SERIES}${symbol}`).map((r) => Number(r.query.get('period1')));

  beforeAll(async () => {
    db = await openTestDatabase();
    // one Yahoo for both parts, as in production: the qualitative adapter's requests get its fixtures
    stub = await serveScriptedYahoo((path, query) =>
      isQualitativeRequest(path, query) ? qualitativeRoute(path, query) : fundamentalsRoute(path, query),
    );
    config = configWith(
      { entries: [{ job: 'ingest-fundamentals', cron: '0 5 * * 6' }] },
      { universes: { stocks: { symbols: ['AAPL', 'SPY', 'BAD'] } } },
    );
  });
  afterAll(async () => {
    await stub.close();
    await db.close();
  });
  beforeEach(() => stub.reset());

  it('with nothing in use, succeeds and says so', async () => {
    const result = await run('2024-03-02T10:00:00Z', {});
    expect(result.status).toBe('succeeded');
    expect(result.counts).toMatchObject({ symbols_stored: 0, symbols_failed: 0, values_stored: 0 });
    expect(result.notes).toEqual([
      'no instruments in use: no stored bars, no portfolios, no args.universes or args.symbols; nothing to fetch',
    ]);
    expect(stub.requests).toEqual([]);
  });

  it("stores each symbol's values, states the one without fundamentals, and isolates the one rate-limited", async () => {
    await ingest(db, createProvider({ source: 'synthetic', seed: 7 }), {
      symbols: ['SYN-EQ-US'],
      interval: '1d',
      to: Date.parse('2024-01-10T00:00:00Z'),
    });
    stub.script(`${SERIES}BAD`, RATE_LIMITED);
    const result = await run('2024-03-02T10:05:00Z');
    expect(result.status).toBe('succeeded');
    expect(result.counts).toEqual({
      symbols_stored: 1,
      symbols_unchanged: 0,
      symbols_empty: 1,
      symbols_failed: 1,
      values_stored: 17,
      values_unchanged: 0,
      values_flagged: 0,
      values_rejected: 0,
      // AAPL's actions, counts, earnings and news; SPY's news; BAD's items less the bad ones
      qualitative_stored: 3,
      qualitative_empty: 0,
      qualitative_failed: 0,
      actions_new: expect.any(Number),
      trends_new: expect.any(Number),
      earnings_new: expect.any(Number),
      headlines_new: expect.any(Number),
    });
    const stored = async (table: 'analyst_actions' | 'news_headlines' | 'earnings_events' | 'recommendation_trends') =>
      Number(
        (
          await db.kysely
            .selectFrom(table)
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(result.counts['actions_new']).toBe(await stored('analyst_actions'));
    expect(result.counts['headlines_new']).toBe(await stored('news_headlines'));
    expect(result.counts['earnings_new']).toBe(await stored('earnings_events'));
    expect(result.counts['trends_new']).toBe(await stored('recommendation_trends'));
    expect(result.counts['actions_new']).toBeGreaterThan(0);
    expect(result.counts['headlines_new']).toBeGreaterThan(0);
    expect(result.notes).toContain('yahoo: 3 symbol(s), 0 asked only from 400 days before their latest stored period');
    expect(result.notes).toContain('SPY: no fundamentals for SPY on Yahoo (stated, not an error)');
    expect(result.notes).toContainEqual(expect.stringMatching(/^BAD failed: .*429/));
    expect(await storedRows()).toEqual([{ symbol: 'AAPL', n: 17 }]);
    // the synthetic market's symbols have no fundamentals anywhere: never asked for
    expect(stub.requests.some((r) => r.path.endsWith('SYN-EQ-US'))).toBe(false);
    expect(seriesFrom('AAPL')).toEqual(Array(4).fill(Date.UTC(2000, 0, 1) / 1000));
  });

  it('runs again storing nothing new, asking a stored symbol only from its latest period end less the margin', async () => {
    stub.script(`${SERIES}BAD`, RATE_LIMITED);
    const result = await run('2024-03-09T10:00:00Z');
    expect(result.status).toBe('succeeded');
    expect(result.counts).toMatchObject({ symbols_stored: 0, symbols_unchanged: 1, symbols_empty: 1, symbols_failed: 1, values_stored: 0 });
    // the same analysts' actions, earnings and headlines again: nothing new
    expect(result.counts).toMatchObject({ actions_new: 0, earnings_new: 0, headlines_new: 0, trends_new: 0 });
    expect(result.counts.values_unchanged).toBe(17);
    expect(await storedRows()).toEqual([{ symbol: 'AAPL', n: 17 }]);
    // AAPL's latest stored period ends 2023-12-31; SPY and BAD have none stored, so all Yahoo has
    const margin = RESTATED_WITHIN_DAYS * 86_400;
    expect(seriesFrom('AAPL')).toEqual(Array(4).fill(Date.UTC(2023, 11, 31) / 1000 - margin));
    expect(seriesFrom('SPY')).toEqual(Array(4).fill(Date.UTC(2000, 0, 1) / 1000));
  });

  it('stores the rate-limited symbol once Yahoo answers, its flagged values pointed to', async () => {
    const result = await run('2024-03-16T10:00:00Z');
    expect(result.status).toBe('succeeded');
    expect(result.counts).toMatchObject({
      symbols_stored: 1,
      symbols_unchanged: 1,
      symbols_failed: 0,
      values_stored: 4,
      values_flagged: 2,
    });
    expect(result.notes).toContain('2 value(s) stored flagged: momentum data issues --fundamentals');
    expect(result.notes).toContainEqual(expect.stringMatching(/^BAD: 3 value\(s\) rejected, e\.g\. contradicted by line/));
    expect(await storedRows()).toEqual([
      { symbol: 'AAPL', n: 17 },
      { symbol: 'BAD', n: 4 },
    ]);
  });

  it('isolates a symbol whose qualitative data fails, and skips the qualitative part when told to', async () => {
    stub.script(SEARCH, RATE_LIMITED);
    const isolated = await run('2024-03-17T10:00:00Z');
    expect(isolated.status).toBe('succeeded');
    expect(isolated.counts).toMatchObject({ qualitative_failed: 1, qualitative_stored: 2 });
    expect(isolated.notes).toContainEqual(expect.stringMatching(/^AAPL qualitative data failed: .*429/));
    const skipped = await run('2024-03-18T10:00:00Z', { universes: ['stocks'], qualitative: false });
    expect(skipped.status).toBe('succeeded');
    expect(skipped.counts).toMatchObject({ qualitative_stored: 0, qualitative_failed: 0, actions_new: 0 });
    expect(stub.requests.filter((r) => r.path.startsWith('/v1/finance/search'))).toHaveLength(3);
  });

  it('records a failed run when every symbol failed, keeping the counts', async () => {
    for (const symbol of ['AAPL', 'SPY', 'BAD']) stub.script(`${SERIES}${symbol}`, RATE_LIMITED);
    const result = await run('2024-03-23T10:00:00Z');
    expect(result.status).toBe('failed');
    expect(result.counts).toMatchObject({ symbols_failed: 3, symbols_stored: 0, values_stored: 0 });
    expect(result.error).toMatch(/^every symbol failed \(3\); first: AAPL failed: .*429/);
    // the earnings history is not asked for once the statements failed (the qualitative part asks its own modules)
    expect(stub.requests.some((r) => r.path.startsWith(SUMMARY) && !isQualitativeRequest(r.path, r.query))).toBe(false);
  });

  it('is built in, and the shipped schedule runs it weekly', () => {
    expect(BUILT_IN_JOBS['ingest-fundamentals']).toBeTypeOf('function');
    const shipped = loadConfig(resolve(import.meta.dirname, '../../momentum.config.json'));
    expect(() => checkSchedule(shipped.schedule!, BUILT_IN_JOBS, shipped.path)).not.toThrow();
    expect(shipped.schedule!.entries.find((e) => e.job === 'ingest-fundamentals')).toMatchObject({ cron: '0 5 * * 6' });
    expect(() =>
      checkSchedule(
        configWith({ entries: [{ job: 'ingest-fundamentals', cron: '0 5 * * 6', args: { symbols: ['A B'] } }] }).schedule!,
        BUILT_IN_JOBS,
        'x.json',
      ),
    ).toThrow(/schedule\.entries\.0 \("ingest-fundamentals"\): args: args\.symbols\.0: invalid symbol/);
  });
});
