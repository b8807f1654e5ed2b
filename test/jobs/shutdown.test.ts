/**
 * SIGTERM to a real `momentum schedule` process: it stops scheduling, lets the running job finish
 * (bounded by the grace period) and exits 0. On the engine under test (PGlite home or a PostgreSQL database).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { cliEnvironment } from '../helpers/cli-env.js';
import { finished, spawnCli } from '../helpers/cli.js';
import { engineName } from '../helpers/test-database.js';
import { EVENTUALLY, runsOf, waitFor, writeScheduleConfig } from './service-helpers.js';

describe(`SIGTERM to momentum schedule (${engineName})`, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'momentum-sigterm-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets a running job finish (succeeded), bounds one that overruns the grace period (failed, interrupted), starts nothing after the signal, exits 0', async () => {
    const cli = await cliEnvironment();
    let child: ChildProcess | undefined;
    try {
      const config = writeScheduleConfig(join(dir, 'config.json'), {
        catchUpWindow: '0s',
        shutdownGrace: '10s',
        entries: [
          { name: 'nap', job: 'sleep', cron: '* * * * * *', args: { ms: 2_000 } },
          { name: 'long-nap', job: 'sleep', cron: '* * * * * *', args: { ms: 60_000 } },
        ],
      });
      child = spawnCli(['schedule', '--config', config, '--jobs-module', 'test/jobs/fixtures/test-jobs.ts'], cli.env);
      const done = finished(child);
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await waitFor(
        () => out.includes('[nap] sleeping 2000 ms') && out.includes('[long-nap] sleeping 60000 ms'),
        EVENTUALLY,
        'both jobs to start',
      );
      // When the service took the signal (seen from here just after: on a busy machine a slot may
      // still start between our kill and its handler, which is not a slot started after the signal).
      let stoppingAt = Infinity;
      child.stderr!.on('data', (chunk: Buffer) => {
        if (stoppingAt === Infinity && chunk.toString().includes('SIGTERM: no new slots')) stoppingAt = Date.now();
      });
      const termAt = Date.now();
      child.kill('SIGTERM');
      const result = await done;

      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('SIGTERM: no new slots; running jobs get up to 10 s to finish');
      expect(result.stderr).toContain('stopped; 1 run(s) interrupted and recorded as failed');
      // The grace period bounded the long nap: it is recorded as interrupted (below), not waited for.
      expect(result.stdout).toMatch(/nap \S+ \(schedule\): succeeded in \d+\.\d s \(run \d+\): slept_ms=\d+/);

      const db = await openDatabase({ url: cli.url, home: cli.home });
      const [nap, longNap] = await Promise.all([runsOf(db, 'nap'), runsOf(db, 'long-nap')]).finally(() => db.close());
      // Slots after the signal were neither run nor recorded (skipped rows are slots that overlapped a nap before it).
      for (const r of [...nap, ...longNap]) expect(r.startedAt.getTime()).toBeLessThan(stoppingAt);
      // The nap running at the signal (the last one) finished after it and is recorded as succeeded.
      const napRuns = nap.filter((r) => r.status !== 'skipped');
      expect(napRuns.length).toBeGreaterThanOrEqual(1);
      for (const r of napRuns) expect([r.status, r.counts.slept_ms! >= 2_000]).toEqual(['succeeded', true]);
      expect(napRuns[napRuns.length - 1]!.endedAt!.getTime()).toBeGreaterThan(termAt);
      const longRuns = longNap.filter((r) => r.status !== 'skipped');
      expect(longRuns).toHaveLength(1);
      expect(longRuns[0]).toMatchObject({
        status: 'failed',
        error: 'interrupted: the service stopped and the job did not finish within the 10 s grace period',
      });
    } finally {
      if (child?.exitCode === null) await new Promise((resolve) => child!.once('exit', resolve).kill('SIGKILL'));
      await cli.dispose();
    }
  });
});
