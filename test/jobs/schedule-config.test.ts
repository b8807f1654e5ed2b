/** The configuration file's `schedule` section: defaults, and errors that name the entry and say what to do. */
import { describe, expect, it } from 'vitest';
import type { Job } from '../../jobs/job.js';
import { jobRegistry } from '../../jobs/registry.js';
import { checkSchedule, requireSchedule } from '../../jobs/schedule-service.js';
import { parseConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

const parse = (schedule: unknown) => parseConfig({ universes: {}, schedule }, 'momentum.config.json');
const errorOf = (schedule: unknown): string => {
  try {
    parse(schedule);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('the schedule section', () => {
  it('fills defaults: entry name = job, zone UTC, 24 h catch-up window, health on 127.0.0.1:8787, 5 min grace, 60 s lease', () => {
    const config = parse({
      entries: [
        { job: 'ingest', cron: '30 22 * * 1-5', timezone: 'America/New_York' },
        { name: 'gates-weekly', job: 'gates', cron: '0 6 * * 6', args: { gates: 'strict' } },
      ],
    });
    expect(config.schedule).toEqual({
      entries: [
        { name: 'ingest', job: 'ingest', cron: '30 22 * * 1-5', timezone: 'America/New_York', args: {} },
        { name: 'gates-weekly', job: 'gates', cron: '0 6 * * 6', timezone: 'UTC', args: { gates: 'strict' } },
      ],
      catchUpWindowMs: 24 * 3_600_000,
      catchUpLimit: 100,
      healthHost: '127.0.0.1',
      healthPort: 8787,
      shutdownGraceMs: 300_000,
      leaseMs: 60_000,
    });
    expect(
      parse({
        timezone: 'Europe/London',
        catchUpWindow: '90m',
        shutdownGrace: '45s',
        lease: '2m',
        entries: [{ job: 'ingest', cron: '* * * * * *' }],
      }).schedule,
    ).toMatchObject({
      entries: [{ timezone: 'Europe/London' }],
      catchUpWindowMs: 5_400_000,
      shutdownGraceMs: 45_000,
      leaseMs: 120_000,
    });
    expect(parseConfig({ universes: {} }).schedule).toBeUndefined();
  });

  it('bounds catch-up: a window of at most 7 days (3650d was taken and never finished starting), at most 10,000 slots an entry', () => {
    expect(parse({ catchUpWindow: '7d', entries: [{ job: 'ingest', cron: '* * * * * *' }] }).schedule?.catchUpWindowMs).toBe(
      7 * 86_400_000,
    );
    for (const window of ['3650d', '8d', '169h'])
      expect(errorOf({ catchUpWindow: window, entries: [{ job: 'ingest', cron: '* * * * *' }] })).toContain(
        `schedule.catchUpWindow: at most 7d (168h): catch-up runs slots missed while the service was down, not history; got "${window}"`,
      );
    expect(errorOf({ catchUpLimit: 10_001, entries: [{ job: 'ingest', cron: '* * * * *' }] })).toContain('schedule.catchUpLimit');
  });

  it('names the entry and the fault: cron, time zone, duplicates, durations, unknown keys', () => {
    expect(errorOf({ entries: [{ job: 'ingest', cron: '30 25 * * *' }] })).toBe(
      'invalid configuration momentum.config.json:\n  schedule.entries.0.cron: entry "ingest": invalid cron expression "30 25 * * *" (25 is a invalid expression for hour)',
    );
    expect(errorOf({ entries: [{ job: 'ingest', cron: '* *' }] })).toContain(
      'schedule.entries.0.cron: entry "ingest": invalid cron expression "* *" (expected 5 or 6 fields but got 2)',
    );
    expect(
      errorOf({
        entries: [
          { job: 'ingest', cron: '0 0 * * *' },
          { name: 'late', job: 'ingest', cron: '0 1 * * *', timezone: 'Europe/Londres' },
        ],
      }),
    ).toContain(
      'schedule.entries.1.timezone: entry "late": unknown time zone "Europe/Londres"; use an IANA name like America/New_York or UTC',
    );
    expect(
      errorOf({
        entries: [
          { job: 'rebalance', cron: '0 0 1 * *' },
          { job: 'rebalance', cron: '0 0 15 * *' },
        ],
      }),
    ).toContain('schedule.entries.1.name: entry "rebalance" is scheduled twice (entries 0 and 1): give one of them a distinct "name"');
    expect(errorOf({ catchUpWindow: '1 week', entries: [{ job: 'ingest', cron: '0 0 * * *' }] })).toContain(
      'schedule.catchUpWindow: expected a duration like 90s, 15m, 36h or 7d, got "1 week"',
    );
    expect(errorOf({ entries: [{ job: 'ingest', cron: '0 0 * * *', cronn: 'x' }] })).toContain('schedule.entries.0');
    expect(errorOf({ entries: [] })).toContain('schedule.entries: a schedule needs at least one entry');
  });

  it('checks entries against the jobs at start: unknown job, args the job refuses; and says how to add a schedule', () => {
    const config = parse({ entries: [{ job: 'ingest', cron: '0 0 * * *', args: { universes: 'etf' } }] });
    expect(() => checkSchedule(config.schedule!, jobRegistry(), config.path)).toThrow(
      'invalid configuration momentum.config.json: schedule.entries.0 ("ingest"): args: args.universes: ',
    );
    const hello: Job = async () => ({ counts: {} });
    const other = parse({ entries: [{ name: 'nightly', job: 'hello', cron: '0 0 * * *' }] });
    expect(() => checkSchedule(other.schedule!, jobRegistry(), other.path)).toThrow(
      'invalid configuration momentum.config.json: schedule.entries.0 ("nightly"): unknown job "hello"; known jobs: ingest, gates',
    );
    expect(() => checkSchedule(other.schedule!, jobRegistry({ hello }), other.path)).not.toThrow();
    expect(() => requireSchedule(parseConfig({ universes: {} }, 'x.json'))).toThrow(/^x\.json has no "schedule" section; add one/);
    expect(() => jobRegistry({ Bad_Name: hello })).toThrow('job name "Bad_Name": use lower-case words joined by -');
  });
});
