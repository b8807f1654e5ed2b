/**
 * `momentum health`, the batch service's container health check: it asks GET /health where the
 * configuration says the service listens, and exits 0 only for a healthy answer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHealthServer } from '../../jobs/health-server.js';
import { probeHost } from '../../src/cli/health-action.js';
import { runCli } from '../helpers/cli.js';
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
});
