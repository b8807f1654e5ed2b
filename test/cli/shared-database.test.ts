/**
 * Many processes on one MOMENTUM_HOME. While `momentum schedule` holds the embedded database it
 * shares it: other commands, the library's openDatabase (what notebooks call) and `momentum serve`'s
 * unsubscribe link all work meanwhile (before, they were refused, and the link answered 404). Twenty
 * processes started together on a home with a stale lock all succeed, none of their writes lost.
 * The first suite runs on PostgreSQL too, where the server is shared anyway.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/index.js';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { finished, runCli, spawnCli } from '../helpers/cli.js';
import { insertPortfolio } from '../helpers/mail-server.js';
import { spawnedProcesses } from '../helpers/processes.js';
import { engineName, serverUrl } from '../helpers/test-database.js';
import { EVENTUALLY, waitFor, writeScheduleConfig } from '../jobs/service-helpers.js';

/** A configuration whose one entry runs the probe job on `cron` (by default never during a test). */
function probeConfig(dir: string, cron = '0 0 1 1 *'): string {
  return writeScheduleConfig(join(dir, 'config.json'), { catchUpWindow: '0s', entries: [{ job: 'probe', cron }] });
}

const JOBS = ['--jobs-module', 'test/jobs/fixtures/test-jobs.ts'];

describe(`while \`momentum schedule\` runs (${engineName})`, () => {
  let cli: CliEnvironment;
  let dir: string;
  const processes = spawnedProcesses();
  const open = (): Promise<Database> => openDatabase({ url: cli.url, home: cli.home });
  beforeAll(async () => {
    cli = await cliEnvironment();
    dir = mkdtempSync(join(tmpdir(), 'momentum-shared-'));
    const db = await open();
    await insertPortfolio(db, 'core');
    await db.close();
  });
  afterAll(async () => {
    await cli.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commands, the library and the unsubscribe link reach the database; both services stop cleanly', { timeout: EVENTUALLY }, async () => {
    const schedule = processes.track(spawnCli(['schedule', '--config', probeConfig(dir), ...JOBS], cli.env));
    let scheduleOut = '';
    schedule.stdout!.on('data', (chunk: Buffer) => (scheduleOut += chunk.toString()));
    const scheduleDone = finished(schedule);
    await waitFor(
      () => scheduleOut.includes('momentum schedule: 1 entry') || schedule.exitCode !== null,
      EVENTUALLY,
      'the service to start',
    );
    expect(schedule.exitCode).toBeNull();

    const added = await runCli(
      ['subscribers', 'add', '--portfolio', 'core', '--email', 'ann@example.com', '--amount', '1000', '--json'],
      cli.env,
    );
    expect(added.code, added.stderr).toBe(0);
    const { unsubscribeToken } = JSON.parse(added.stdout) as { unsubscribeToken: string };
    for (const args of [
      ['data', 'summary'],
      ['jobs', '--json'],
    ]) {
      const result = await runCli(args, cli.env);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    // Five writers at once, each its own process, all through the service.
    const others = ['b', 'c', 'd', 'e', 'f'].map((name) => `${name}@example.com`);
    const adds = await Promise.all(
      others.map((email) => runCli(['subscribers', 'add', '--portfolio', 'core', '--email', email, '--amount', '1000'], cli.env)),
    );
    for (const add of adds) expect(add.code, add.stderr).toBe(0);

    // What a notebook does: the public entry's openDatabase, in another process than the service.
    const db = await open();
    try {
      const emails = (await db.kysely.selectFrom('subscribers').select('email').execute()).map((r) => r.email);
      expect(emails.sort()).toEqual(['ann@example.com', ...others]);
    } finally {
      await db.close();
    }

    const serve = processes.track(spawnCli(['serve', '--port', '0'], cli.env));
    let serveOut = '';
    serve.stdout!.on('data', (chunk: Buffer) => (serveOut += chunk.toString()));
    const serveDone = finished(serve);
    await waitFor(
      () => /serving POST (http:\S+)\/api\/run/.test(serveOut) || serve.exitCode !== null,
      EVENTUALLY,
      'momentum serve to listen',
    );
    const url = /serving POST (http:\S+)\/api\/run/.exec(serveOut)![1]!;
    // Two mail clients posting the one-click unsubscribe at once (RFC 8058).
    const clicks = await Promise.all(
      [1, 2].map(() =>
        fetch(`${url}/unsubscribe?token=${unsubscribeToken}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        }).then(async (r) => ({ status: r.status, text: await r.text() })),
      ),
    );
    expect(clicks.map((c) => c.status)).toEqual([200, 200]);
    expect(clicks.map((c) => /Already unsubscribed|Unsubscribed ann@example.com/.exec(c.text)?.[0]).sort()).toEqual([
      'Already unsubscribed',
      'Unsubscribed ann@example.com',
    ]);
    const listed = await runCli(['subscribers', 'list', '--json'], cli.env);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { email: string }[]).map((r) => r.email).sort()).toEqual(others);

    serve.kill('SIGTERM');
    schedule.kill('SIGTERM');
    const [served, scheduled] = await Promise.all([serveDone, scheduleDone]);
    expect(served.code, served.stderr).toBe(0);
    expect(scheduled.code, scheduled.stderr).toBe(0);
    if (!cli.url) {
      expect(existsSync(join(cli.home, 'pgdata.lock'))).toBe(false);
      expect(existsSync(join(cli.home, '.s.PGSQL.5432'))).toBe(false);
    }
  });
});

if (!serverUrl) {
  describe('twenty services started together on one embedded database', () => {
    let cli: CliEnvironment;
    let dir: string;
    const processes = spawnedProcesses();
    beforeAll(async () => {
      cli = await cliEnvironment();
      dir = mkdtempSync(join(tmpdir(), 'momentum-starts-'));
      const db = await openDatabase({ home: cli.home });
      await sql`create table job_probe (entry text not null, slot timestamptz not null, pid integer not null)`.execute(db.kysely);
      await db.close();
    });
    afterAll(async () => {
      await cli.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    it(
      'with a stale lock (echo 999999 > pgdata.lock): one holds it, nineteen go through it, every slot runs once and is kept',
      async () => {
        writeFileSync(join(cli.home, 'pgdata.lock'), '999999\n');
        const config = probeConfig(dir, '* * * * * *');
        const services = Array.from({ length: 20 }, () => {
          const child = processes.track(spawnCli(['schedule', '--config', config, ...JOBS], cli.env));
          const service = { child, out: '', done: finished(child) };
          child.stdout!.on('data', (chunk: Buffer) => (service.out += chunk.toString()));
          return service;
        });
        const up = (service: (typeof services)[number]) => /momentum schedule: 1 entry on (.*?); GET/.exec(service.out)?.[1];
        await waitFor(() => services.every((s) => up(s) || s.child.exitCode !== null), EVENTUALLY, 'the twenty services to start');
        const locations = services.map((s) => up(s));
        const owners = services.filter((s) => !up(s)?.includes('(shared by'));
        expect(owners).toHaveLength(1);
        const ownerPid = owners[0]!.child.pid!;
        expect(locations.filter((l) => l?.endsWith(`(shared by pid ${ownerPid}, momentum schedule)`))).toHaveLength(19);

        // Let a few slots run through the owner, then stop the others first and the owner last.
        const reader = await openDatabase({ home: cli.home });
        try {
          await waitFor(
            async () => (await sql<{ n: number }>`select count(*)::int as n from job_probe`.execute(reader.kysely)).rows[0]!.n >= 3,
            EVENTUALLY,
            'three slots to run',
          );
        } finally {
          await reader.close();
        }
        const clients = services.filter((s) => s !== owners[0]);
        for (const s of clients) s.child.kill('SIGTERM');
        for (const result of await Promise.all(clients.map((s) => s.done))) expect(result.code, result.stderr).toBe(0);
        owners[0]!.child.kill('SIGTERM');
        const stopped = await owners[0]!.done;
        expect(stopped.code, stopped.stderr).toBe(0);
        expect(existsSync(join(cli.home, 'pgdata.lock'))).toBe(false);

        // One writer: each slot's job body ran once, and every run recorded as succeeded is there with its probe.
        const db = await openDatabase({ home: cli.home });
        try {
          const probes = (await sql<{ slot: Date }>`select slot from job_probe`.execute(db.kysely)).rows.map((r) => r.slot.getTime());
          expect(new Set(probes).size).toBe(probes.length);
          const runs = await db.kysely
            .selectFrom('job_runs')
            .select(['scheduled_for', 'status'])
            .where('status', '=', 'succeeded')
            .execute();
          expect(runs.map((r) => r.scheduled_for.getTime()).sort()).toEqual([...probes].sort());
        } finally {
          await db.close();
        }
      },
      EVENTUALLY,
    );
  });
}
