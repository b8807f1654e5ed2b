/**
 * The web application's pages on a real server on loopback and a real database with the synthetic
 * market: the overview, the strategy form, a backtest and a model portfolio queued through the form
 * and followed on their job pages; every value escaped (a hostile universe name), the security
 * headers on every page, a form POST refused without its session's CSRF token, the token rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { insertAlerts, selectPortfolios } from '../../src/monitor/monitor-store.js';
import { SYNTHETIC_SYMBOLS, storeSyntheticReference } from '../helpers/synthetic-reference.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { expectSecurityHeaders, get, postForm, session, settledPage } from '../helpers/web-client.js';

const HOSTILE = '<script>alert("x")</script> & co';
const UNIVERSES = [
  { name: 'synthetic', description: 'six generated series', symbols: SYNTHETIC_SYMBOLS },
  { name: HOSTILE, description: '<b>bold</b>', symbols: SYNTHETIC_SYMBOLS.slice(0, 2) },
];

const db$ = { db: undefined as TestDatabase | undefined };
const withDb = <T>(work: (db: TestDatabase) => Promise<T>) => work(db$.db!);

/** Sends the strategy form (xs-momentum on the synthetic universe unless `fields` say otherwise) in a new session: the answer and the session's cookie. */
async function submitForm(base: string, fields: Record<string, string>): Promise<{ answer: Response; cookie: string }> {
  const { cookie, csrf } = await session(base);
  const answer = await postForm(`${base}/strategies`, { csrf, strategy: 'xs-momentum', universe: 'synthetic', ...fields }, cookie);
  return { answer, cookie };
}

describe(`web pages over the API v1 (${engineName})`, () => {
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    db$.db = await openTestDatabase();
    await storeSyntheticReference(db$.db);
    server = await startServer({
      port: 0,
      env: {},
      log: () => undefined,
      api: { withDb },
      web: { universes: () => UNIVERSES },
    });
    base = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await db$.db?.close();
  });

  it('the overview: universes, stored series with their staleness, the stored backtest; values escaped', async () => {
    const page = await get(`${base}/`);
    expect(page.status).toBe(200);
    expectSecurityHeaders(page);
    expect(page.html).toContain('<h1>Overview</h1>');
    for (const symbol of SYNTHETIC_SYMBOLS) expect(page.html).toContain(`<th scope="row">${symbol}</th>`);
    expect(page.html).toContain('31 Dec 2014');
    expect(page.html).toContain('(stale)');
    expect(page.html).toContain('xs-momentum');
    expect(page.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(page.html).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(page.html).not.toContain('<script');
    expect(page.html).not.toContain('<b>bold');
  });

  it('the strategy form: every registered strategy with its defaults, the universes, a CSRF token, a session cookie', async () => {
    const { page } = await session(base);
    expect(page.status).toBe(200);
    expectSecurityHeaders(page);
    expect(page.headers.get('set-cookie')).toMatch(/^momentum_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(page.html).toContain('value="xs-momentum" checked');
    expect(page.html).toMatch(/name="param\.xs-momentum\.topPct" value="\d+"/);
    expect(page.html).toContain('Jegadeesh');
    expect(page.html).toContain('<option value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co">');
    expect(page.html).not.toContain('<script');
    const css = await get(`${base}/static/web.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('a form POST without the session or its CSRF token is refused (403), and queues nothing', async () => {
    const { cookie, csrf } = await session(base);
    const other = await session(base);
    const fields = { strategy: 'xs-momentum', universe: 'synthetic', kind: 'backtest' };
    for (const [body, jar] of [
      [fields, cookie],
      [{ ...fields, csrf: 'forged' }, cookie],
      [{ ...fields, csrf }, ''],
      [{ ...fields, csrf: other.csrf }, cookie],
    ] as const) {
      const answer = await postForm(`${base}/strategies`, body, jar);
      expect(answer.status, JSON.stringify(body)).toBe(403);
      expect(await answer.text()).toContain('<h1>Form refused</h1>');
      expect(answer.headers.get('content-security-policy')).toMatch(/^default-src 'self';/);
      expect(answer.headers.get('location')).toBeNull();
    }
  });

  it('the form queues a backtest (303 to its job page), which follows the job to its figures', async () => {
    const { answer, cookie } = await submitForm(base, {
      'param.xs-momentum.topPct': '50',
      'param.ts-momentum.lookback': 'ignored',
      from: '2004-01-01',
      to: '2010-12-31',
      kind: 'backtest',
    });
    expect(answer.status).toBe(303);
    const location = answer.headers.get('location')!;
    expect(location).toMatch(/^\/jobs\/[0-9a-f-]{36}$/);
    const page = await settledPage(base, location, cookie);
    expectSecurityHeaders(page);
    expect(page.html).toContain('<h1>Backtest: succeeded</h1>');
    expect(page.html).toMatch(/Backtest \d+: xs-momentum on synthetic/);
    expect(page.html).toContain('1 Jan 2004');
    expect(page.html).toContain('<dt>Sharpe</dt>');
    // The chosen strategy's parameter was used; another strategy's field was not read.
    const job = (await (await fetch(`${base}/api/v1${location}`)).json()) as { links: { result: string } };
    const stored = (await (await fetch(`${base}${job.links.result}`)).json()) as { spec: { params: Record<string, unknown> } };
    expect(stored.spec.params.topPct).toBe(50);
    expect(stored.spec.params).not.toHaveProperty('lookback', 'ignored');
    const overview = await get(`${base}/`);
    expect(overview.html).toContain('1 Jan 2004');
  });

  it('the form takes symbols typed in instead of a named universe', async () => {
    const { answer, cookie } = await submitForm(base, { universe: '', symbols: ' SYN-EQ-US, SYN-GOLD  SYN-OIL ', kind: 'backtest' });
    expect(answer.status).toBe(303);
    const location = answer.headers.get('location')!;
    const page = await settledPage(base, location, cookie);
    expect(page.html).toMatch(/<h2>Backtest \d+: xs-momentum<\/h2>/);
    const job = (await (await fetch(`${base}/api/v1${location}`)).json()) as { links: { result: string } };
    const stored = (await (await fetch(`${base}${job.links.result}`)).json()) as { spec: { symbols: string[]; universe: string | null } };
    expect(stored.spec).toMatchObject({ symbols: ['SYN-EQ-US', 'SYN-GOLD', 'SYN-OIL'], universe: null });
  });

  it('the form creates a model portfolio with gates ignored: its holdings and GATES IGNORED on the job page and the overview', async () => {
    const { answer, cookie } = await submitForm(base, {
      name: 'web core',
      amount: '100000',
      asOf: '2014-12-31',
      ignoreGates: 'on',
      kind: 'portfolio',
    });
    expect(answer.status).toBe(303);
    const page = await settledPage(base, answer.headers.get('location')!, cookie);
    expect(page.html).toContain('<h1>Model portfolio: succeeded</h1>');
    expect(page.html).toContain('GATES IGNORED');
    expect(page.html).toContain('31 Dec 2014');
    expect(page.html).toMatch(/<th scope="row">SYN-[A-Z-]+<\/th><td>\d/);
    expect(page.html).toMatch(/Held until the next rebalance on \d+ [A-Z][a-z]+ 2015, unless: [^<]+\./);
    expect(page.html).toMatch(
      /Gate verdict: <strong class="bad">(no-backtest|failed)<\/strong> <strong class="loud">GATES IGNORED<\/strong>/,
    );
    expect(await get(`${base}/`).then((p) => p.html)).toContain(
      '<strong>web core</strong>: xs-momentum on synthetic <strong class="loud">GATES IGNORED</strong>',
    );
    // A drawdown alert the monitor would store: the overview lists it under its portfolio.
    const job = (await (await fetch(`${base}/api/v1${answer.headers.get('location')!}`)).json()) as { result: { rebalanceId: number } };
    const [row] = await selectPortfolios(db$.db!, 'web core');
    await insertAlerts(db$.db!.kysely, row!, [
      {
        scope: 'position',
        symbol: 'SYN-GOLD',
        rebalanceId: job.result.rebalanceId,
        threshold: -0.1,
        drawdown: -0.125,
        peakDate: '2014-11-03',
        peakValue: 50,
        observedAt: '2014-12-30',
        recoveredAt: null,
        resolution: null,
        details: {},
      },
    ]);
    expect(await get(`${base}/`).then((p) => p.html)).toContain(
      '30 Dec 2014: SYN-GOLD drawdown -12.5% (threshold -10.0%), <strong class="bad">open</strong>',
    );
  });

  it('a refused submission shows the form again with the fields at fault (400), keeping what was typed', async () => {
    const { cookie, csrf } = await session(base);
    // [form, the path the refusal names, the field it is shown beside (its input marked invalid)]
    const cases: [Record<string, string>, string, string][] = [
      [{ strategy: 'xs-momentum', universe: 'nowhere', kind: 'backtest' }, 'universe', 'universe'],
      [{ strategy: 'no-such', universe: 'synthetic', kind: 'backtest' }, 'strategy', 'strategy'],
      [{ strategy: 'xs-momentum', universe: '', kind: 'backtest' }, 'universe', 'universe'],
      [{ strategy: 'xs-momentum', universe: 'synthetic', symbols: 'SYN-GOLD', kind: 'backtest' }, 'symbols', 'symbols'],
      [{ strategy: 'xs-momentum', universe: '', symbols: 'SYN-GOLD syn-gold', kind: 'backtest' }, 'symbols', 'symbols'],
      [{ strategy: 'xs-momentum', universe: 'synthetic', 'param.xs-momentum.topPct': '-5', kind: 'backtest' }, 'params.topPct', 'params'],
      [{ strategy: 'xs-momentum', universe: 'synthetic', name: 'web core', amount: 'lots', kind: 'portfolio' }, 'request.amount', 'amount'],
      [
        { strategy: 'xs-momentum', universe: 'synthetic', name: 'web core', amount: '1000', asOf: '2014-12-31', kind: 'portfolio' },
        'name',
        'name',
      ],
    ];
    for (const [fields, path, field] of cases) {
      const answer = await postForm(`${base}/strategies`, { csrf, ...fields }, cookie);
      const html = await answer.text();
      expect(answer.status, JSON.stringify(fields)).toBe(400);
      expect(html, JSON.stringify(fields)).toContain(`<strong>${path}</strong>`);
      expect(html).toContain('role="alert"');
      expect(html, JSON.stringify(fields)).toMatch(new RegExp(`<p class="field-error" id="${field}-error">[^<]+</p>`));
      if (field !== 'strategy' && field !== 'params') expect(html).toContain(`aria-invalid="true" aria-describedby="${field}-error"`);
    }
    // What was typed is kept.
    const kept = await (
      await postForm(`${base}/strategies`, { csrf, ...cases.find(([form]) => form.amount === 'lots')![0] }, cookie)
    ).text();
    expect(kept).toContain('name="amount" inputmode="decimal" value="lots"');
  });

  it('an unknown job is a 404 page; a wrong method a 405 page', async () => {
    for (const path of ['/jobs/00000000-0000-4000-8000-000000000000', '/jobs/nope', '/jobs/%E0%A4%A']) {
      const page = await get(`${base}${path}`);
      expect(page.status, path).toBe(404);
      expectSecurityHeaders(page);
      expect(page.html).toContain('<h1>Not found</h1>');
    }
    const wrong = await fetch(`${base}/`, { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
    expect(await wrong.text()).toContain('<h1>Not allowed here</h1>');
  });
});

describe('web pages behind an API token', () => {
  it('answer 401 without the token, 200 with it', async () => {
    const server = await startServer({
      port: 0,
      env: {},
      token: 'a-long-enough-token-123',
      log: () => undefined,
      api: { withDb: () => Promise.reject(new Error('not reached')) },
      web: { universes: () => [] },
    });
    try {
      for (const path of ['/strategies', '/sweeps', '/static/web-sweep-chart.js']) {
        expect((await fetch(`${server.url}${path}`)).status, path).toBe(401);
        const answer = await fetch(`${server.url}${path}`, { headers: { authorization: 'Bearer a-long-enough-token-123' } });
        expect(answer.status, path).toBe(200);
        if (path === '/strategies') expect(await answer.text()).toContain('No universes in the configuration');
        else await answer.arrayBuffer();
      }
    } finally {
      await server.close();
    }
  });
});
