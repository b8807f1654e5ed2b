/**
 * The HTTP API v1's jobs through the distributed engine's workers: `momentum serve --api-jobs 0`
 * only queues them (api_jobs), and `momentum worker --queues api` runs them with the server's own
 * runner, on PostgreSQL, where workers run. The job's record names the worker's process; the
 * server answers with the result as if it had run it. On the embedded engine the server still only
 * queues, and the worker refuses as it does for every queue.
 */
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_SYMBOLS } from '../../src/data/synthetic-market.js';
import { cliSuite } from '../helpers/cli-env.js';
import { finished, runCli, spawnCli } from '../helpers/cli.js';
import { spawnedProcesses } from '../helpers/processes.js';
import { engineName } from '../helpers/test-database.js';
import { EVENTUALLY, waitFor } from './service-helpers.js';

const SPEC = { strategy: 'xs-momentum', symbols: SYNTHETIC_SYMBOLS, from: '2003-01-01', to: '2010-12-31' };

/** A child's output so far, as it comes. */
function output(child: ChildProcess): () => string {
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

describe(`API v1 jobs run by momentum worker --queues api (${engineName})`, () => {
  const suite = cliSuite('api-worker');
  const processes = spawnedProcesses();

  async function queueOnlyServer(): Promise<{ base: string; server: ChildProcess }> {
    const ingest = await runCli(['ingest', '--source', 'synthetic', '--to', '2012-12-31'], suite.cli.env);
    expect(ingest.code, ingest.stderr).toBe(0);
    const server = processes.track(spawnCli(['serve', '--port', '0', '--api-jobs', '0'], suite.cli.env));
    const said = output(server);
    const url = /the API v1 at (http:\/\/127\.0\.0\.1:\d+)\/api\/v1 /;
    await waitFor(() => url.test(said()) || server.exitCode !== null, EVENTUALLY, 'momentum serve to listen');
    if (!url.test(said())) throw new Error(`momentum serve did not start: ${said()}`);
    return { base: url.exec(said())![1]!, server };
  }

  async function submit(base: string): Promise<string> {
    const answer = await fetch(`${base}/api/v1/backtests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(SPEC),
    });
    expect(answer.status).toBe(202);
    return ((await answer.json()) as { id: string }).id;
  }

  const jobOf = async (base: string, id: string) =>
    (await (await fetch(`${base}/api/v1/jobs/${id}`)).json()) as { status: string; links: { result?: string } };

  if (engineName === 'pglite') {
    it('the server only queues; the worker refuses the embedded engine', async () => {
      const { base, server } = await queueOnlyServer();
      const id = await submit(base);
      // No runner here can take it (--api-jobs 0): it waits for a worker.
      expect((await jobOf(base, id)).status).toBe('queued');
      const worker = await runCli(['worker', '--queues', 'api'], suite.cli.env);
      expect(worker.code).toBe(1);
      expect(worker.stderr).toMatch(/^error: momentum worker needs a PostgreSQL server/);
      server.kill('SIGTERM');
      expect((await finished(server)).code).toBe(0);
    });
    return;
  }

  it('a job queued by a server that only queues is run by a worker, and answered by the server', async () => {
    const { base, server } = await queueOnlyServer();
    const id = await submit(base);
    expect((await jobOf(base, id)).status).toBe('queued');
    const worker = processes.track(spawnCli(['worker', '--queues', 'api'], suite.cli.env));
    const said = output(worker);
    await waitFor(async () => (await jobOf(base, id)).status === 'succeeded', EVENTUALLY, `the worker to run job ${id}:\n${said()}`);
    const row = await suite.cli.withDb((db) => db.kysely.selectFrom('api_jobs').select('runner').where('id', '=', id).executeTakeFirst());
    expect(row?.runner).toContain(`/${worker.pid}/`);
    const result = (await (await fetch(`${base}${(await jobOf(base, id)).links.result}`)).json()) as { role: string; spec: object };
    expect(result).toMatchObject({ role: 'backtest', spec: { strategy: 'xs-momentum', from: '2003-01-01', to: '2010-12-31' } });
    expect(said()).toContain('momentum worker: ready');
    for (const child of [worker, server]) {
      child.kill('SIGTERM');
      expect((await finished(child)).code).toBe(0);
    }
  });
});
