/**
 * Step 3's pages on a real server on loopback and a real database with the synthetic market: a
 * stored backtest's tearsheet (the report's tables, its charts as a JSON block and two script
 * files: no inline script), the out-of-sample simulation form (field errors beside the fields, 403
 * without the session's CSRF token, 404 for an unknown backtest), the simulation queued through
 * the API v1 and followed on its job page to its figures beside the in-sample ones; every value
 * escaped (a hostile universe name); the links from the overview and a backtest's job page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBacktestSpec } from '../../src/backtest/backtest-spec.js';
import { storeBacktest } from '../../src/backtest/backtest-store.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { SYNTHETIC_SYMBOLS, storeSyntheticReference } from '../helpers/synthetic-reference.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { expectSecurityHeaders, formSession, get, postForm, settledPage } from '../helpers/web-client.js';

const HOSTILE = '<script>alert("x")</script> & co';

describe(`step 3: a backtest's page and its out-of-sample simulation (${engineName})`, () => {
  let db: TestDatabase;
  let server: RunningServer;
  let base: string;
  let reference: number;
  let hostile: number;

  beforeAll(async () => {
    db = await openTestDatabase();
    reference = await storeSyntheticReference(db);
    const spec = parseBacktestSpec({
      strategy: 'xs-momentum',
      universe: HOSTILE,
      symbols: SYNTHETIC_SYMBOLS.slice(0, 3),
      to: '2012-12-31',
    });
    hostile = await storeBacktest(db, await runBacktest(db, spec));
    server = await startServer({
      port: 0,
      env: {},
      log: () => undefined,
      api: { withDb: (work) => work(db) },
      web: { universes: () => [{ name: 'synthetic', description: null, symbols: SYNTHETIC_SYMBOLS }] },
    });
    base = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it("the page: the tearsheet's tables, its charts as data for a script file, the form's defaults; no inline script", async () => {
    const page = await get(`${base}/backtests/${reference}`);
    expect(page.status).toBe(200);
    expectSecurityHeaders(page, true);
    expect(page.html).toContain(`<h1>Backtest ${reference}: xs-momentum</h1>`);
    for (const table of ['summary', 'drawdowns', 'trades']) expect(page.html).toContain(`data-table="${table}"`);
    expect(page.html).toContain('<tr data-metric="sharpe"><td>Sharpe ratio</td>');
    // Every script is a file of this server or data that never runs.
    const scripts = [...page.html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!.trim());
    expect(scripts).toEqual([
      'type="application/json" id="chart-data"',
      expect.stringMatching(/^src="\/static\/plotly-[0-9a-f]{16}\.min\.js"$/),
      'src="/static/web-charts.js"',
    ]);
    const boxes = [...page.html.matchAll(/data-chart="(\w+)"/g)].map((m) => m[1]);
    const data = JSON.parse(/<script type="application\/json" id="chart-data">([^<]*)<\/script>/.exec(page.html)![1]!) as Record<
      string,
      { data: { y: (number | null)[] }[]; height: number }
    >;
    expect(boxes).toEqual(expect.arrayContaining(['equity', 'drawdown', 'monthly', 'rollingSharpe', 'distribution']));
    expect(Object.keys(data).sort()).toEqual([...boxes].sort());
    expect(data.equity!.data[0]!.y.length).toBeGreaterThan(1000);
    for (const path of scripts.slice(1).map((s) => s.slice(5, -1))) {
      const script = await fetch(`${base}${path}`);
      expect(script.status, path).toBe(200);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    }
    // The simulation form: the day after the backtest's period, the latest bar, gates not ignored.
    expect(page.html).toContain(`action="/backtests/${reference}/simulations"`);
    expect(page.html).toMatch(/name="csrf" value="[\w-]+"/);
    expect(page.html).toContain('name="from" value="2010-01-01"');
    expect(page.html).toContain('name="to" value=""');
    expect(page.html).toContain('the stored data ends on 31 Dec 2014');
    expect(page.html).not.toContain('name="ignoreGates" checked');
  });

  it('the overview and a finished backtest job link to the page', async () => {
    expect((await get(`${base}/`)).html).toContain(`<a href="/backtests/${reference}">${reference}</a>`);
    const queued = await fetch(`${base}/api/v1/backtests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ strategy: 'xs-momentum', symbols: SYNTHETIC_SYMBOLS, from: '2005-01-01', to: '2008-12-31' }),
    });
    expect(queued.status).toBe(202);
    const { id } = (await queued.json()) as { id: string };
    const job = await settledPage(base, `/jobs/${id}`, '');
    const backtestId = /Backtest (\d+): xs-momentum/.exec(job.html)![1]!;
    expect(job.html).toContain(`<a href="/backtests/${backtestId}">`);
    expect((await get(`${base}/backtests/${backtestId}`)).status).toBe(200);
  });

  it('a hostile universe name is escaped everywhere on the page', async () => {
    const page = await get(`${base}/backtests/${hostile}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`<h1>Backtest ${hostile}: xs-momentum on &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</h1>`);
    expect(page.html).not.toContain('<script>alert');
  });

  it('an unknown backtest is a 404 page, for the page and the form', async () => {
    const page = await get(`${base}/backtests/987654`);
    expect(page.status).toBe(404);
    expectSecurityHeaders(page);
    expect(page.html).toContain('<h1>Not found</h1>');
    const { cookie, csrf } = await formSession(`${base}/backtests/${reference}`);
    const answer = await postForm(`${base}/backtests/987654/simulations`, { csrf }, cookie);
    expect(answer.status).toBe(404);
    expect(answer.headers.get('location')).toBeNull();
  });

  it('the form is refused without its session or CSRF token (403), and queues nothing', async () => {
    const { cookie, csrf } = await formSession(`${base}/backtests/${reference}`);
    const other = await formSession(`${base}/strategies`);
    for (const [body, jar] of [
      [{}, cookie],
      [{ csrf: 'forged' }, cookie],
      [{ csrf }, ''],
      [{ csrf: other.csrf }, cookie],
    ] as const) {
      const answer = await postForm(`${base}/backtests/${reference}/simulations`, { ...body, ignoreGates: 'on' }, jar);
      expect(answer.status, JSON.stringify(body)).toBe(403);
      expect(await answer.text()).toContain('<h1>Form refused</h1>');
      expect(answer.headers.get('location')).toBeNull();
    }
  });

  it('a refused period shows the page again with the error beside its field (400), keeping what was typed', async () => {
    const { cookie, csrf } = await formSession(`${base}/backtests/${reference}`);
    const cases: [Record<string, string>, string][] = [
      [{ from: '2009-06-01' }, 'from'],
      [{ from: '1 June 2010' }, 'from'],
      [{ from: '2011-01-01', to: '2010-06-30' }, 'to'],
    ];
    for (const [fields, field] of cases) {
      const answer = await postForm(`${base}/backtests/${reference}/simulations`, { csrf, ...fields }, cookie);
      const html = await answer.text();
      expect(answer.status, JSON.stringify(fields)).toBe(400);
      expect(answer.headers.get('location')).toBeNull();
      expect(html).toContain('The simulation was not started');
      expect(html, JSON.stringify(fields)).toMatch(new RegExp(`<p class="field-error" id="${field}-error">${field}: [^<]+</p>`));
      expect(html).toContain(`aria-invalid="true" aria-describedby="${field}-error"`);
      expect(html).toContain(`name="from" value="${fields.from}"`);
    }
    expect(
      await postForm(`${base}/backtests/${reference}/simulations`, { csrf, from: '2009-06-01' }, cookie).then((a) => a.text()),
    ).toContain('overlaps backtest');
    // Allowed to overlap, the same period is queued (and recorded as overlapping).
    const allowed = await postForm(
      `${base}/backtests/${reference}/simulations`,
      { csrf, from: '2009-06-01', allowOverlap: 'on', ignoreGates: 'on' },
      cookie,
    );
    expect(allowed.status).toBe(303);
    await settledPage(base, allowed.headers.get('location')!, cookie);
    const job = (await (await fetch(`${base}/api/v1${allowed.headers.get('location')!}`)).json()) as { status: string; spec: unknown };
    expect(job).toMatchObject({
      status: 'succeeded',
      spec: { backtestId: reference, from: '2009-06-01', allowOverlap: true, ignoreGates: true },
    });
  });

  it('a backtest that fails its gates is not simulated unless told: the failed job says why and leads back to the form', async () => {
    const { cookie, csrf } = await formSession(`${base}/backtests/${reference}`);
    const answer = await postForm(`${base}/backtests/${reference}/simulations`, { csrf }, cookie);
    expect(answer.status).toBe(303);
    const page = await settledPage(base, answer.headers.get('location')!, cookie);
    expect(page.html).toContain('<h1>Out-of-sample simulation: failed</h1>');
    expect(page.html).toMatch(/<div class="errors" role="alert"><p>[^<]*failed its gates[^<]*<\/p><\/div>/);
    expect(page.html).toContain(`<a href="/backtests/${reference}">Backtest ${reference} and its simulation form</a>`);
  });

  it('the simulation is queued (303 to its job page), followed to its figures beside the in-sample ones, with the gate verdict', async () => {
    const { cookie, csrf } = await formSession(`${base}/backtests/${reference}`);
    const answer = await postForm(
      `${base}/backtests/${reference}/simulations`,
      { csrf, from: '2010-01-01', to: '', ignoreGates: 'on' },
      cookie,
    );
    expect(answer.status).toBe(303);
    const location = answer.headers.get('location')!;
    expect(location).toMatch(/^\/jobs\/[0-9a-f-]{36}$/);
    const page = await settledPage(base, location, cookie);
    expectSecurityHeaders(page);
    expect(page.html).toContain('<h1>Out-of-sample simulation: succeeded</h1>');
    const oos = Number(/Out of sample <span class="muted">\(backtest (\d+)\)/.exec(page.html)![1]);
    expect(page.html).toContain(
      `<th scope="col">In sample <span class="muted">(backtest ${reference})</span></th><th scope="col">Out of sample <span class="muted">(backtest ${oos})</span></th>`,
    );
    expect(page.html).toMatch(
      /<tr data-metric="period"><th scope="row">period<\/th><td>2003-\d\d-\d\d to 2009-12-31<\/td><td>2010-01-0\d to 2014-12-31<\/td><\/tr>/,
    );
    expect(page.html).toMatch(
      /<tr data-metric="sharpe"><th scope="row">Sharpe ratio<\/th><td>-?\d+\.\d\d<\/td><td>-?\d+\.\d\d<\/td><\/tr>/,
    );
    expect(page.html).toMatch(/Gate verdict \(default\): <strong( class="bad")?>(passed|failed)<\/strong>/);
    // The verdict and the recorded "ignored" agree.
    expect(page.html.includes('GATES IGNORED')).toBe(page.html.includes('failed</strong>'));
    expect(page.html).toContain(`<a href="/backtests/${oos}">Out-of-sample run ${oos}</a>`);
    // The out-of-sample run has a page too, without a form (it is already out of sample).
    const run = await get(`${base}/backtests/${oos}`);
    expect(run.status).toBe(200);
    expect(run.html).toContain('(simulation run)');
    expect(run.html).not.toContain('/simulations"');
  });
});
