/**
 * Step 4 and the portfolio page on a real server on loopback and a real database with the synthetic
 * market: a model portfolio (gates ignored) rebalanced through 2014 with a drawdown alert; its page
 * (holdings, rebalances, alerts, the since-start chart's data against the benchmark); its allocation
 * as a lump sum and as a SIP, stored as another model portfolio through the API v1 (once: the
 * portfolio as stored is not stored again); an email address subscribed. Refusals: 400 beside the
 * field, 403 without the CSRF token, 404 for an unknown portfolio; every value escaped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/api/server.js';
import { listSubscribers } from '../../src/mail/subscriber-store.js';
import { insertAlerts, selectPortfolios } from '../../src/monitor/monitor-store.js';
import { createPortfolio, rebalancePortfolio } from '../../src/portfolio/model-portfolio.js';
import { getPortfolio, rebalances } from '../../src/portfolio/portfolio-store.js';
import { DEFAULT_GATE_SETS } from '../../src/research/gate-set.js';
import { SYNTHETIC_SYMBOLS, storeSyntheticReference } from '../helpers/synthetic-reference.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { forgedForms, formSession, get, postForm, settledPage, startWebServer, type Page } from '../helpers/web-client.js';

const HOSTILE = '<script>alert("x")</script> & co';
const gates = { name: 'default', set: DEFAULT_GATE_SETS.default! };

const db$ = { db: undefined as TestDatabase | undefined };

async function post(url: string, fields: Record<string, string>, cookie: string): Promise<Page> {
  const response = await postForm(url, fields, cookie);
  return { status: response.status, html: await response.text(), headers: response.headers };
}

/** The since-start chart's figure, from the page's JSON block (drawn by the pages' chart script). */
function sinceStartFigureOf(html: string) {
  const json = /<script type="application\/json" id="chart-data">([^<]*)<\/script>/.exec(html)![1]!;
  const figures = JSON.parse(json) as Record<
    string,
    { data: { name: string; x: string[]; y: number[] }[]; layout: { yaxis: { title: { text: string } } } }
  >;
  return figures['since-start']!;
}

describe(`the model portfolio pages (${engineName})`, () => {
  let server: RunningServer;
  let base: string;
  const page = () => `${base}/portfolios/web%20sip`;

  beforeAll(async () => {
    db$.db = await openTestDatabase();
    const db = db$.db;
    await storeSyntheticReference(db);
    const created = await createPortfolio(
      db,
      'web sip',
      {
        strategy: 'xs-momentum',
        universe: 'synthetic',
        symbols: SYNTHETIC_SYMBOLS,
        amount: 100_000,
        asOf: '2013-12-31',
        ignoreGates: true,
      },
      { gates },
    );
    for (const asOf of ['2014-03-31', '2014-06-30', '2014-09-30']) await rebalancePortfolio(db, 'web sip', { asOf, gates });
    const [row] = await selectPortfolios(db, 'web sip');
    await insertAlerts(db.kysely, row!, [
      {
        scope: 'portfolio',
        symbol: null,
        rebalanceId: created.rebalanceId,
        threshold: -0.05,
        drawdown: -0.0625,
        peakDate: '2014-02-03',
        peakValue: 101_000,
        observedAt: '2014-02-20',
        recoveredAt: '2014-03-14',
        resolution: 'recovered',
        details: {},
      },
    ]);
    server = await startWebServer(db, { publicUrl: 'https://momentum.example.com' });
    base = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await db$.db?.close();
  });

  it('the portfolio page: holdings, every rebalance, the alert, drawdown, and the chart data against the benchmark', async () => {
    const answer = await get(page());
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-security-policy')).toMatch(
      /^default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';/,
    );
    const { html } = answer;
    expect(html).toContain('<h1>Model portfolio web sip</h1>');
    expect(html).toContain('GATES IGNORED');
    expect(html).toContain('As of 30 Sep 2014');
    for (const asOf of ['31 Dec 2013', '31 Mar 2014', '30 Jun 2014', '30 Sep 2014']) expect(html).toContain(`<th scope="row">${asOf}</th>`);
    expect(html).toContain('20 Feb 2014: portfolio drawdown -6.3% (threshold -5.0%), ended 14 Mar 2014');
    expect(html).toContain('<dt>SYN-EQ-US, the same money</dt>');
    expect(html).toMatch(/<dt>Deepest drawdown<\/dt><dd>-\d+\.\d%<\/dd>/);
    // The chart's data: a JSON block (no inline script), drawn by a static script with plotly.
    const figure = sinceStartFigureOf(html);
    const trace = (name: string) => figure.data.find((t) => t.name === name)!;
    const portfolio = trace('Portfolio');
    expect(portfolio.x[0]).toBe('2013-12-31');
    expect(portfolio.x.at(-1)).toBe('2014-12-31');
    expect(portfolio.y[0]).toBeCloseTo(100_000, -3);
    expect(trace('SYN-EQ-US, the same money').y[0]).toBeCloseTo(100_000, 6);
    expect(trace('Drawdown').y).toHaveLength(portfolio.x.length);
    expect(Math.min(...trace('Drawdown').y)).toBeLessThan(0);
    expect(figure.layout.yaxis.title.text).toBe('USD');
    const scripts = [...html.matchAll(/<script src="([^"]+)" defer><\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(2);
    for (const src of scripts) {
      const asset = await fetch(`${base}${src}`);
      expect(asset.status, src).toBe(200);
      expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect((await asset.text()).length).toBeGreaterThan(100);
    }
    // The overview links it.
    expect((await get(`${base}/`)).html).toContain('<a href="/portfolios/web%20sip"><strong>web sip</strong></a>');
  });

  it('a portfolio whose benchmark has no bars: the chart without it, and the page says why', async () => {
    await createPortfolio(
      db$.db!,
      'typed',
      { strategy: 'xs-momentum', symbols: SYNTHETIC_SYMBOLS.slice(0, 3), amount: 10_000, asOf: '2014-06-30', ignoreGates: true },
      { gates },
    );
    const { status, html } = await get(`${base}/portfolios/typed`);
    expect(status).toBe(200);
    expect(html).toContain('benchmark SPY: no 1d bars stored for the period (ingest it)');
    expect(html).not.toContain('the same money</dt>');
    expect(sinceStartFigureOf(html).data.map((t) => t.name)).toEqual(['Portfolio', 'Put in', 'Drawdown']);
  });

  it('an unknown portfolio is a 404 page, its name escaped; a wrong method a 405', async () => {
    for (const path of [
      `/portfolios/${encodeURIComponent(HOSTILE)}`,
      `/portfolios/${encodeURIComponent(HOSTILE)}/allocation`,
      '/portfolios/%E0%A4%A',
    ]) {
      const answer = await get(`${base}${path}`);
      expect(answer.status, path).toBe(404);
      expect(answer.html).toContain('<h1>Not found</h1>');
      expect(answer.html).not.toContain('<script>');
    }
    expect((await get(`${base}/portfolios/${encodeURIComponent(HOSTILE)}`)).html).toContain('&lt;script&gt;alert');
    const wrong = await get(`${page()}/subscribers`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('allocates the targets as a lump sum and as a SIP: whole shares, cash left, the installments', async () => {
    const { cookie, csrf, page: form } = await formSession(`${page()}/allocation`);
    expect(form.status).toBe(200);
    expect(form.html).toContain('name="amount" inputmode="decimal" value="100000"');
    const lump = await post(`${page()}/allocation`, { csrf, mode: 'lumpsum', amount: '25000', action: 'preview' }, cookie);
    expect(lump.status).toBe(200);
    expect(lump.html).toContain('The lump sum buys:');
    expect(lump.html).toMatch(/cash left \$[\d,.]+/);
    expect(lump.html).toMatch(/<th scope="row">SYN-[A-Z-]+<\/th><td>[\d.]+%<\/td><td>\d+<\/td>/);
    expect(lump.html).not.toContain('<h3>Installments</h3>');
    const sip = await post(
      `${page()}/allocation`,
      { csrf, mode: 'sip', amount: '5000', installment: '1000', every: 'quarter', count: '4', action: 'preview' },
      cookie,
    );
    expect(sip.status).toBe(200);
    expect(sip.html).toContain('The first installment buys:');
    // Four installments from the latest rebalance's day, a quarter apart.
    for (const [i, date, amount] of [
      [0, '30 Sep 2014', '$5,000.00'],
      [1, '30 Dec 2014', '$1,000.00'],
      [3, '30 Jun 2015', '$1,000.00'],
    ] as const)
      expect(sip.html).toContain(`<tr><th scope="row">${i}</th><td>${date}</td><td>${amount}</td></tr>`);
    expect(sip.html).not.toContain('<th scope="row">4</th>');
    // The portfolio as stored is not offered again.
    const same = await post(`${page()}/allocation`, { csrf, mode: 'lumpsum', amount: '100000', action: 'preview' }, cookie);
    expect(same.html).toContain('<strong>This is web sip as stored</strong>');
  });

  it('stores a SIP allocation as another model portfolio through the API v1, and refuses to store the same one twice', async () => {
    const { cookie, csrf } = await formSession(`${page()}/allocation`);
    const fields = {
      csrf,
      mode: 'sip',
      amount: '5000',
      installment: '1000',
      every: 'month',
      count: '',
      name: 'web sip monthly',
      action: 'store',
    };
    const answer = await post(`${page()}/allocation`, fields, cookie);
    expect(answer.status).toBe(303);
    const job = await settledPage(base, answer.headers.get('location')!, cookie);
    expect(job.html).toContain('<h1>Model portfolio: succeeded</h1>');
    expect(job.html).toContain(
      'Stored as model portfolio <a href="/portfolios/web%20sip%20monthly">web sip monthly</a> (SIP of $5,000.00)',
    );
    const stored = await getPortfolio(db$.db!, 'web sip monthly');
    expect(stored.request).toMatchObject({
      mode: 'sip',
      amount: 5000,
      sip: { installment: 1000, every: 'month', count: null },
      ignoreGates: true,
    });
    // Generated as of the day the preview's targets are from, and bought what the preview showed.
    const [first] = await rebalances(db$.db!, stored.id, 1);
    expect(first!.asOf).toBe('2014-09-30');
    const preview = await post(`${page()}/allocation`, { ...fields, action: 'preview' }, cookie);
    for (const h of first!.holdings.filter((x) => x.shares > 0))
      expect(preview.html).toContain(`<th scope="row">${h.symbol}</th><td>${(h.targetWeight * 100).toFixed(1)}%</td><td>${h.shares}</td>`);
    // A second time: the name is taken (beside the name field); the portfolio as stored: nothing to store.
    const again = await post(`${page()}/allocation`, fields, cookie);
    expect(again.status).toBe(400);
    expect(again.html).toMatch(/<p class="field-error" id="name-error">[^<]*exists already<\/p>/);
    const self = await post(`${base}/portfolios/web%20sip%20monthly/allocation`, { ...fields, name: 'another' }, cookie);
    expect(self.status).toBe(400);
    expect(self.html).toMatch(/<p class="field-error" id="name-error">this is web sip monthly as stored already/);
  });

  it('refuses an allocation beside the field at fault (400), keeping what was typed, escaped', async () => {
    const { cookie, csrf } = await formSession(`${page()}/allocation`);
    const cases: [Record<string, string>, string][] = [
      [{ mode: 'lumpsum', amount: HOSTILE }, 'amount'],
      [{ mode: 'lumpsum', amount: '-5' }, 'amount'],
      [{ mode: 'sip', amount: '1000', installment: '', every: 'month' }, 'installment'],
      [{ mode: 'sip', amount: '1000', installment: '100', every: 'fortnight' }, 'every'],
      [{ mode: 'sip', amount: '1000', installment: '100', every: 'month', count: '0' }, 'count'],
      [{ mode: 'lumpsum', amount: '1000', name: HOSTILE, action: 'store' }, 'name'],
      [{ mode: 'lumpsum', amount: '1000', name: '', action: 'store' }, 'name'],
    ];
    for (const [fields, field] of cases) {
      const answer = await post(`${page()}/allocation`, { csrf, ...fields }, cookie);
      expect(answer.status, JSON.stringify(fields)).toBe(400);
      expect(answer.html, JSON.stringify(fields)).toMatch(new RegExp(`<p class="field-error" id="${field}-error">[^<]+</p>`));
      expect(answer.html).toContain(`aria-invalid="true" aria-describedby="${field}-error"`);
      expect(answer.html).not.toContain('<script>alert');
    }
    const kept = await post(`${page()}/allocation`, { csrf, mode: 'lumpsum', amount: HOSTILE }, cookie);
    expect(kept.html).toContain('value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"');
  });

  it('subscribes an email address (the subscriber stored, their unsubscribe link shown), and refuses a bad one beside the field', async () => {
    const { cookie, csrf } = await formSession(page());
    const answer = await post(`${page()}/subscribers`, { csrf, email: ' Ann@Example.com ', name: HOSTILE, amount: '20000' }, cookie);
    expect(answer.status).toBe(201);
    const [ann] = await listSubscribers(db$.db!, { portfolio: 'web sip' });
    expect(ann).toMatchObject({ email: 'ann@example.com', amount: 20_000, currency: 'USD', name: HOSTILE });
    expect(answer.html).toContain(`https://momentum.example.com/unsubscribe?token&#x3D;${ann!.unsubscribeToken}`);
    expect(answer.html).toContain('(&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co)');
    expect(answer.html).not.toContain('<script>');
    for (const [fields, field] of [
      [{ email: 'not an address', amount: '1000' }, 'email'],
      [{ email: 'ann@example.com', amount: '1000' }, 'email'],
      [{ email: 'bob@example.com', amount: 'lots' }, 'amount'],
    ] as const) {
      const refused = await post(`${page()}/subscribers`, { csrf, ...fields }, cookie);
      expect(refused.status, JSON.stringify(fields)).toBe(400);
      expect(refused.html).toMatch(new RegExp(`<p class="field-error" id="${field}-error">[^<]+</p>`));
      expect(refused.html).toContain(`value="${fields.email}"`);
    }
    expect(await listSubscribers(db$.db!, { portfolio: 'web sip' })).toHaveLength(1);
    const unknown = await post(`${base}/portfolios/nobody/subscribers`, { csrf, email: 'bob@example.com', amount: '1000' }, cookie);
    expect(unknown.status).toBe(404);
  });

  it('refuses each form POST without its session CSRF token (403), storing nothing', async () => {
    const mine = await formSession(page());
    const other = await formSession(page());
    const forms: [string, Record<string, string>][] = [
      ['/subscribers', { email: 'eve@example.com', amount: '1000' }],
      ['/allocation', { mode: 'lumpsum', amount: '1000', name: 'eve', action: 'store' }],
    ];
    for (const [sub, fields] of forms)
      for (const [body, jar] of forgedForms(fields, mine, other.csrf)) {
        const answer = await post(`${page()}${sub}`, body, jar);
        expect(answer.status, `${sub} ${JSON.stringify(body)}`).toBe(403);
        expect(answer.html).toContain('<h1>Form refused</h1>');
      }
    expect(await listSubscribers(db$.db!, { portfolio: 'web sip' })).not.toContainEqual(
      expect.objectContaining({ email: 'eve@example.com' }),
    );
    expect(await selectPortfolios(db$.db!, 'eve').catch(() => [])).toHaveLength(0);
  });
});
