/**
 * The batch service's acceptance run on the engine under test: a compressed schedule (one slot a
 * few seconds apart for each job) runs the real ingest -> gates -> rebalance -> monitor jobs on the
 * synthetic market, and each leaves the rows it should: fresh bars, a re-run backtest with its gate
 * verdict, a stored rebalance with its report mailed to the subscriber (an .eml in the outbox), a
 * monitor snapshot. A job that throws reaches the operator as a job-failure notice.
 */
import { existsSync, readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../jobs/job.js';
import { notifyOperator } from '../../jobs/notify.js';
import { jobRegistry } from '../../jobs/registry.js';
import { createScheduleService } from '../../jobs/schedule-service.js';
import { MS_PER_DAY } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { createPortfolio } from '../../src/portfolio/model-portfolio.js';
import { rebalances } from '../../src/portfolio/portfolio-store.js';
import { addSubscriber } from '../../src/mail/subscriber-store.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { EVENTUALLY, configWith, memoryLog, runsOf, testEnvironment, waitFor } from './service-helpers.js';

const SYMBOLS = ['SYN-EQ-US', 'SYN-EQ-EU', 'SYN-BOND-LONG', 'SYN-GOLD'];
const lenient = { name: 'default', set: { minSharpe: -10 } };

describe(`ingest -> gates -> rebalance -> monitor on a compressed schedule (${engineName})`, () => {
  let db: TestDatabase;
  const env = testEnvironment();
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = Date.now() - 40 * MS_PER_DAY;
  beforeAll(async () => {
    db = await openTestDatabase();
    // The store stops 40 days back: the ingest job brings it up to the slot.
    await ingest(db, new SyntheticProvider(), { symbols: SYMBOLS, interval: '1d', from: Date.parse('2010-01-01'), now: () => monthAgo });
    const asOf = (await db.kysely.selectFrom('bars').select(db.kysely.fn.max('ts').as('last')).executeTakeFirstOrThrow()).last;
    const created = new Date(asOf as unknown as string | Date).toISOString().slice(0, 10);
    await createPortfolio(
      db,
      'followed',
      { strategy: 'xs-momentum', symbols: SYMBOLS, hyperparameters: { topPct: 50 }, amount: 100_000, asOf: created, ignoreGates: true },
      { gates: lenient },
    );
    await addSubscriber(db, { portfolio: 'followed', email: 'reader@example.com', name: 'Reader', amount: 10_000 });
  });
  afterAll(async () => {
    await db.close();
  });

  it('runs each job in order until it succeeds and leaves the expected rows; a failing job notifies the operator', async () => {
    const second = (offset: number) => (new Date().getUTCSeconds() + offset) % 60;
    const start = 3;
    const config = configWith({
      catchUpWindow: '0s',
      entries: [
        { job: 'ingest', cron: `${second(start)} * * * * *` },
        { job: 'gates', cron: `${second(start + 6)} * * * * *` },
        { job: 'rebalance', cron: `${second(start + 18)} * * * * *` },
        { job: 'monitor', cron: `${second(start + 26)} * * * * *` },
        { job: 'broken', cron: `${second(start + 32)} * * * * *` },
      ],
    });
    const broken: Job = async () => {
      throw new Error('the data vendor changed its format');
    };
    const service = createScheduleService({
      db,
      env,
      config,
      jobs: jobRegistry({ broken }),
      log: memoryLog(),
      health: false,
      onFailure: (run) => notifyOperator(db, env, run),
    });
    await service.start();
    // Each entry runs every minute at its second: on a busy machine a job may start before the one
    // before it has finished (a rebalance then refuses the stale data and fails); a later minute
    // runs it again. Wait for the state, not for a time.
    const succeeded = async (entry: string) => (await runsOf(db, entry)).find((r) => r.status === 'succeeded');
    try {
      await waitFor(
        async () =>
          (await runsOf(db, 'broken')).some((r) => r.status === 'failed') &&
          (await Promise.all(['ingest', 'gates', 'rebalance', 'monitor'].map(succeeded))).every(Boolean),
        EVENTUALLY,
        'the whole pipeline',
      );
      const brokenRun = (await runsOf(db, 'broken')).find((r) => r.status === 'failed')!;
      await waitFor(
        async () =>
          (await db.kysely.selectFrom('outbox').select('id').where('idempotency_key', '=', `job-failure:${brokenRun.id}`).execute())
            .length > 0,
        EVENTUALLY,
        'the notice',
      );
    } finally {
      await service.stop();
    }

    const runs = await runsOf(db);
    const first = (entry: string) => runs.find((r) => r.entry === entry && r.status === (entry === 'broken' ? 'failed' : 'succeeded'))!;
    for (const entry of ['ingest', 'gates', 'rebalance', 'monitor'])
      expect(first(entry), entry).toMatchObject({ status: 'succeeded', trigger: 'schedule' });
    // The rebalance succeeding shows it saw the fresh bars (stale data is refused): after the ingest.
    expect(first('rebalance').scheduledFor.getTime()).toBeGreaterThan(first('ingest').scheduledFor.getTime());

    // ingest: the bars since the store's end, up to the slot.
    expect(first('ingest').counts.bars_inserted).toBeGreaterThan(SYMBOLS.length * 20);
    const last = await db.kysely.selectFrom('bars').select(db.kysely.fn.max('ts').as('last')).executeTakeFirstOrThrow();
    expect(Date.now() - new Date(last.last as unknown as string | Date).getTime()).toBeLessThan(5 * MS_PER_DAY);
    // gates: the followed strategy backtested again on all the data, and judged.
    const backtests = await db.kysely.selectFrom('backtests').selectAll().where('strategy', '=', 'xs-momentum').execute();
    expect(backtests.length).toBeGreaterThanOrEqual(1);
    expect((await db.kysely.selectFrom('gate_results').selectAll().execute()).length).toBeGreaterThanOrEqual(1);
    // rebalance: today's rebalance stored, its report mailed to the subscriber.
    expect(first('rebalance').counts).toMatchObject({ due: 1, rebalanced: 1, failed: 0, mails_queued: 1, mails_sent: 1 });
    const history = await rebalances(db, (await db.kysely.selectFrom('portfolios').select('id').executeTakeFirstOrThrow()).id);
    expect(history.map((r) => r.asOf)).toEqual([today, history[1]!.asOf]);
    const mail = await db.kysely.selectFrom('outbox').selectAll().where('kind', '=', 'rebalance').executeTakeFirstOrThrow();
    expect(mail).toMatchObject({ status: 'sent', recipient: 'reader@example.com' });
    expect(existsSync(mail.destination!)).toBe(true);
    const parsed = await simpleParser(readFileSync(mail.destination!));
    expect(parsed.subject).toContain('followed');
    expect(parsed.html).toContain('Reader');
    // Equity and drawdown, weights, and the reader's portfolio since they started against the benchmark.
    expect(parsed.attachments.filter((a) => a.contentType === 'image/png').map((a) => a.cid)).toEqual(
      expect.arrayContaining(['equity-drawdown@momentum', 'weights@momentum', 'since-start@momentum']),
    );
    // monitor: a snapshot of the portfolio as of today.
    expect(first('monitor').counts).toMatchObject({ portfolios: 1, failed: 0 });
    const snapshots = await db.kysely.selectFrom('monitor_snapshots').selectAll().execute();
    expect(snapshots.map((s) => s.as_of)).toContain(today);
    // The operator's notice of the failed run.
    const notice = await db.kysely
      .selectFrom('outbox')
      .selectAll()
      .where('idempotency_key', '=', `job-failure:${first('broken').id}`)
      .executeTakeFirstOrThrow();
    expect(notice.subject).toContain('broken');
    expect(notice.idempotency_key).toBe(`job-failure:${first('broken').id}`);
  });
});
