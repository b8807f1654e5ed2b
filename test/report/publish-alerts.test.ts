/**
 * Alerts that are true when read: only alerts observed within the freshness window, about a
 * position still held, and only to subscribers who had joined by the day it was observed; the
 * mail says when it was observed and where the drawdown stands now. (Seen in the demo before:
 * an alert observed months earlier, on a position sold the same day, mailed to a subscriber who
 * joined that day, worded as "drawdown now".)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitorPortfolios, type MonitorResult } from '../../src/monitor/monitor-portfolios.js';
import { listAlerts } from '../../src/monitor/monitor-store.js';
import { publishAlerts } from '../../src/report/publish.js';
import { addSubscriber } from '../../src/mail/subscriber-store.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { seedBars, seedPortfolio, seedRebalance } from '../monitor/monitor-fixtures.js';

const env = {
  home: mkdtempSync(join(tmpdir(), 'momentum-alerts-')),
  publicUrl: 'https://momentum.example',
  mailFrom: 'reports@momentum.example',
  linkSecret: undefined,
  reportLinkDays: 90,
};

describe(`publishAlerts (${engineName})`, () => {
  let db: TestDatabase;
  let run: MonitorResult;
  beforeAll(async () => {
    db = await openTestDatabase();
    // AAA falls 20% in January (alerts then), is sold at the rebalance of 2024-01-10 (after a new
    // -25% low that day), BBB is held throughout and falls 12% on the 2nd of February.
    await seedBars(db, 'AAA', { '2024-01-02': 100, '2024-01-03': 88, '2024-01-04': 80, '2024-01-10': 75 });
    await seedBars(db, 'BBB', {
      '2024-01-02': 100,
      '2024-01-03': 100,
      '2024-01-04': 100,
      '2024-01-10': 100,
      '2024-01-31': 100,
      '2024-02-01': 99,
      '2024-02-02': 88,
    });
    const id = await seedPortfolio(db, 'p', { symbols: ['AAA', 'BBB'] });
    await seedRebalance(db, id, '2024-01-02', 0, [
      { symbol: 'AAA', shares: 50, price: 100, targetWeight: 0.5 },
      { symbol: 'BBB', shares: 50, price: 100, targetWeight: 0.5 },
    ]);
    await seedRebalance(db, id, '2024-01-10', 3750, [{ symbol: 'BBB', shares: 50, price: 100, targetWeight: 0.5 }]);
    await addSubscriber(db, { portfolio: 'p', email: 'early@example.com', amount: 1000, since: '2023-12-01' });
    await addSubscriber(db, { portfolio: 'p', email: 'late@example.com', amount: 1000, since: '2024-02-02' });
    run = await monitorPortfolios(db, { asOf: '2024-02-02', thresholds: [0.1], strategyCheck: false });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('mails only the fresh alert on a held position, to the subscriber who had joined by then, stating both dates', async () => {
    const alerts = run.newAlerts.map((a) => [a.observedAt, a.scope, a.symbol]);
    expect(alerts).toEqual(
      expect.arrayContaining([
        ['2024-01-03', 'position', 'AAA'],
        ['2024-02-02', 'position', 'BBB'],
      ]),
    );
    const published = await publishAlerts(db, env, run.newAlerts, run.portfolios);
    expect(published.notMailed.map((n) => [n.alert.observedAt, n.alert.symbol, n.reason])).toEqual(
      expect.arrayContaining([['2024-01-03', 'AAA', 'stale']]),
    );
    expect(published.notMailed.every((n) => n.alert.observedAt < '2024-01-30')).toBe(true);
    // BBB's alert of the 2nd goes to early (joined in December) and to late (joined the same day).
    expect(published.queued.map((q) => q.recipient).sort()).toEqual(['early@example.com', 'late@example.com']);
    const mail = await db.kysely.selectFrom('outbox').select(['subject', 'raw']).where('kind', '=', 'alert').execute();
    expect(mail[0]!.subject).toBe('p: BBB drawdown passed the -10% alert level on 2 Feb 2024 (-12.0%)');
    const text = (await simpleParser(Buffer.from(mail[0]!.raw))).text ?? '';
    expect(text).toContain('On 2 Feb 2024, BBB in the p portfolio was -12.0% below its peak of 31 Jan 2024');
    expect(text).toContain('Now, with data to 2 Feb 2024, BBB is -12.0% below its peak of 31 Jan 2024.');
  });

  it('does not mail an alert about a position sold since, fresh or not, nor to a subscriber who joined after it', async () => {
    // As of the day AAA was sold: its alerts are fresh, but the position is gone.
    const sold = await monitorPortfolios(db, { asOf: '2024-01-10', thresholds: [0.1], strategyCheck: false });
    const aaa = (await db.kysely.selectFrom('monitor_alerts').selectAll().where('symbol', '=', 'AAA').execute()).map((r) => Number(r.id));
    const onAaa = (await listAlerts(db, { portfolio: 'p' })).filter((a) => aaa.includes(a.id));
    const published = await publishAlerts(db, env, onAaa, sold.portfolios, { freshnessDays: 30 });
    expect(published.queued).toEqual([]);
    expect(published.notMailed.map((n) => n.reason)).toEqual(onAaa.map(() => 'position-closed'));

    // A portfolio alert observed on the 2nd of February, to a subscriber who joined on the 3rd: not theirs.
    await addSubscriber(db, { portfolio: 'p', email: 'later@example.com', amount: 1000, since: '2024-02-03' });
    const bbb = (await listAlerts(db, { portfolio: 'p' })).filter((a) => a.symbol === 'BBB');
    const again = await publishAlerts(db, env, bbb, run.portfolios);
    expect(again.notForSubscriber).toBe(1);
    expect(again.queued.map((q) => q.recipient)).not.toContain('later@example.com');
  });
});
