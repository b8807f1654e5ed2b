/**
 * The scheduler with workers (config `jobs.distributed`, issue 18): the rebalance slot is claimed
 * once in job_runs even with two schedulers, queues one rebalance job per due portfolio, and
 * queueing the same day again queues nothing more; a worker runs each job and its report, and what
 * lands (the rebalance, its report mail) is what the inline job stores on an identical database.
 * On the embedded engine the setting is refused, saying why and when to switch.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRebalances } from '../../jobs/portfolio-jobs.js';
import { rebalanceJob } from '../../jobs/rebalance.js';
import { runSlot, type SlotOutcome } from '../../jobs/run-slot.js';
import { startWorker } from '../../jobs/worker-service.js';
import type { Environment, MomentumConfig } from '../../src/config.js';
import { ingest } from '../../src/data/ingest.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { addSubscriber } from '../../src/mail/subscriber-store.js';
import { createPortfolio } from '../../src/portfolio/model-portfolio.js';
import { getPortfolio, rebalances } from '../../src/portfolio/portfolio-store.js';
import { cliSuite } from '../helpers/cli-env.js';
import { runCli } from '../helpers/cli.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { configWith, EVENTUALLY, memoryLog, runsOf, testEnvironment, waitFor } from './service-helpers.js';

const SYMBOLS = ['SYN-EQ-US', 'SYN-EQ-EU', 'SYN-BOND-LONG', 'SYN-GOLD'];
const PORTFOLIOS = ['alpha', 'beta'];
// Created at the end of 2011 on month-end rebalances: both are due on the slot's day.
const CREATED = '2011-12-30';
const SLOT = new Date('2012-02-15T21:00:00Z');
const lenient = { name: 'default', set: { minSharpe: -10 } };

function settings(distributed: boolean): MomentumConfig {
  return configWith(
    { timezone: 'UTC', entries: [{ job: 'rebalance', cron: '0 21 * * *' }] },
    { gates: { default: lenient.set }, jobs: { distributed, pollInterval: '1s', maintenanceInterval: '1s' } },
  );
}

/** Two subscribed portfolios on the synthetic market up to the slot's day. */
async function seed(db: Database): Promise<void> {
  await ingest(db, new SyntheticProvider(), {
    symbols: SYMBOLS,
    interval: '1d',
    from: Date.parse('2008-01-01'),
    now: () => SLOT.getTime(),
  });
  for (const [i, name] of PORTFOLIOS.entries()) {
    await createPortfolio(
      db,
      name,
      { strategy: 'xs-momentum', symbols: SYMBOLS, hyperparameters: { topPct: 50 }, amount: 100_000, asOf: CREATED, ignoreGates: true },
      { gates: lenient },
    );
    await addSubscriber(db, { portfolio: name, email: `reader${i}@example.com`, name: 'Reader', amount: 10_000, since: CREATED });
  }
}

/** A scheduler's run of the slot (what `momentum schedule` does at 21:00), as one of several replicas. */
function schedulerSlot(db: TestDatabase, config: MomentumConfig, pid: number): Promise<SlotOutcome> {
  return runSlot(
    {
      db,
      env: serverEnvironment(db),
      config,
      jobs: { rebalance: rebalanceJob },
      log: memoryLog(),
      leaseMs: 60_000,
      signal: new AbortController().signal,
      host: 'scheduler',
      pid,
      inFlight: new Set(),
    },
    { entry: 'rebalance', job: 'rebalance', args: { deliver: false }, slot: SLOT, trigger: 'schedule' },
  );
}

/** The environment of a process on `db`'s server (DATABASE_URL set on PostgreSQL). */
function serverEnvironment(db: TestDatabase): Environment {
  return { ...testEnvironment(), databaseUrl: db.url };
}

/** What a rebalance leaves, without ids and clocks. */
async function landed(db: Database) {
  const out: Record<string, unknown> = {};
  for (const name of PORTFOLIOS) {
    const portfolio = await getPortfolio(db, name);
    out[name] = (await rebalances(db, portfolio.id)).map(({ asOf, orders, holdings, cash }) => ({ asOf, orders, holdings, cash }));
  }
  const mail = await sql<{ recipient: string; subject: string }>`select recipient, subject from outbox order by recipient`.execute(
    db.kysely,
  );
  return { rebalances: out, mail: mail.rows };
}

describe(`the scheduler queueing per-portfolio jobs for workers (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await seed(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  if (engineName === 'pglite') {
    const suite = cliSuite('distributed-schedule');
    it('refuses jobs.distributed on the embedded engine, in the slot and at the service start', async () => {
      const outcome = await schedulerSlot(db, settings(true), 1);
      expect(outcome.kind).toBe('ran');
      const run = (outcome as Extract<SlotOutcome, { kind: 'ran' }>).run;
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(
        /^jobs\.distributed needs a PostgreSQL server: .* Set jobs\.distributed to false to rebalance in the scheduler itself\./,
      );
      expect((await rebalances(db, (await getPortfolio(db, 'alpha')).id)).length).toBe(1);

      const path = join(suite.dir, 'distributed.json');
      writeFileSync(
        path,
        JSON.stringify({
          universes: {},
          jobs: { distributed: true },
          schedule: { healthPort: 0, entries: [{ job: 'rebalance', cron: '0 21 * * *' }] },
        }),
      );
      const service = await runCli(['schedule', '--config', path], suite.cli.env);
      expect(service.code).toBe(1);
      expect(service.stderr).toMatch(/^error: jobs\.distributed needs a PostgreSQL server/);
    });
    return;
  }

  it('claims the slot once across two schedulers, queues one job per portfolio and day, and a worker lands what the inline job does', async () => {
    const config = settings(true);
    // A second scheduler: its own connections to the same server.
    const other: TestDatabase = { ...(await openDatabase({ url: db.url! })), url: db.url };
    try {
      const outcomes = await Promise.all([schedulerSlot(db, config, 1), schedulerSlot(other, config, 2)]);
      expect(outcomes.map((o) => o.kind).sort()).toEqual(['ran', 'taken']);
      const ran = outcomes.find((o) => o.kind === 'ran') as Extract<SlotOutcome, { kind: 'ran' }>;
      expect(ran.run.status, ran.run.error ?? '').toBe('succeeded');
      expect(ran.run.counts).toEqual({ due: 2, queued: 2, already_queued: 0 });
      // Nobody works yet: the slot says so, and the jobs wait.
      expect(ran.run.notes).toContain('no worker is running: the 2 rebalance job(s) wait in the queue until `momentum worker` starts');
      expect(await runsOf(db, 'rebalance')).toHaveLength(1);
    } finally {
      await other.close();
    }

    // The same day queued again (a later slot that day, a retried run): nothing more is queued.
    const again = await enqueueRebalances(
      {
        db,
        env: serverEnvironment(db),
        config,
        entry: 'rebalance',
        slot: SLOT,
        trigger: 'manual',
        args: {},
        log: memoryLog(),
        signal: new AbortController().signal,
      },
      PORTFOLIOS,
      '2012-02-15',
      false,
    );
    expect(again.counts).toEqual({ due: 2, queued: 0, already_queued: 2 });
    const queued = await sql<{ n: number }>`select count(*)::int as n from pgboss.job where name = 'rebalance'`.execute(db.kysely);
    expect(queued.rows[0]!.n).toBe(2);
    expect((await rebalances(db, (await getPortfolio(db, 'alpha')).id)).length).toBe(1);

    // A worker takes the rebalances, then the reports they queue.
    const log = memoryLog();
    const worker = await startWorker({ db, env: serverEnvironment(db), config, queues: ['rebalance', 'report'], concurrency: 1, log });
    try {
      await waitFor(
        async () =>
          (
            await sql<{
              n: number;
            }>`select count(*)::int as n from pgboss.job where name in ('rebalance', 'report') and state = 'completed'`.execute(db.kysely)
          ).rows[0]!.n === 4,
        EVENTUALLY,
        'two rebalance and two report jobs done',
      );
    } finally {
      await worker.stop();
    }
    expect(log.lines.filter((l) => l.startsWith('error'))).toEqual([]);

    // The inline job on an identical database: the same rebalances and the same mail.
    const inline = await openTestDatabase();
    try {
      await seed(inline);
      const outcome = await schedulerSlot(inline, settings(false), 3);
      expect(outcome.kind === 'ran' && outcome.run.counts).toMatchObject({ due: 2, rebalanced: 2 });
      const expected = await landed(inline);
      expect(expected.mail).toHaveLength(2);
      expect(await landed(db)).toEqual(expected);
    } finally {
      await inline.close();
    }
  });
});
