/**
 * The sweep pages on a real server on loopback and a real database with the synthetic market: the
 * form with the strategy's documented sweep ranges, a sweep queued through it (303 to its job page,
 * followed until done), the sweep's page (the report's heatmap as a JSON block a static script
 * draws, the gate verdict), refusals beside their fields (400), the CSRF refusal (403), an unknown
 * sweep (404), every value escaped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/api/server.js';
import { plotlyDataHtml } from '../../src/report/plotly-html.js';
import { SYNTHETIC_SYMBOLS } from '../helpers/synthetic-reference.js';
import { engineName, type TestDatabase } from '../helpers/test-database.js';
import {
  expectSecurityHeaders,
  get,
  postForm,
  formSession,
  settledPage,
  startSyntheticWebServer,
  SYNTHETIC_UNIVERSE,
} from '../helpers/web-client.js';

const HOSTILE = '<script>alert("x")</script> & co';
const UNIVERSES = [SYNTHETIC_UNIVERSE, { name: HOSTILE, description: null, symbols: SYNTHETIC_SYMBOLS.slice(0, 2) }];
/** A small sweep: two lookbacks by two sizes (skip not swept), gated with the default gates. */
const SWEEP = {
  strategy: 'xs-momentum',
  universe: 'synthetic',
  'grid.xs-momentum.lookback': '126, 252',
  'grid.xs-momentum.skip': '',
  'grid.xs-momentum.topPct': '20,50',
  'grid.ts-momentum.lookback': 'not read',
  from: '2004-01-01',
  to: '2012-12-31',
  gateSet: 'default',
};

describe(`the sweep pages (${engineName})`, () => {
  let db: TestDatabase;
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    ({ db, server } = await startSyntheticWebServer(UNIVERSES));
    base = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it("the form: every strategy with its documented sweep ranges, the universes escaped, a CSRF token; 'Sweeps' in the navigation", async () => {
    const { page } = await formSession(`${base}/sweeps`);
    expect(page.status).toBe(200);
    expectSecurityHeaders(page);
    expect(page.html).toContain('<h1>Start a sweep</h1>');
    expect(page.html).toContain('<a href="/sweeps">Sweeps</a>');
    expect(page.html).toContain('value="xs-momentum" checked');
    expect(page.html).toContain('name="grid.xs-momentum.lookback" value="126, 189, 252, 315"');
    expect(page.html).toContain('name="gateSet" value="default"');
    expect(page.html).toContain('<option value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co">');
    expect(page.html).not.toContain('<script');
  });

  it('a POST without the session or its CSRF token is refused (403), and queues nothing', async () => {
    const { cookie, csrf } = await formSession(`${base}/sweeps`);
    for (const [body, jar] of [
      [SWEEP, cookie],
      [{ ...SWEEP, csrf: 'forged' }, cookie],
      [{ ...SWEEP, csrf }, ''],
    ] as const) {
      const answer = await postForm(`${base}/sweeps`, body, jar);
      expect(answer.status, JSON.stringify(body)).toBe(403);
      expect(await answer.text()).toContain('<h1>Form refused</h1>');
      expect(answer.headers.get('location')).toBeNull();
    }
  });

  it('a refused sweep shows the form again with each refusal beside its field (400), keeping what was typed', async () => {
    const { cookie, csrf } = await formSession(`${base}/sweeps`);
    // [what the form changes, the path the refusal names, the field it is shown beside]
    const cases: [Record<string, string>, string, string][] = [
      [{ universe: 'nowhere' }, 'universe', 'universe'],
      [{ symbols: 'SYN-GOLD' }, 'symbols', 'symbols'],
      [{ strategy: 'no-such' }, 'grid', 'grid'],
      [{ 'grid.xs-momentum.lookback': '', 'grid.xs-momentum.topPct': ' , ' }, 'grid', 'grid'],
      [{ gateSet: 'nope' }, 'gateSet', 'gateSet'],
      [{ from: 'yesterday' }, 'from', 'from'],
    ];
    for (const [change, path, field] of cases) {
      const answer = await postForm(`${base}/sweeps`, { csrf, ...SWEEP, ...change }, cookie);
      const html = await answer.text();
      expect(answer.status, JSON.stringify(change)).toBe(400);
      expect(html, JSON.stringify(change)).toContain(`<strong>${path}</strong>`);
      expect(html, JSON.stringify(change)).toMatch(new RegExp(`<p class="field-error" id="${field}-error">[^<]+</p>`));
      expect(answer.headers.get('location')).toBeNull();
    }
    const kept = await (await postForm(`${base}/sweeps`, { csrf, ...SWEEP, gateSet: '<b>nope</b>' }, cookie)).text();
    expect(kept).toContain('name="grid.xs-momentum.lookback" value="126, 252"');
    expect(kept).toContain('name="gateSet" value="&lt;b&gt;nope&lt;/b&gt;"');
    expect(kept).not.toContain('<b>nope');
  });

  it('queues the sweep (303 to its job page), follows it, then shows its heatmap and gate verdict', async () => {
    const { cookie, csrf } = await formSession(`${base}/sweeps`);
    const answer = await postForm(`${base}/sweeps`, { csrf, ...SWEEP }, cookie);
    expect(answer.status).toBe(303);
    const location = answer.headers.get('location')!;
    expect(location).toMatch(/^\/jobs\/[0-9a-f-]{36}$/);
    const job = await settledPage(base, location, cookie);
    expect(job.html).toContain('<h1>Sweep: succeeded</h1>');
    expect(job.html).toContain('4 combinations.');
    const sweepId = /<a href="\/sweeps\/(\d+)">The sweep's heatmap and gate verdict<\/a>/.exec(job.html)![1]!;

    const page = await get(`${base}/sweeps/${sweepId}`, cookie);
    expect(page.status).toBe(200);
    expectSecurityHeaders(page, true);
    expect(page.html).toContain(`<h1>Sweep ${sweepId}: xs-momentum, 4 combinations</h1>`);
    expect(page.html).toMatch(/<div data-role="gate" data-pbo="[^"]*">Gated with the default gates/);
    expect(page.html).toMatch(/4 trials in the family; \d of 4 combinations passed/);
    expect(page.html.match(/<tr data-backtest="\d+">/g)).toHaveLength(4);
    // Two charts, as data; every script either a file of this server or JSON that never runs.
    expect(page.html.match(/<div class="plotly-figure" data-height="\d+"><script type="application\/json">/g)).toHaveLength(2);
    for (const tag of page.html.match(/<script[^>]*>/g)!)
      expect(tag).toMatch(/^<script (src="\/static\/[\w.-]+\.js"|type="application\/json")>$/);
    const heatmap = /<script type="application\/json">(.*?)<\/script>/s.exec(page.html)![1]!;
    const figure = JSON.parse(heatmap) as { data: { type: string; x: unknown[]; y: unknown[] }[] };
    expect(figure.data[0]!.type).toBe('heatmap');
    expect([figure.data[0]!.x.length, figure.data[0]!.y.length].sort()).toEqual([2, 2]);
    for (const src of page.html.match(/(?<=<script src=")[^"]+/g)!) {
      const script = await fetch(`${base}${src}`);
      expect(script.status, src).toBe(200);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      await script.arrayBuffer();
    }
    // What the API says of the same sweep: its four combinations, the job's result links it.
    const api = (await (await fetch(`${base}/api/v1/sweeps/${sweepId}`)).json()) as { entries: unknown[] };
    expect(api.entries).toHaveLength(4);
  });

  it('an unknown sweep is a 404 page; a wrong method a 405 page', async () => {
    for (const path of ['/sweeps/999999', '/sweeps/nope', '/sweeps/%E0%A4%A', '/sweeps/0']) {
      const page = await get(`${base}${path}`);
      expect(page.status, path).toBe(404);
      expectSecurityHeaders(page);
      expect(page.html).toContain('<h1>Not found</h1>');
    }
    const wrong = await fetch(`${base}/sweeps/1`, { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
  });

  it("a chart's JSON cannot close its script element", () => {
    const html = plotlyDataHtml([{ type: 'heatmap', name: '</script><script>alert(1)</script>' }], { title: { text: '<!--' } }, 300);
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html).not.toContain('<!--');
    const json = /<script type="application\/json">(.*)<\/script>/.exec(html)![1]!;
    expect((JSON.parse(json) as { data: { name: string }[] }).data[0]!.name).toBe('</script><script>alert(1)</script>');
  });
});
