/**
 * The signed report links and the plotly.js asset, over real HTTP from the API server: a link
 * signed here opens its page; one changed, expired or for a page that is gone does not; the asset
 * is cached for good by name, revalidates to 304 and travels gzipped. The link secret: from the
 * environment, else made once in MOMENTUM_HOME and kept.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsGzip } from '../../src/api/content-encoding.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { readEnvironment } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { MS_PER_DAY } from '../../src/data/bar.js';
import { linkSecret } from '../../src/report/link-secret.js';
import { plotlyBundle, plotlyBundleName } from '../../src/report/plotly-html.js';
import { checkReportLink, reportLink } from '../../src/report/report-link.js';
import { servedPlotlySrc, subscriberPage, writeReportPage } from '../../src/report/report-pages.js';

const SECRET = 'k'.repeat(40);

/** A GET that shows the bytes as sent (fetch would undo the gzip). */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('checkReportLink', () => {
  const now = Date.UTC(2024, 2, 1);
  const link = new URL(reportLink('https://m.example/base/', SECRET, 'core-2024-03-01-s7.html', { now, days: 30 }).url);
  const expires = link.searchParams.get('expires');
  const sig = link.searchParams.get('sig');

  it('accepts its own link until it expires, then says expired', () => {
    expect(link.pathname).toBe('/base/reports/core-2024-03-01-s7.html');
    expect(checkReportLink(SECRET, 'core-2024-03-01-s7.html', expires, sig, now)).toEqual({ ok: true });
    expect(checkReportLink(SECRET, 'core-2024-03-01-s7.html', expires, sig, now + 30 * MS_PER_DAY)).toEqual({
      ok: false,
      reason: 'expired',
      expiredAt: new Date(now + 30 * MS_PER_DAY),
    });
  });

  it('refuses another file, expiry, signature or secret, and names that could leave the folder', () => {
    for (const [file, e, s, secret] of [
      ['core-2024-03-01-s8.html', expires, sig, SECRET],
      ['core-2024-03-01-s7.html', String(Number(expires) + 1), sig, SECRET],
      ['core-2024-03-01-s7.html', expires, `${sig}x`, SECRET],
      ['core-2024-03-01-s7.html', expires, null, SECRET],
      ['core-2024-03-01-s7.html', null, sig, SECRET],
      ['core-2024-03-01-s7.html', expires, sig, 'another secret of enough length.......'],
    ] as const) {
      expect(checkReportLink(secret, file, e, s, now)).toEqual({ ok: false, reason: 'invalid' });
    }
    for (const file of ['../link-secret', '..html', 'a/b.html', '.html', 'A.html'])
      expect(() => reportLink('https://m.example', SECRET, file)).toThrow(/not a report page name/);
  });
});

describe('linkSecret', () => {
  it('is MOMENTUM_LINK_SECRET when set, else made once in MOMENTUM_HOME (owner only) and kept', () => {
    const home = mkdtempSync(join(tmpdir(), 'momentum-secret-'));
    try {
      expect(linkSecret(readEnvironment({ MOMENTUM_HOME: home, MOMENTUM_LINK_SECRET: SECRET }))).toBe(SECRET);
      const made = linkSecret({ home, linkSecret: undefined });
      expect(made.length).toBeGreaterThanOrEqual(32);
      expect(statSync(join(home, 'link-secret')).mode & 0o777).toBe(0o600);
      expect(linkSecret({ home, linkSecret: undefined })).toBe(made);
      writeFileSync(join(home, 'link-secret'), 'short\n');
      expect(() => linkSecret({ home, linkSecret: undefined })).toThrow(ConfigError);
      expect(() => readEnvironment({ MOMENTUM_LINK_SECRET: 'short' })).toThrow(/MOMENTUM_LINK_SECRET must be at least 32 characters/);
      expect(() => readEnvironment({ MOMENTUM_REPORT_LINK_DAYS: '0' })).toThrow(/MOMENTUM_REPORT_LINK_DAYS/);
      expect(readEnvironment({ MOMENTUM_REPORT_LINK_DAYS: '7' }).reportLinkDays).toBe(7);
      expect(readEnvironment({}).reportLinkDays).toBe(90);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('GET /reports/FILE and /assets/ over HTTP', () => {
  let home: string;
  let server: RunningServer;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'momentum-pages-'));
    server = await startServer({ port: 0, log: () => {}, reports: { dir: join(home, 'reports'), secret: SECRET } });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  });
  const env = () => readEnvironment({ MOMENTUM_HOME: home, MOMENTUM_PUBLIC_URL: server.url, MOMENTUM_LINK_SECRET: SECRET });

  it('serves the page of a valid link, privately; refuses an expired one (410) and says when a page is gone (404)', async () => {
    const page = subscriberPage(env(), 'Core ETFs', '2024-03-01', 7);
    expect(page.file).toBe('core-etfs-2024-03-01-s7.html');
    writeReportPage(env(), page.file, '<!doctype html><p>your report</p>');
    const ok = await fetch(page.url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('<!doctype html><p>your report</p>');
    expect(ok.headers.get('referrer-policy')).toBe('no-referrer');
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self' 'unsafe-inline'");
    const zipped = await rawGet(page.url, { 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body).toString('utf8')).toBe('<!doctype html><p>your report</p>');
    expect((await fetch(page.url, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(page.url, { method: 'POST' })).status).toBe(405);

    const old = subscriberPage(env(), 'Core ETFs', '2024-03-01', 7, Date.now() - 91 * MS_PER_DAY);
    const expired = await fetch(old.url);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('This report link has expired');
    const gone = await fetch(subscriberPage(env(), 'Core ETFs', '2024-03-01', 8).url);
    expect(gone.status).toBe(404);
    expect(await gone.text()).not.toContain('your report');
  });

  it('serves plotly.js by its content name, cached for good, gzipped when asked, 304 when unchanged', async () => {
    const src = servedPlotlySrc();
    expect(src).toBe(`../assets/${plotlyBundleName()}`);
    const url = new URL(src, `${server.url}/reports/x.html`).href;
    const zipped = await rawGet(url, { 'accept-encoding': 'br, gzip' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(zipped.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(zipped.body.length).toBeLessThan(600_000);
    expect(gunzipSync(zipped.body).toString('utf8')).toBe(plotlyBundle());
    const plain = await rawGet(url);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).toBe(plotlyBundle());
    const again = await rawGet(url, { 'if-none-match': String(zipped.headers['etag']) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect((await rawGet(`${server.url}/assets/plotly-0000000000000000.min.js`)).status).toBe(404);
  });

  it('reads Accept-Encoding as HTTP says', () => {
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('br;q=1, gzip;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});
