/**
 * Catch-up is bounded and lazy: `momentum schedule` with the largest window (7 days) of an
 * every-second entry (604,800 slots) and the largest slot count (10,000) starts, serves /health and
 * obeys SIGTERM while it catches up: the slots are found newest first, a few at a time, never all
 * at once. A window beyond 7 days stops the start with an error instead of a start that never ends.
 * Real processes, on the engine under test; bounds are states (the start line, an answer, an exit),
 * never durations.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { cliSuite } from '../helpers/cli-env.js';
import { finished, runCli, spawnCli } from '../helpers/cli.js';
import { spawnedProcesses } from '../helpers/processes.js';
import { engineName } from '../helpers/test-database.js';
import { EVENTUALLY, runsOf, waitFor, writeScheduleConfig } from './service-helpers.js';

describe(`catch-up of a 7-day window of an every-second entry (${engineName})`, () => {
  const processes = spawnedProcesses();
  const suite = cliSuite('catch-up-bound');

  const config = (name: string, catchUpWindow: string): string =>
    writeScheduleConfig(join(suite.dir, `${name}.json`), {
      catchUpWindow,
      catchUpLimit: 10_000,
      entries: [{ name: 'tick', job: 'sleep', cron: '* * * * * *', args: { ms: 0 } }],
    });

  it('starts, answers /health and stops on SIGTERM in the middle of catching up', async () => {
    const args = ['schedule', '--config', config('week', '7d'), '--jobs-module', 'test/jobs/fixtures/test-jobs.ts'];
    const child = processes.track(spawnCli(args, suite.cli.env));
    const result = finished(child);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitFor(() => /GET (http:\S+)\/health/.test(out), EVENTUALLY, 'the start line');
    const health = await fetch(`${/GET (http:\S+)\/health/.exec(out)![1]}/health`);
    expect(health.status).toBe(200);
    // Catching up (the 10,000 most recent slots, oldest first), then asked to stop.
    await waitFor(() => out.includes('(catch-up): succeeded'), EVENTUALLY, 'a caught-up slot');
    const termAt = Date.now();
    child.kill('SIGTERM');
    const { code, stderr } = await result;
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('SIGTERM: no new slots');

    const db = await openDatabase({ url: suite.cli.url, home: suite.cli.home });
    const runs = await runsOf(db, 'tick').finally(() => db.close());
    const caughtUp = runs.filter((r) => r.trigger === 'catch-up');
    expect(caughtUp.length).toBeGreaterThanOrEqual(1);
    expect(caughtUp.length).toBeLessThan(10_000);
    for (const r of runs) expect(r.startedAt.getTime()).toBeLessThan(termAt + 1_000);
    // Oldest first, within the 10,000 most recent seconds.
    const slots = caughtUp.map((r) => r.scheduledFor.getTime());
    expect(slots).toEqual([...slots].sort((a, b) => a - b));
    expect(slots[0]!).toBeGreaterThanOrEqual(termAt - 10_000_000 - 60_000);
  });

  it('refuses a window beyond 7 days at start, naming it', async () => {
    const result = await runCli(
      ['schedule', '--config', config('decade', '3650d'), '--jobs-module', 'test/jobs/fixtures/test-jobs.ts'],
      suite.cli.env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('schedule.catchUpWindow: at most 7d');
  });
});
