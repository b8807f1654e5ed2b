/**
 * Mail that relays accept and clients show whole, built for real on the synthetic market: a model
 * portfolio following a stored backtest (with its out-of-sample simulation, so the evidence chart
 * spans two decades), rebalanced, published to a subscriber; and a drawdown alert of a monitor
 * run. Each message is under 1,000,000 bytes (relays commonly refuse 10,240,000 and more) with an
 * HTML part under 100 KB (Gmail clips past ~102 KB). The interactive report is not attached: the
 * mail links to it, and that link, served by the API server over real HTTP, opens the
 * subscriber's page while a tampered one is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { parseBacktestSpec } from '../../src/backtest/backtest-spec.js';
import { storeBacktest } from '../../src/backtest/backtest-store.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { readEnvironment, type Environment } from '../../src/config.js';
import { ingest } from '../../src/data/ingest.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { SYNTHETIC_SYMBOLS } from '../../src/data/synthetic-market.js';
import { monitorPortfolios } from '../../src/monitor/monitor-portfolios.js';
import { createPortfolio, rebalancePortfolio } from '../../src/portfolio/model-portfolio.js';
import { linkSecret } from '../../src/report/link-secret.js';
import { composeMail } from '../../src/mail/mail-compose.js';
import { alertView, publishRebalance } from '../../src/report/publish.js';
import { renderDrawdownAlert } from '../../src/report/render-alert.js';
import { addSubscriber, unsubscribeLink } from '../../src/mail/subscriber-store.js';
import { gateBacktest } from '../../src/research/gate-runner.js';
import { simulateOutOfSample } from '../../src/research/simulate.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const gates = { name: 'default', set: { minSharpe: -10 } };
const MAIL_LIMIT = 1_000_000;
const HTML_LIMIT = 100 * 1024;

async function parts(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { keepCidLinks: true });
}

describe(`a rebalance and an alert mail of the synthetic market are deliverable (${engineName})`, () => {
  let db: TestDatabase;
  let home: string;
  let env: Environment;
  let server: RunningServer;

  beforeAll(async () => {
    db = await openTestDatabase();
    home = mkdtempSync(join(tmpdir(), 'momentum-mail-size-'));
    await ingest(db, new SyntheticProvider(), { symbols: SYNTHETIC_SYMBOLS, interval: '1d', from: Date.parse('2000-01-01') });
    const spec = parseBacktestSpec({
      strategy: 'xs-momentum',
      universe: 'synthetic',
      symbols: [...SYNTHETIC_SYMBOLS],
      from: '2003-01-02',
      to: '2018-12-31',
    });
    const backtestId = await storeBacktest(db, await runBacktest(db, spec));
    await gateBacktest(db, backtestId, gates.name, gates.set);
    await simulateOutOfSample(db, { backtestId, gates });
    await createPortfolio(db, 'core', { backtestId, ignoreGates: true, asOf: '2024-01-02', amount: 100_000, allowStale: true }, { gates });
    await rebalancePortfolio(db, 'core', { asOf: '2024-03-01', gates, allowStale: true });
    // Joined on the day of the rebalance: it is the first report of their own book.
    await addSubscriber(db, { portfolio: 'core', email: 'ann@example.com', name: 'Ann Example', amount: 25_000, since: '2024-03-01' });
    // The server answers the links of this MOMENTUM_HOME, as `momentum serve` does.
    server = await startServer({
      port: 0,
      log: () => {},
      reports: { dir: join(home, 'reports'), secret: linkSecret({ home, linkSecret: undefined }) },
    });
    env = readEnvironment({ MOMENTUM_HOME: home, MOMENTUM_PUBLIC_URL: server.url });
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('a rebalance mail: under 1 MB, its HTML part under 100 KB, the report linked and served', async () => {
    const published = await publishRebalance(db, env, 'core');
    expect(published.queued).toHaveLength(1);
    const row = await db.kysely.selectFrom('outbox').select(['raw']).where('kind', '=', 'rebalance').executeTakeFirstOrThrow();
    const raw = Buffer.from(row.raw);
    const mail = await parts(raw);
    const html = Buffer.byteLength(mail.html || '', 'utf8');
    console.log(
      `rebalance mail: ${raw.length} bytes in all, HTML part ${html} bytes, attachments ${mail.attachments.map((a) => `${a.filename} ${a.size}`).join(', ')}`,
    );
    expect(raw.length).toBeLessThan(MAIL_LIMIT);
    expect(html).toBeLessThan(HTML_LIMIT);
    expect(mail.attachments.map((a) => a.contentType)).toEqual(['image/png', 'image/png', 'image/png']);

    // The link in the mail (the same in both parts) opens the subscriber's own page over HTTP.
    const link = /https?:\/\/\S+\/reports\/core-2024-03-01-s\d+\.html\?expires=\d+&sig=[\w-]+/.exec(mail.text!)![0];
    expect(mail.html).toContain(link.replace(/=/g, '&#x3D;').replace(/&(?!#)/g, '&amp;'));
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    const body = await page.text();
    expect(body).toContain('Your rebalance report');
    expect(body).toMatch(/<script src="\.\.\/assets\/plotly-[0-9a-f]{16}\.min\.js"><\/script>/);
    expect(body.length).toBeLessThan(MAIL_LIMIT); // its data only: plotly.js is the server's /assets

    // A changed signature, file or expiry is refused, and never shows the page.
    const url = new URL(link);
    const sig = url.searchParams.get('sig')!;
    const tampered = [
      link.replace(`sig=${sig}`, `sig=${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`),
      link.replace(/-s(\d+)\.html/, (_, id: string) => `-s${Number(id) + 1}.html`),
      link.replace(/expires=(\d+)/, (_, e: string) => `expires=${Number(e) + 86_400}`),
      link.replace(/&sig=.*$/, ''),
    ];
    for (const forged of tampered) {
      const refused = await fetch(forged);
      expect(refused.status, forged).toBe(403);
      expect(await refused.text()).not.toContain('Your rebalance report');
    }
  });

  it('a drawdown alert mail: under 1 MB, its HTML part under 100 KB', async () => {
    const run = await monitorPortfolios(db, { asOf: '2024-06-28', thresholds: [0.01, 0.02, 0.05] });
    const state = run.portfolios.find((p) => p.portfolio === 'core')!;
    const alert = run.newAlerts.find((a) => a.portfolio === 'core')!;
    expect(alert).toBeDefined();
    const content = renderDrawdownAlert({
      ...alertView(alert, state),
      subscriber: { name: 'Ann Example' },
      unsubscribeUrl: unsubscribeLink(env, 'token'),
    });
    const { raw } = await composeMail({ from: 'reports@example.com', to: 'ann@example.com', content });
    const html = Buffer.byteLength((await parts(raw)).html || '', 'utf8');
    console.log(`alert mail: ${raw.length} bytes in all, HTML part ${html} bytes`);
    expect(raw.length).toBeLessThan(MAIL_LIMIT);
    expect(html).toBeLessThan(HTML_LIMIT);
  });
});
