import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { recentRuns, runIssues } from '../../src/data/ingest-run-store.js';
import { getInstruments } from '../../src/data/price-store.js';
import type { BarRequest, CandidateBar, PriceProvider, ProviderResult } from '../../src/data/providers/price-provider.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { ProviderError } from '../../src/errors.js';
import { barCount, dailyRow, storeFingerprint } from '../helpers/bars.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const END = dateToTs('2003-12-31');
const symbols = ['SYN-EQ-US', 'SYN-BOND-LONG', 'SYN-GOLD'];

/** A provider with fixed rows per symbol (and optional failures), to test what ingest does with them. */
class FixedProvider implements PriceProvider {
  readonly name = 'fixed';
  readonly requests: BarRequest[] = [];
  constructor(private readonly data: Record<string, CandidateBar[] | Error>) {}
  async fetchBars(request: BarRequest): Promise<ProviderResult> {
    this.requests.push(request);
    const rows = this.data[request.symbol];
    if (rows instanceof Error) throw rows;
    if (!rows) throw new ProviderError(`unknown symbol ${request.symbol}`, { retryable: false });
    return {
      rows: rows.filter((r) => (request.from === undefined || r.ts >= request.from) && r.ts <= request.to),
      unparsed: [],
      instrument: { symbol: request.symbol, name: `${request.symbol} name` },
    };
  }
}

const row = dailyRow;

describe(`ingest (${engineName})`, () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await openTestDatabase();
  });
  afterEach(async () => {
    await db.close();
  });

  it('stores every bar of the synthetic market, and a second run changes nothing', async () => {
    const provider = new SyntheticProvider({ seed: 7 });
    const first = await ingest(db, provider, { symbols, interval: '1d', now: () => END });
    const expected = symbols.reduce((n, s) => n + provider.market(END).bars.get(s)!.length, 0);
    expect(first.status).toBe('ok');
    expect(first.totals).toMatchObject({ symbols_ok: 3, symbols_failed: 0, bars_inserted: expected, bars_updated: 0, bars_rejected: 0 });
    expect(await barCount(db)).toBe(expected);
    const before = await storeFingerprint(db);

    const second = await ingest(db, provider, { symbols, interval: '1d', now: () => END });
    // Delta: only the last stored bar of each symbol is fetched again, and it is unchanged.
    expect(second.totals).toMatchObject({ bars_fetched: 3, bars_inserted: 0, bars_updated: 0, bars_unchanged: 3 });
    expect(await storeFingerprint(db)).toEqual(before);

    const full = await ingest(db, provider, { symbols, interval: '1d', now: () => END, full: true });
    expect(full.totals).toMatchObject({ bars_fetched: expected, bars_inserted: 0, bars_updated: 0, bars_unchanged: expected });
    expect(await storeFingerprint(db)).toEqual(before);
  });

  it('--full re-reads a CSV file: a corrected row is updated, the rest counted unchanged, and re-running changes nothing', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'momentum-ingest-full-'));
    const file = join(folder, 'ABC.csv');
    const header = 'date,open,high,low,close,adj_close,volume\n';
    const rows = ['2024-01-02,10,11,9,10.5,10.4,100', '2024-01-03,10,11,9,10.6,10.5,100', '2024-01-04,10,11,9,10.7,10.6,100'];
    const options = { symbols: ['ABC'], interval: '1d' as const, now: () => dateToTs('2024-02-01') };
    try {
      writeFileSync(file, header + rows.join('\n'));
      expect((await ingest(db, new CsvProvider({ path: folder }), options)).totals).toMatchObject({ bars_inserted: 3 });
      const first = await storeFingerprint(db);
      const again = await ingest(db, new CsvProvider({ path: folder }), { ...options, full: true });
      expect(again.totals).toMatchObject({ bars_fetched: 3, bars_inserted: 0, bars_updated: 0, bars_unchanged: 3 });
      expect(await storeFingerprint(db)).toEqual(first);

      // The source corrects an old row's adjusted close: only --full reads that far back.
      writeFileSync(file, header + [rows[0], '2024-01-03,10,11,9,10.6,10.45,100', rows[2]].join('\n'));
      const delta = await ingest(db, new CsvProvider({ path: folder }), options);
      expect(delta.totals).toMatchObject({ bars_fetched: 1, bars_updated: 0, bars_unchanged: 1 });
      const full = await ingest(db, new CsvProvider({ path: folder }), { ...options, full: true });
      expect(full.totals).toMatchObject({ bars_fetched: 3, bars_inserted: 0, bars_updated: 1, bars_unchanged: 2 });
      const corrected = await db.kysely
        .selectFrom('bars')
        .select(['close', 'adj_close'])
        .where('symbol', '=', 'ABC')
        .where('ts', '=', new Date(dateToTs('2024-01-03')))
        .executeTakeFirstOrThrow();
      expect(corrected).toEqual({ close: 10.6, adj_close: 10.45 });
      expect(await barCount(db, 'ABC')).toBe(3);
      const settled = await storeFingerprint(db);
      expect((await ingest(db, new CsvProvider({ path: folder }), { ...options, full: true })).totals).toMatchObject({ bars_unchanged: 3 });
      expect(await storeFingerprint(db)).toEqual(settled);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('fetches only the delta since the last stored bar and ends where a single run would', async () => {
    const provider = new SyntheticProvider({ seed: 7 });
    await ingest(db, provider, { symbols, interval: '1d', now: () => dateToTs('2002-06-30') });
    const delta = await ingest(db, provider, { symbols, interval: '1d', now: () => END });
    const newBars = symbols.reduce(
      (n, s) =>
        n +
        provider
          .market(END)
          .bars.get(s)!
          .filter((b) => b.ts > dateToTs('2002-06-30')).length,
      0,
    );
    expect(delta.totals.bars_inserted).toBe(newBars);
    expect(delta.totals.bars_fetched).toBe(newBars + symbols.length);

    const oneShot = await openTestDatabase();
    try {
      await ingest(oneShot, provider, { symbols, interval: '1d', now: () => END });
      expect(await storeFingerprint(db)).toEqual(await storeFingerprint(oneShot));
    } finally {
      await oneShot.close();
    }
  });

  it('asks the provider to start at the last stored bar, or at --from for new symbols', async () => {
    const provider = new FixedProvider({ AAA: [row('2024-01-02', 10), row('2024-01-03', 11)], BBB: [row('2024-01-05', 5)] });
    await ingest(db, provider, { symbols: ['AAA'], interval: '1d', from: dateToTs('2023-06-01'), now: () => dateToTs('2024-02-01') });
    await ingest(db, provider, {
      symbols: ['AAA', 'BBB'],
      interval: '1d',
      from: dateToTs('2023-06-01'),
      now: () => dateToTs('2024-02-01'),
    });
    expect(provider.requests.map((r) => [r.symbol, new Date(r.from!).toISOString().slice(0, 10)])).toEqual([
      ['AAA', '2023-06-01'],
      ['AAA', '2024-01-03'],
      ['BBB', '2023-06-01'],
    ]);
  });

  it('one failing symbol never stops the others; the run is partial and says why', async () => {
    const provider = new FixedProvider({
      GOOD: [row('2024-01-02', 10), row('2024-01-03', 11)],
      DOWN: new ProviderError('Yahoo answered HTTP 503 three times', { retryable: true, status: 503 }),
      ALSO: [row('2024-01-02', 20)],
    });
    const report = await ingest(db, provider, {
      symbols: ['GOOD', 'DOWN', 'NOPE', 'ALSO'],
      interval: '1d',
      now: () => dateToTs('2024-02-01'),
    });
    expect(report.status).toBe('partial');
    expect(report.totals).toMatchObject({ symbols_ok: 2, symbols_failed: 2, bars_inserted: 3 });
    expect(report.symbols.find((s) => s.symbol === 'DOWN')!.error).toBe('Yahoo answered HTTP 503 three times');
    expect(report.symbols.find((s) => s.symbol === 'NOPE')!.error).toBe('unknown symbol NOPE');
    expect(await barCount(db, 'GOOD')).toBe(2);
    expect(await barCount(db, 'ALSO')).toBe(1);

    const [run] = await recentRuns(db, 1);
    expect(run).toMatchObject({
      id: report.runId,
      status: 'partial',
      source: 'fixed',
      totals: { symbols_ok: 2, symbols_failed: 2, bars_inserted: 3 },
    });
    const failed = await db.kysely
      .selectFrom('ingest_run_symbols')
      .select(['symbol', 'error'])
      .where('status', '=', 'failed')
      .orderBy('symbol')
      .execute();
    expect(failed).toEqual([
      { symbol: 'DOWN', error: 'Yahoo answered HTTP 503 three times' },
      { symbol: 'NOPE', error: 'unknown symbol NOPE' },
    ]);
  });

  it('stores the good rows of a batch, records each rejected and flagged row with its reason', async () => {
    const provider = new FixedProvider({
      MIXED: [
        row('2024-01-02', 10),
        row('2024-01-03', Number.NaN),
        row('2024-01-04', 11, { high: 9 }),
        row('2024-01-05', -1),
        row('2024-01-08', 12),
        row('2024-01-09', 30), // +150% in a day, adj_close with it: flagged, kept
      ],
    });
    const report = await ingest(db, provider, { symbols: ['MIXED'], interval: '1d', now: () => dateToTs('2024-02-01') });
    expect(report.status).toBe('ok');
    expect(report.totals).toMatchObject({ bars_fetched: 6, bars_inserted: 3, bars_rejected: 3, bars_flagged: 1 });
    const issues = await runIssues(db, report.runId);
    expect(issues.map((i) => [i.kind, i.ts])).toEqual([
      ['rejected', '2024-01-03'],
      ['rejected', '2024-01-04'],
      ['rejected', '2024-01-05'],
      ['flagged', '2024-01-09'],
    ]);
    expect(issues[0]!.reason).toContain('close is not a number');
    expect(issues[1]!.reason).toContain('high 9 is below');
    expect(issues[2]!.reason).toContain('must be positive');
    expect(await barCount(db, 'MIXED')).toBe(3);
  });

  it('refuses dangerous symbol names one by one, before they reach SQL or a path', async () => {
    const provider = new FixedProvider({ SAFE: [row('2024-01-02', 10)] });
    const report = await ingest(db, provider, {
      symbols: ["X'); drop table bars; --", '../../etc/passwd', 'SAFE', 'safe'],
      interval: '1d',
      now: () => dateToTs('2024-02-01'),
    });
    expect(report.totals).toMatchObject({ symbols_ok: 1, symbols_failed: 2, bars_inserted: 1 });
    expect(provider.requests.map((r) => r.symbol)).toEqual(['SAFE']);
    expect(report.symbols.filter((s) => s.status === 'failed').every((s) => /invalid symbol/.test(s.error!))).toBe(true);
    expect(await barCount(db)).toBe(1);
  });

  it('keeps metadata from the configuration unless the provider knows better', async () => {
    const provider = new FixedProvider({ AAA: [row('2024-01-02', 10)] });
    const metadata = new Map([['AAA', { symbol: 'AAA', name: 'from config', asset_class: 'bond' as const, currency: 'USD' }]]);
    await ingest(db, provider, { symbols: ['AAA'], interval: '1d', metadata, now: () => dateToTs('2024-02-01') });
    expect(await getInstruments(db, ['AAA'])).toEqual([
      { symbol: 'AAA', name: 'AAA name', asset_class: 'bond', currency: 'USD', exchange: null, timezone: null },
    ]);
  });

  it('marks runs left running by a dead process on this host as aborted', async () => {
    const { id } = await db.kysely
      .insertInto('ingest_runs')
      .values({ source: 'csv', interval: '1d', request: '{}', status: 'running', host: hostname(), pid: 2 ** 22 + 12345 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await ingest(db, new FixedProvider({ AAA: [row('2024-01-02', 10)] }), {
      symbols: ['AAA'],
      interval: '1d',
      now: () => dateToTs('2024-02-01'),
    });
    const aborted = await db.kysely.selectFrom('ingest_runs').select(['status', 'error']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(aborted.status).toBe('aborted');
    expect(aborted.error).toContain('ended before finishing');
  });
});
