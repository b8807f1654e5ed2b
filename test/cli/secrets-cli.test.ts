/**
 * A password in DATABASE_URL, in each form it can take (the URL's userinfo, a `password=` query
 * parameter, a key-value DSN), never appears in what a command prints: the database it names (db
 * migrate, db status, data summary, the first line of schedule and demo) or its errors (a server
 * that cannot be reached, a value that is not a URL). Commands that connect need a real server: they
 * run on the PostgreSQL pass; the errors run on both.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliSuite } from '../helpers/cli-env.js';
import { finished, runCli, spawnCli } from '../helpers/cli.js';
import { spawnedProcesses } from '../helpers/processes.js';
import { engineName, serverUrl } from '../helpers/test-database.js';
import { EVENTUALLY, waitFor, writeScheduleConfig } from '../jobs/service-helpers.js';

const SECRET = 'Hunter2-s3cret';

/** The URL forms that carry the password of `url` (a URL without one). */
function secretForms(url: string): Record<string, string> {
  const withUser = new URL(url);
  withUser.password = SECRET;
  const inQuery = new URL(url);
  inQuery.searchParams.set('password', SECRET);
  return { userinfo: withUser.toString(), query: inQuery.toString() };
}

describe(`no command prints the database password (${engineName})`, () => {
  const processes = spawnedProcesses();
  const suite = cliSuite('secrets');
  const unreachable = secretForms('postgres://momentum@127.0.0.1:1/momentum');
  for (const [form, url] of Object.entries(unreachable)) {
    it(`connection errors, password in the ${form}`, async () => {
      for (const args of [['db', 'status'], ['db', 'migrate'], ['data', 'summary'], ['jobs']]) {
        const result = await runCli(args, { ...suite.cli.env, DATABASE_URL: url });
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr, args.join(' ')).toMatch(
          /cannot connect to PostgreSQL at postgres:\/\/momentum(:\*\*\*)?@127\.0\.0\.1:1\/momentum/,
        );
        expect(result.stdout + result.stderr, args.join(' ')).not.toContain(SECRET);
      }
    });
  }

  it('a key-value DSN is refused without repeating it', async () => {
    const result = await runCli(['db', 'status'], {
      ...suite.cli.env,
      DATABASE_URL: `host=127.0.0.1 port=1 user=momentum password=${SECRET}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL must start with postgres://');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  if (serverUrl) {
    it('the database each command names, with the password in the userinfo or the query', async () => {
      const config = writeScheduleConfig(join(suite.dir, 'config.json'), {
        catchUpWindow: '0s',
        entries: [{ job: 'ingest', cron: '0 0 1 1 *' }],
      });
      for (const [form, url] of Object.entries(secretForms(suite.cli.url!))) {
        const env = { ...suite.cli.env, DATABASE_URL: url };
        for (const args of [
          ['db', 'migrate'],
          ['db', 'status'],
          ['data', 'summary'],
        ]) {
          const result = await runCli(args, env);
          expect(result.code, `${form}: ${args.join(' ')}: ${result.stderr}`).toBe(0);
          expect(result.stdout, `${form}: ${args.join(' ')}`).toMatch(
            /postgres:\/\/postgres(:\*\*\*)?@127\.0\.0\.1:\d+\/momentum_test_\w+/,
          );
          expect(result.stdout + result.stderr, `${form}: ${args.join(' ')}`).not.toContain(SECRET);
        }
        for (const args of [['schedule', '--config', config], ['demo']]) {
          const child = processes.track(spawnCli(args, env));
          const result = finished(child);
          let out = '';
          child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
          await waitFor(() => /momentum (schedule|demo): .*\n/.test(out), EVENTUALLY, `${args[0]} to name its database`);
          child.kill('SIGTERM');
          const { stdout, stderr } = await result;
          expect(stdout, `${form}: ${args[0]}`).toMatch(/postgres:\/\/postgres(:\*\*\*)?@127\.0\.0\.1:\d+\/momentum_test_\w+/);
          expect(stdout + stderr, `${form}: ${args[0]}`).not.toContain(SECRET);
        }
      }
    });
  }
});
