/**
 * `momentum health`, the batch service's container health check: it asks GET /health where the
 * configuration says the service listens, and exits 0 only for a healthy answer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHealthServer } from '../../jobs/health-server.js';
import { probeHost } from '../../src/cli/health-action.js';
import { beat, removeWorker } from '../../jobs/queue/job-workers-store.js';
import { runCli } from '../helpers/cli.js';
import { cliEnvironment } from '../helpers/cli-env.js';
import { writeScheduleConfig } from './service-helpers.js';

describe('momentum health', () => {
  const dir = mkdtempSync(join(tmpdir(), 'momentum-health-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const entries = [{ job: 'gates', cron: '0 0 1 1 *' }];

  it('exits 0 and prints the report of a healthy service; 1 with the status of an unhealthy one', async () => {
    let healthy = true;
    const server = await startHealthServer('127.0.0.1', 0, async () => ({ healthy, body: { status: healthy ? 'ok' : 'stopping' } }));
    try {
      const config = writeScheduleConfig(join(dir, 'config.json'), { healthPort: server.port, entries });
      const ok = await runCli(['health', '--config', config], {});
      expect([ok.code, JSON.parse(ok.stdout)]).toEqual([0, { status: 'ok' }]);
      healthy = false;
      const unhealthy = await runCli(['health'], { MOMENTUM_CONFIG: config });
      expect(unhealthy.code).toBe(1);
      expect(unhealthy.stderr).toContain(`the batch service at http://127.0.0.1:${server.port}/health is unhealthy (503)`);
      expect(unhealthy.stderr).toContain('"stopping"');
    } finally {
      await server.close();
    }
  });

  it('exits 1, saying so, when the configuration has no schedule', async () => {
    const config = join(dir, 'no-schedule.json');
    writeFileSync(config, JSON.stringify({ universes: {} }));
    const result = await runCli(['health', '--config', config], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('has no "schedule" section: no batch service to ask');
  });

  it('reaches a service listening on every address through loopback', () => {
    expect(['0.0.0.0', '::', '127.0.0.1', '10.0.0.5'].map(probeHost)).toEqual(['127.0.0.1', '::1', '127.0.0.1', '10.0.0.5']);
  });

  it('--worker: exits 0 while a worker on this machine beats, 1 when none does (or only one elsewhere)', async () => {
    const cli = await cliEnvironment();
    try {
      const none = await runCli(['health', '--worker'], cli.env);
      expect(none.code).toBe(1);
      expect(none.stderr).toContain(`no momentum worker on ${hostname()} has beaten in the job queue lately`);
      const elsewhere = { id: 'w-elsewhere', host: 'another-machine', pid: 7, queues: ['sweep'], concurrency: 1 };
      const here = { id: 'w-here', host: hostname(), pid: 4242, queues: ['sweep', 'report'], concurrency: 2 };
      await cli.withDb((db) => beat(db, elsewhere));
      expect((await runCli(['health', '--worker'], cli.env)).code).toBe(1);
      await cli.withDb((db) => beat(db, here));
      const alive = await runCli(['health', '--worker'], cli.env);
      expect(alive.code, alive.stderr).toBe(0);
      expect(alive.stdout).toMatch(new RegExp(`^worker 4242 on ${hostname()}: queues sweep, report, seen \\d+ s ago`));
      await cli.withDb((db) => removeWorker(db, here.id));
      expect((await runCli(['health', '--worker'], cli.env)).code).toBe(1);
    } finally {
      await cli.dispose();
    }
  });
});
