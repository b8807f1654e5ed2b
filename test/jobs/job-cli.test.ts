/**
 * The real CLI: `momentum schedule` refuses a bad schedule before it starts, naming the entry;
 * `momentum run-job` runs a job once (recorded, exit code by outcome); `momentum jobs` lists runs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliSuite } from '../helpers/cli-env.js';
import { runCli } from '../helpers/cli.js';
import { engineName } from '../helpers/test-database.js';

describe(`momentum schedule, run-job and jobs (${engineName})`, () => {
  const suite = cliSuite('job-cli');
  const write = (name: string, content: unknown) => {
    const path = join(suite.dir, name);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };

  it('refuses a bad schedule at start with a ConfigError naming the entry', async () => {
    const cases: [unknown, string][] = [
      [
        { universes: {}, schedule: { entries: [{ job: 'ingest', cron: '61 22 * * 1-5', timezone: 'America/New_York' }] } },
        'schedule.entries.0.cron: entry "ingest": invalid cron expression "61 22 * * 1-5" (61 is a invalid expression for minute)',
      ],
      [
        { universes: {}, schedule: { entries: [{ job: 'ingest', cron: '30 22 * * 1-5', timezone: 'America/Nowhere' }] } },
        'schedule.entries.0.timezone: entry "ingest": unknown time zone "America/Nowhere"; use an IANA name like America/New_York or UTC',
      ],
      [
        {
          universes: {},
          schedule: {
            entries: [
              { job: 'ingest', cron: '30 22 * * 1-5' },
              { name: 'weekly', job: 'rebalanse', cron: '0 6 * * 6' },
            ],
          },
        },
        'schedule.entries.1 ("weekly"): unknown job "rebalanse"; known jobs: ingest, gates',
      ],
      [
        { universes: {}, schedule: { entries: [{ job: 'ingest', cron: '30 22 * * 1-5', args: { source: 'bloomberg' } }] } },
        'schedule.entries.0 ("ingest"): args: args.source: ',
      ],
      [{ universes: {} }, 'has no "schedule" section; add one, e.g.'],
    ];
    const results = await Promise.all(
      cases.map(([content], i) => runCli(['schedule', '--config', write(`bad-${i}.json`, content)], suite.cli.env)),
    );
    results.forEach((result, i) => {
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(`error: `);
      expect(result.stderr).toContain(cases[i]![1]);
      expect(result.stdout).toBe('');
    });
  });

  it('run-job runs once now and records it; a failing job exits 1; jobs lists the runs, newest first', async () => {
    const [ok, unknown] = await Promise.all([runCli(['run-job', 'ingest'], suite.cli.env), runCli(['run-job', 'nope'], suite.cli.env)]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      /^ingest \(job ingest\): succeeded in \d+\.\d s \(run 1\); 1 note\n {2}no instruments in use: no stored bars/,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: name: unknown job "nope"; known jobs: ingest, gates');

    const failed = await runCli(['run-job', 'gates', '--args', '{"gates":"nope"}'], suite.cli.env);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^gates \(job gates\): failed in \d+\.\d s \(run 2\); gates: unknown gate set "nope"/);

    const listed = await runCli(['jobs'], suite.cli.env);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+entry\s+slot\s+trigger\s+status\s+seconds\s+host\s+counts\s+error$/);
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(/^ 2\s+gates\s+\S+Z\s+manual\s+failed\s+[\d.]+\s+\S+:\d+\s+-\s+gates: unknown gate set "nope"/),
      expect.stringMatching(/^ 1\s+ingest\s+\S+Z\s+manual\s+succeeded\s+[\d.]+\s+\S+:\d+\s+-\s+-$/),
    ]);
  });
});
