/**
 * Catch-up at start: the slots missed within the window run once, oldest first; a slot already run
 * is not run again; a slot whose process died (lapsed lease) is recorded failed and run again first
 * (recover-runs.ts); the limit keeps the most recent slots. Expected slots are computed here by
 * arithmetic, independently of cron-slots.ts.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, JobContext, JobRun } from '../../jobs/job.js';
import { createScheduleService } from '../../jobs/schedule-service.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { EVENTUALLY, configWith, memoryLog, runsOf, testEnvironment, waitFor } from './service-helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe(`catch-up of missed slots (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('runs the missed slots once, oldest first; skips done ones, takes over dead ones, keeps the newest within the limit', async () => {
    const now = Date.now();
    const midnight = Math.floor(now / DAY) * DAY;
    // Local hh:00 in Kolkata (UTC+05:30) is hh:30 UTC.
    const lastHalfHour = Math.floor((now - HOUR / 2) / HOUR) * HOUR + HOUR / 2;
    await db.kysely
      .insertInto('job_runs')
      .values([
        // Ran before the service went down: must not run again.
        {
          entry: 'daily',
          job: 'work',
          scheduled_for: new Date(midnight - DAY),
          trigger: 'schedule',
          status: 'succeeded',
          ended_at: new Date(midnight - DAY + 5_000),
          counts: '{"done":1}',
          notes: '[]',
          args: '{}',
          host: 'old-host',
          pid: 11,
        },
        // Its process died mid-run, and its lease lapsed: taken over.
        {
          entry: 'daily',
          job: 'work',
          scheduled_for: new Date(midnight - 2 * DAY),
          trigger: 'schedule',
          status: 'running',
          lease_expires_at: sql<Date>`now() - interval '1 hour'`,
          counts: '{}',
          notes: '[]',
          args: '{}',
          host: 'dead-host',
          pid: 12,
        },
      ])
      .execute();

    const seen: string[] = [];
    const work: Job = Object.assign(
      async (context: JobContext) => {
        seen.push(`${context.entry}@${context.slot.toISOString()}@${context.trigger}`);
        return { counts: { done: 1 } };
      },
      { retrySafe: true },
    );
    const config = configWith({
      healthPort: 0,
      catchUpWindow: '72h',
      catchUpLimit: 4,
      entries: [
        { name: 'daily', job: 'work', cron: '0 0 * * *', timezone: 'UTC' },
        { name: 'hourly', job: 'work', cron: '0 * * * *', timezone: 'Asia/Kolkata' },
      ],
    });
    const log = memoryLog();
    const failures: JobRun[] = [];
    const onFailure = (run: JobRun) => void failures.push(run);
    const service = createScheduleService({ db, env: testEnvironment(), config, jobs: { work }, log, health: false, onFailure });
    await service.start();
    const outcomes = await service.caughtUp;
    const dead = async () => (await runsOf(db, 'daily')).find((r) => r.scheduledFor.getTime() === midnight - 2 * DAY)!;
    await waitFor(async () => (await dead()).status === 'succeeded', EVENTUALLY, 'the dead run to be run again');
    await service.stop();

    const expected = [
      { entry: 'daily', slot: midnight },
      ...[3, 2, 1, 0].map((k) => ({ entry: 'hourly', slot: lastHalfHour - k * HOUR })),
    ].sort((a, b) => a.slot - b.slot || (a.entry === 'daily' ? -1 : 1));
    const again = `daily@${new Date(midnight - 2 * DAY).toISOString()}@schedule`;
    expect(seen.filter((s) => s !== again)).toEqual(expected.map((e) => `${e.entry}@${new Date(e.slot).toISOString()}@catch-up`));
    expect(seen.filter((s) => s === again)).toHaveLength(1);
    expect(outcomes.map((o) => o.kind)).toEqual(expected.map(() => 'ran'));
    expect(log.lines).toContain('warn hourly: 68 older missed slot(s) not caught up (catchUpLimit)');
    // The dead run was recorded failed and the operator told, once; then its slot ran again.
    expect(failures.map((f) => [f.id, f.attempt, f.status, f.error])).toEqual([
      [(await dead()).id, 1, 'failed', 'runner died: dead-host:12 stopped renewing its lease'],
    ]);

    const daily = await runsOf(db, 'daily');
    expect(daily.map((r) => [r.scheduledFor.getTime(), r.status, r.trigger, r.attempt, r.host])).toEqual([
      [midnight - 2 * DAY, 'succeeded', 'schedule', 2, expect.not.stringMatching(/^dead-host$/)],
      [midnight - DAY, 'succeeded', 'schedule', 1, 'old-host'],
      [midnight, 'succeeded', 'catch-up', 1, expect.any(String)],
    ]);
    const hourly = await runsOf(db, 'hourly');
    expect(hourly.map((r) => r.scheduledFor.getTime())).toEqual([3, 2, 1, 0].map((k) => lastHalfHour - k * HOUR));

    expect((await dead()).notes).toEqual([expect.stringMatching(/^attempt 1 \(dead-host:12\) died: runner died: /)]);

    // A second start finds nothing missed.
    const second = createScheduleService({ db, env: testEnvironment(), config, jobs: { work }, log: memoryLog(), health: false });
    await second.start();
    expect(await second.caughtUp).toEqual([]);
    await second.stop();
    expect(seen).toHaveLength(expected.length + 1);
  });

  it('catches nothing up with a zero window', async () => {
    const work: Job = async () => ({ counts: {} });
    const zero = createScheduleService({
      db,
      env: testEnvironment(),
      config: configWith({ catchUpWindow: '0s', entries: [{ name: 'zero', job: 'work', cron: '* * * * *' }] }),
      jobs: { work },
      log: memoryLog(),
      health: false,
    });
    await zero.start();
    expect(await zero.caughtUp).toEqual([]);
    await zero.stop();
    expect(await runsOf(db, 'zero')).toEqual([]);
  });
});
