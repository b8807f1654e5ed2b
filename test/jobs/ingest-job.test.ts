/**
 * The `ingest` job through the run path (runSlot, recorded in job_runs), on the engine under test:
 * nothing in use; Yahoo down (a local server in Yahoo's format answering 500); then the delta of
 * stored Yahoo and synthetic series plus a universe's new symbol, with one Yahoo symbol failing
 * (partial success per symbol). The store is compared with the providers' own data.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestJob } from '../../jobs/ingest.js';
import type { Job } from '../../jobs/job.js';
import type { SlotOutcome } from '../../jobs/run-slot.js';
import type { MomentumConfig } from '../../src/config.js';
import { dateToTs, formatBarTime } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { createProvider } from '../../src/data/providers/create-provider.js';
import { YahooProvider } from '../../src/data/providers/yahoo-provider.js';
import { generateSyntheticMarket } from '../../src/data/synthetic-market.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { configWith, runManualSlot } from './service-helpers.js';

const FIXTURES = new URL('../fixtures/yahoo/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const STEMS: Readonly<Record<string, string>> = { SPY: 'spy', '^GSPC': 'gspc' };

/** Like Yahoo: only the bars in [period1, period2). */
function filterChart(json: string, query: URLSearchParams): string {
  const body = JSON.parse(json);
  const result = body.chart.result[0];
  const p1 = Number(query.get('period1'));
  const p2 = Number(query.get('period2'));
  const keep = (result.timestamp as number[]).map((t, i) => (t >= p1 && t < p2 ? i : -1)).filter((i) => i >= 0);
  const pick = (values: unknown[]) => keep.map((i) => values[i]);
  result.timestamp = pick(result.timestamp);
  const quote = result.indicators.quote[0];
  for (const field of Object.keys(quote)) quote[field] = pick(quote[field]);
  if (result.indicators.adjclose) result.indicators.adjclose[0].adjclose = pick(result.indicators.adjclose[0].adjclose);
  return JSON.stringify(body);
}

/** Symbols whose chart requests get a 500 (Yahoo down for them). */
const down = new Set<string>();

function handle(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://stub');
  const path = decodeURIComponent(url.pathname);
  const reply = (status: number, body: string, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(body);
  };
  if (path === '/quote/AAPL')
    return reply(200, '<html></html>', { 'content-type': 'text/html', 'set-cookie': 'A3=d=stub; Domain=.yahoo.com; Path=/; Secure' });
  if (path === '/v1/test/getcrumb') return reply(200, 'stubCrumb', { 'content-type': 'text/plain' });
  if (path === '/v7/finance/quote') {
    const stem = STEMS[url.searchParams.get('symbols') ?? ''];
    return reply(200, stem ? fixture(`quote-${stem}.json`) : '{"quoteResponse":{"result":[],"error":null}}');
  }
  const symbol = path.replace('/v8/finance/chart/', '');
  if (down.has(symbol)) return reply(500, '{"error":"internal"}');
  const stem = STEMS[symbol];
  if (!stem) return reply(404, fixture('chart-not-found.json'));
  reply(200, filterChart(fixture(`chart-${stem}-1d.json`), url.searchParams));
}

describe(`the ingest job (${engineName})`, () => {
  let db: TestDatabase;
  let server: Server;
  let yahoo: () => YahooProvider;
  let config: MomentumConfig;
  const ingestJob: Job = createIngestJob({
    providerFor: (source, args) => (source === 'yahoo' ? yahoo() : createProvider({ source, seed: args.seed, path: args.csvPath })),
  });
  const runIngest = (slot: string, args: Record<string, unknown> = {}): Promise<SlotOutcome> =>
    runManualSlot(db, config, 'ingest', ingestJob, args, new Date(slot));
  const closes = async (symbol: string) =>
    (await db.kysely.selectFrom('bars').select(['ts', 'close']).where('symbol', '=', symbol).orderBy('ts').execute()).map(
      (b) => `${formatBarTime(b.ts.getTime(), '1d')} ${b.close}`,
    );

  beforeAll(async () => {
    db = await openTestDatabase();
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const stubFetch: typeof fetch = async (input, init) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      if (url.protocol !== 'https:' || !/(^|\.)yahoo\.com$/.test(url.hostname)) throw new Error(`test refused a request to ${url.href}`);
      return fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, init);
    };
    yahoo = () => new YahooProvider({ fetch: stubFetch, retries: 0, now: () => Date.parse('2024-02-01T00:00:00Z') });
    config = configWith(
      { entries: [{ job: 'ingest', cron: '30 22 * * 1-5' }] },
      { universes: { 'syn-extra': { symbols: ['SYN-BOND-LONG'] } } },
    );
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
  });

  it('with nothing in use, succeeds and says so', async () => {
    const outcome = await runIngest('2024-01-05T03:30:00Z');
    expect(outcome.kind).toBe('ran');
    if (outcome.kind !== 'ran') return;
    expect(outcome.run.status).toBe('succeeded');
    expect(outcome.run.counts).toMatchObject({ symbols_ok: 0, symbols_failed: 0, ingest_runs: 0 });
    expect(outcome.run.notes).toEqual(['no instruments in use: no stored bars, no portfolios and no args.universes; nothing to fetch']);
  });

  it('with Yahoo down for every symbol in use, records a failed run that keeps the per-symbol counts', async () => {
    await ingest(db, yahoo(), {
      symbols: ['SPY', '^GSPC'],
      interval: '1d',
      from: dateToTs('2024-01-02'),
      to: Date.parse('2024-01-04T23:59:59Z'),
    });
    down.add('SPY').add('^GSPC');
    const outcome = await runIngest('2024-01-09T03:30:00Z');
    down.clear();
    expect(outcome.kind).toBe('ran');
    if (outcome.kind !== 'ran') return;
    expect(outcome.run).toMatchObject({
      status: 'failed',
      counts: expect.objectContaining({ symbols_ok: 0, symbols_failed: 2, bars_inserted: 0 }),
    });
    expect(outcome.run.error).toMatch(/^every symbol failed \(2\); first: (SPY|\^GSPC) \(yahoo 1d\) failed: /);
    expect(outcome.run.notes.filter((n) => n.includes(' failed: '))).toHaveLength(2);
  });

  it('fetches the delta of every series in use up to the slot, with partial success per symbol', async () => {
    const slot = '2024-01-10T03:30:00Z'; // Tue 9 Jan 22:30 in New York
    await ingest(db, createProvider({ source: 'synthetic', seed: 7 }), {
      symbols: ['SYN-EQ-US', 'SYN-GOLD'],
      interval: '1d',
      to: Date.parse('2024-01-03T12:00:00Z'),
    });
    const before = { spy: await closes('SPY'), gspc: await closes('^GSPC') };
    down.add('^GSPC');
    const outcome = await runIngest(slot, { seed: 7, source: 'synthetic', universes: ['syn-extra'], from: '2024-01-02' });
    down.clear();
    expect(outcome.kind).toBe('ran');
    if (outcome.kind !== 'ran') return;
    const run = outcome.run;
    expect(run.status).toBe('succeeded');

    // Synthetic series (stored and the universe's new one) now equal the market up to the slot.
    const market = generateSyntheticMarket({ seed: 7, end: Date.parse(slot) });
    const upToSlot = (symbol: string, from = 0) =>
      market.bars
        .get(symbol)!
        .filter((b) => b.ts >= from && b.ts <= Date.parse(slot))
        .map((b) => `${formatBarTime(b.ts, '1d')} ${b.close}`);
    expect(await closes('SYN-EQ-US')).toEqual(upToSlot('SYN-EQ-US'));
    expect(await closes('SYN-GOLD')).toEqual(upToSlot('SYN-GOLD'));
    expect(await closes('SYN-BOND-LONG')).toEqual(upToSlot('SYN-BOND-LONG', dateToTs('2024-01-02')));
    // SPY got the fixture's bars after 4 Jan; ^GSPC failed and kept what it had.
    expect(await closes('SPY')).toEqual([...before.spy, '2024-01-05 467.92', '2024-01-08 474.6', '2024-01-09 473.88']);
    expect(await closes('^GSPC')).toEqual(before.gspc);

    const newSynthetic =
      (['SYN-EQ-US', 'SYN-GOLD'] as const).reduce((n, s) => n + upToSlot(s, dateToTs('2024-01-04')).length, 0) +
      upToSlot('SYN-BOND-LONG', dateToTs('2024-01-02')).length;
    expect(run.counts).toMatchObject({
      symbols_ok: 4,
      symbols_failed: 1,
      symbols_skipped: 0,
      ingest_runs: 2,
      bars_inserted: 3 + newSynthetic,
    });
    expect(run.notes).toContainEqual(expect.stringMatching(/^\^GSPC \(yahoo 1d\) failed: /));
    expect(run.notes).toContainEqual(expect.stringMatching(/^yahoo 1d: ingest run \d+ partial, 1 ok, 1 failed, 3 new bar\(s\)$/));
    expect(run.notes).toContainEqual(expect.stringMatching(/^synthetic 1d: ingest run \d+ ok, 3 ok, 0 failed, \d+ new bar\(s\)$/));
  });

  it('refuses bad args when the schedule is checked', () => {
    expect(() => ingestJob.checkArgs!({ source: 'bloomberg' })).toThrow(/^args\.source: /);
    expect(() => ingestJob.checkArgs!({ from: '2024/01/02' })).toThrow('args.from: "2024/01/02" is not a calendar date; use YYYY-MM-DD');
    expect(() => ingestJob.checkArgs!({ universe: ['x'] })).toThrow(/args/);
  });
});
