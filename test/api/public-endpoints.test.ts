/**
 * The public endpoints of `momentum serve` (the links of subscriber mail) under a guesser's burst,
 * a real server process on the engine under test: 500 concurrent unsubscribe clicks with bogus
 * tokens share the server's one pool (before, each request opened a pool and ran the migrations,
 * and 150 of them exhausted PostgreSQL's connections), every answer is the plain "unknown link"
 * page naming nothing of the infrastructure, and one address past its budget gets 429 (a plain
 * page too on the mail links, JSON for the API).
 */
import { type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { finished, spawnCli, type CliResult } from '../helpers/cli.js';
import { spawnedProcesses } from '../helpers/processes.js';
import { engineName } from '../helpers/test-database.js';
import { EVENTUALLY, waitFor } from '../jobs/service-helpers.js';

/** The pool size of a Database on PostgreSQL (src/db/database.ts). */
const POOL_SIZE = 10;

describe(`the public endpoints of momentum serve under a burst (${engineName})`, () => {
  const processes = spawnedProcesses();
  let cli: CliEnvironment;
  beforeAll(async () => {
    cli = await cliEnvironment();
  });
  afterAll(async () => {
    await cli.dispose();
  });

  async function serve(args: readonly string[]): Promise<{ url: string; child: ChildProcess; done: Promise<CliResult> }> {
    const child = processes.track(spawnCli(['serve', '--port', '0', ...args], cli.env));
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const done = finished(child);
    await waitFor(() => /serving POST (http:\S+)\/api\/run/.test(out) || child.exitCode !== null, EVENTUALLY, 'momentum serve to listen');
    return { url: /serving POST (http:\S+)\/api\/run/.exec(out)![1]!, child, done };
  }

  it('500 concurrent bogus tokens: one pool (connections at most its size), each a plain 404 page', async () => {
    const server = await serve(['--public-rate-limit', '0']);
    // The server's connections to its database, sampled from another connection during the burst.
    const watcher = cli.url ? new pg.Client({ connectionString: cli.url }) : undefined;
    await watcher?.connect();
    let most = 0;
    let bursting = true;
    const sampling = (async () => {
      while (watcher && bursting) {
        const { rows } = await watcher.query<{ n: string }>(
          // Client connections only: TimescaleDB runs a background scheduler in each database.
          "select count(*) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'",
        );
        most = Math.max(most, Number(rows[0]!.n));
      }
    })();
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        fetch(`${server.url}/unsubscribe?token=bogus-${i}`, i % 2 ? { method: 'POST', body: 'List-Unsubscribe=One-Click' } : {}).then(
          async (r) => ({ status: r.status, text: await r.text() }),
        ),
      ),
    );
    bursting = false;
    await sampling;
    await watcher?.end();
    expect(answers.filter((a) => a.status !== 404)).toEqual([]);
    for (const { text } of answers) {
      expect(text).toContain('Unknown unsubscribe link');
      expect(text).not.toMatch(/postgres|pglite|127\.0\.0\.1|localhost|password|database|connection|momentum-home/i);
    }
    if (cli.url) {
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(POOL_SIZE);
    }
    server.child.kill('SIGTERM');
    expect((await server.done).code).toBe(0);
  });

  it('one address past its budget gets 429 with Retry-After on the mail links and for wrong tokens; /health is not limited', async () => {
    const server = await serve(['--public-rate-limit', '5', '--token', 'a-long-enough-api-token']);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${server.url}/unsubscribe?token=bogus-${i}`)).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404]);
    // A person who clicked a mail link gets a plain page, as for any other answer to the link.
    for (const link of ['/unsubscribe?token=bogus-6', '/reports/some-report.html?sig=bogus']) {
      const limited = await fetch(`${server.url}${link}`);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const page = await limited.text();
      expect(page).toMatch(/^<!doctype html>.*<h1>Too many requests<\/h1><p>[^<]*try again in \d+ seconds?\.<\/p>/);
      expect(page).not.toMatch(/address|server|database|limit|rate/i);
    }
    const wrongToken = await fetch(`${server.url}/api/run`, { method: 'POST', headers: { authorization: 'Bearer guess' }, body: '{}' });
    expect(wrongToken.status).toBe(429);
    for (let i = 0; i < 10; i++) expect((await fetch(`${server.url}/health`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect((await server.done).code).toBe(0);
  });
});
