/**
 * The schedule service in this process on the engine under test, with compressed schedules (node-cron's
 * seconds field) and synthetic jobs: the rows it writes, GET /health, failures, overlap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, JobContext, JobResult, JobRun } from '../../jobs/job.js';
import { createScheduleService, type HealthReport } from '../../jobs/schedule-service.js';
import { InterruptedError, MomentumError } from '../../src/errors.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { EVENTUALLY, configWith, memoryLog, runsOf, secondsBetween, sleep, testEnvironment, waitFor } from './service-helpers.js';

describe(`the schedule service on a compressed schedule (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('runs each entry once per slot and records it: slot, trigger, status, counts, notes, args, host/pid; /health reports last and next', async () => {
    const seen: { entry: string; slot: number }[] = [];
    const count: Job = async (context: JobContext) => {
      seen.push({ entry: context.entry, slot: context.slot.getTime() });
      return { counts: { second: context.slot.getUTCSeconds(), items: 3 }, notes: [`tag ${String(context.args.tag)}`] };
    };
    const config = configWith({
      healthPort: 0,
      catchUpWindow: '0s',
      entries: [
        { name: 'every-second', job: 'count', cron: '* * * * * *', args: { tag: 'a' } },
        { name: 'even-seconds', job: 'count', cron: '*/2 * * * * *', timezone: 'Asia/Kolkata', args: { tag: 'b' } },
      ],
    });
    const log = memoryLog();
    const service = createScheduleService({ db, env: testEnvironment(), config, jobs: { count }, log, host: 'test-host', pid: 4242 });
    const startedAt = Date.now();
    await service.start();
    await waitFor(
      async () => (await runsOf(db, 'even-seconds')).filter((r) => r.status === 'succeeded').length >= 2,
      EVENTUALLY,
      'two even slots',
    );

    const askedFrom = Date.now();
    const response = await fetch(`${service.healthUrl}/health`);
    const health = (await response.json()) as HealthReport;
    const askedAt = Date.now();
    await service.stop();
    const stoppedAt = Date.now();

    const every = await runsOf(db, 'every-second');
    const even = await runsOf(db, 'even-seconds');
    // Every slot from the first tick to the stop ran, once, and is recorded as it happened.
    const slots = every.map((r) => r.scheduledFor.getTime());
    expect(slots).toEqual(secondsBetween(slots[0]!, slots[slots.length - 1]!));
    expect(slots[0]!).toBeGreaterThan(startedAt - 1_000); // no slot before the start (a busy machine may start later)
    expect(slots[slots.length - 1]).toBeLessThanOrEqual(stoppedAt);
    expect(even.length).toBeGreaterThanOrEqual(2);
    for (const r of even) expect(r.scheduledFor.getUTCSeconds() % 2).toBe(0);
    for (const r of [...every, ...even]) {
      expect(r).toMatchObject({ status: 'succeeded', trigger: 'schedule', attempt: 1, host: 'test-host', pid: 4242, error: null });
      expect(r.counts).toEqual({ second: r.scheduledFor.getUTCSeconds(), items: 3 });
      expect(r.notes).toEqual([`tag ${r.entry === 'every-second' ? 'a' : 'b'}`]);
      expect(r.args).toEqual({ tag: r.entry === 'every-second' ? 'a' : 'b' });
      expect(r.startedAt.getTime()).toBeGreaterThanOrEqual(r.scheduledFor.getTime() - 5);
      expect(r.endedAt!.getTime()).toBeGreaterThanOrEqual(r.startedAt.getTime());
    }
    // The job body ran exactly once per recorded slot.
    const bodies = seen.map((s) => `${s.entry}@${s.slot}`).sort();
    expect(bodies).toEqual([...every, ...even].map((r) => `${r.entry}@${r.scheduledFor.getTime()}`).sort());
    // One log line per run, naming the entry, slot and outcome.
    for (const r of every) {
      const prefix = `info every-second ${r.scheduledFor.toISOString()} (schedule): succeeded in `;
      expect(log.lines.filter((l) => l.startsWith(prefix) && l.includes(`(run ${r.id}): `) && l.includes('items=3'))).toHaveLength(1);
    }

    expect(response.status).toBe(200);
    expect(health).toMatchObject({ status: 'ok', host: 'test-host', pid: 4242, database: 'ok' });
    const byName = new Map(health.entries.map((e) => [e.name, e]));
    const nextEvery = Date.parse(byName.get('every-second')!.nextSlot!);
    const nextEven = Date.parse(byName.get('even-seconds')!.nextSlot!);
    expect(nextEvery % 1000).toBe(0);
    expect(nextEvery).toBeGreaterThan(askedFrom);
    expect(nextEvery).toBeLessThanOrEqual(askedAt + 1_000);
    expect(new Date(nextEven).getUTCSeconds() % 2).toBe(0);
    expect(byName.get('even-seconds')!.lastRun).toMatchObject({ status: 'succeeded', host: 'test-host', pid: 4242 });
    const lastEven = byName.get('even-seconds')!.lastRun!;
    expect(even.map((r) => r.id)).toContain(lastEven.id);
    expect(Date.parse(lastEven.scheduledFor)).toBeGreaterThanOrEqual(Math.max(...even.map((r) => r.scheduledFor.getTime())) - 2_000);
  });

  it('records a job that throws as failed, calls onFailure with the run, and keeps running the next slots', async () => {
    let calls = 0;
    const flaky: Job = async (): Promise<JobResult> => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
      if (calls === 2)
        return {
          counts: { symbols_ok: 0, symbols_failed: 2 },
          notes: ['A failed: down', 'B failed: down'],
          error: 'every symbol failed (2)',
        };
      return { counts: { symbols_ok: 2 } };
    };
    const failures: JobRun[] = [];
    const config = configWith({ healthPort: 0, catchUpWindow: '0s', entries: [{ name: 'flaky', job: 'flaky', cron: '* * * * * *' }] });
    const service = createScheduleService({
      db,
      env: testEnvironment(),
      config,
      jobs: { flaky },
      log: memoryLog(),
      health: false,
      onFailure: async (run) => {
        failures.push(run);
        throw new Error('the hook itself failing changes nothing');
      },
    });
    await service.start();
    await waitFor(async () => (await runsOf(db, 'flaky')).filter((r) => r.status === 'succeeded').length >= 2, EVENTUALLY, 'two good runs');
    await service.stop();
    const runs = await runsOf(db, 'flaky');
    expect(runs.slice(0, 2).map((r) => [r.status, r.error])).toEqual([
      ['failed', 'Error: boom'],
      ['failed', 'every symbol failed (2)'],
    ]);
    expect(runs[1]!.counts).toEqual({ symbols_ok: 0, symbols_failed: 2 });
    expect(runs[1]!.notes).toEqual(['A failed: down', 'B failed: down']);
    expect(runs.slice(2).every((r) => r.status === 'succeeded')).toBe(true);
    expect(failures.map((f) => [f.id, f.status, f.error])).toEqual(runs.slice(0, 2).map((r) => [r.id, 'failed', r.error]));
    expect(runs.length).toBe(calls);
  });

  it('runs the slots it missed while the process was blocked, late, as catch-up', async () => {
    const tick: Job = async () => ({ counts: { ticks: 1 } });
    const config = configWith({ catchUpWindow: '0s', entries: [{ name: 'blocked', job: 'tick', cron: '* * * * * *' }] });
    const service = createScheduleService({ db, env: testEnvironment(), config, jobs: { tick }, log: memoryLog(), health: false });
    await service.start();
    await waitFor(async () => (await runsOf(db, 'blocked')).length >= 1, EVENTUALLY, 'a first run');
    const blockedFrom = Date.now();
    while (Date.now() - blockedFrom < 2_600) {
      // Busy: the event loop (and node-cron's timer) is blocked for 2.6 s.
    }
    const blockedTo = Date.now();
    await waitFor(
      async () => (await runsOf(db, 'blocked')).some((r) => r.scheduledFor.getTime() > blockedTo + 1_000),
      EVENTUALLY,
      'a run after the block',
    );
    await service.stop();
    const runs = await runsOf(db, 'blocked');
    const slots = runs.map((r) => r.scheduledFor.getTime());
    expect(slots).toEqual(secondsBetween(slots[0]!, slots[slots.length - 1]!));
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    const late = runs.filter((r) => r.trigger === 'catch-up');
    expect(late.length).toBeGreaterThanOrEqual(1);
    for (const r of late) {
      expect(r.scheduledFor.getTime()).toBeGreaterThan(blockedFrom - 1_000);
      expect(r.scheduledFor.getTime()).toBeLessThanOrEqual(blockedTo);
    }
  });

  it('never starts a slow run twice: slots that arrive while it runs are recorded as skipped', async () => {
    const intervals: [number, number][] = [];
    const slow: Job = async () => {
      const start = Date.now();
      await sleep(1_500);
      intervals.push([start, Date.now()]);
      return { counts: { slept: 1 } };
    };
    const config = configWith({ healthPort: 0, catchUpWindow: '0s', entries: [{ name: 'slow', job: 'slow', cron: '* * * * * *' }] });
    const service = createScheduleService({ db, env: testEnvironment(), config, jobs: { slow }, log: memoryLog(), health: false });
    await service.start();
    await waitFor(async () => (await runsOf(db, 'slow')).filter((r) => r.status === 'succeeded').length >= 2, EVENTUALLY, 'two slow runs');
    await service.stop();
    const runs = await runsOf(db, 'slow');
    const ran = runs.filter((r) => r.status === 'succeeded');
    const skipped = runs.filter((r) => r.status === 'skipped');
    expect(runs.every((r) => r.status === 'succeeded' || r.status === 'skipped')).toBe(true);
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    for (const s of skipped) {
      const before = ran.filter((r) => r.scheduledFor < s.scheduledFor).pop()!;
      expect(s.error).toBe(`the run of slot ${before.scheduledFor.toISOString()} (${before.host}:${before.pid}) was still running`);
    }
    // The job's own clock: no two executions overlapped.
    intervals.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < intervals.length; i++) expect(intervals[i]![0]).toBeGreaterThanOrEqual(intervals[i - 1]![1]);
    expect(intervals.length).toBe(ran.length);
  });

  it('starts once, and asks a run still going after the grace period to stop with an InterruptedError', async () => {
    const reasons: unknown[] = [];
    let started = 0;
    const waits: Job = (context) =>
      new Promise((_, reject) => {
        started += 1;
        context.signal.addEventListener('abort', () => {
          reasons.push(context.signal.reason);
          reject(context.signal.reason);
        });
      });
    const config = configWith({ catchUpWindow: '0s', entries: [{ name: 'waits', job: 'waits', cron: '* * * * * *' }] });
    const service = createScheduleService({ db, env: testEnvironment(), config, jobs: { waits }, log: memoryLog(), health: false });
    await service.start();
    await expect(service.start()).rejects.toThrow(new MomentumError('the schedule service was started already: a service starts once'));
    await waitFor(() => started > 0, EVENTUALLY, 'a run under way');
    await service.stop({ graceMs: 0 });
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(InterruptedError);
    const [run] = (await runsOf(db, 'waits')).filter((r) => r.status === 'failed');
    expect(run?.error).toBe('the schedule service is stopping');
  });
});
