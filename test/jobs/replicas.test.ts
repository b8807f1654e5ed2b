/**
 * Exactly once across replicas. On PostgreSQL: two real `momentum schedule` processes on one database
 * with an every-second schedule, and a database restart under a running service. On PGlite (one
 * process at a time by design): two services in one process on one database. Either way the job body
 * counts its own executions per slot, independently of job_runs.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../jobs/job.js';
import { createScheduleService, type HealthReport } from '../../jobs/schedule-service.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { finished, spawnCli } from '../helpers/cli.js';
import { spawnedProcesses } from '../helpers/processes.js';
import { openTestDatabase, serverUrl, type TestDatabase } from '../helpers/test-database.js';
import {
  EVENTUALLY,
  configWith,
  memoryLog,
  runsOf,
  secondsBetween,
  sleep,
  testEnvironment,
  waitFor,
  writeScheduleConfig,
} from './service-helpers.js';

/** For each slot, exactly one of the two logs says it ran it and the other that it was taken. */
function expectOneRunnerPerSlot(slots: readonly number[], entry: string, logs: readonly [string, string]): void {
  for (const slot of slots) {
    const prefix = `${entry} ${new Date(slot).toISOString()} (`;
    const said = logs.map((log) => {
      const line = log.split('\n').find((l) => l.includes(prefix)) ?? '';
      return line.includes(': succeeded in ') ? 'ran' : line.includes(': taken by ') ? 'taken' : `? ${line}`;
    });
    expect([...said].sort(), `slot ${new Date(slot).toISOString()}`).toEqual(['ran', 'taken']);
  }
}

if (serverUrl) {
  describe('exactly once: two `momentum schedule` processes on one PostgreSQL database', () => {
    const processes = spawnedProcesses();
    let cli: CliEnvironment;
    let db: Database;
    let dir: string;
    beforeAll(async () => {
      cli = await cliEnvironment();
      db = await openDatabase({ url: cli.url });
      await sql`create table job_probe (entry text not null, slot timestamptz not null, pid integer not null)`.execute(db.kysely);
      dir = mkdtempSync(join(tmpdir(), 'momentum-replicas-'));
    });
    afterAll(async () => {
      await db.close();
      await cli.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    it('runs every slot once, and each process tried every slot', async () => {
      const config = writeScheduleConfig(join(dir, 'config.json'), {
        catchUpWindow: '0s',
        shutdownGrace: '10s',
        entries: [{ job: 'probe', cron: '* * * * * *', args: { ms: 150 } }],
      });
      const args = ['schedule', '--config', config, '--jobs-module', 'test/jobs/fixtures/test-jobs.ts'];
      const children = [processes.track(spawnCli(args, cli.env)), processes.track(spawnCli(args, cli.env))] as const;
      const results = children.map((child) => finished(child));
      const outs = ['', ''];
      children.forEach((child, i) => child.stdout!.on('data', (chunk: Buffer) => (outs[i] += chunk.toString())));
      await waitFor(() => outs.every((o) => o.includes('momentum schedule: 1 entry')), EVENTUALLY, 'both services to start');
      const bothUp = Date.now();
      await sleep(4_000);
      const stopAt = Date.now();
      for (const child of children) child.kill('SIGTERM');
      const [a, b] = await Promise.all(results);
      expect([a!.code, b!.code], `${a!.stderr}\n${b!.stderr}`).toEqual([0, 0]);

      const runs = await runsOf(db, 'probe');
      const probes = (await sql<{ slot: Date; pid: number }>`select slot, pid from job_probe order by slot`.execute(db.kysely)).rows;
      // The job body ran once per recorded run, in the process that recorded it.
      expect(probes.map((p) => [p.slot.getTime(), p.pid])).toEqual(runs.map((r) => [r.scheduledFor.getTime(), r.pid]));
      expect(new Set(runs.map((r) => r.pid)).size).toBeLessThanOrEqual(2);
      for (const r of runs) expect([children[0].pid, children[1].pid]).toContain(r.pid);
      // Every slot while both were up ran, and succeeded.
      const middle = secondsBetween(bothUp + 1_000, stopAt - 1_000);
      expect(middle.length).toBeGreaterThanOrEqual(2);
      const bySlot = new Map(runs.map((r) => [r.scheduledFor.getTime(), r]));
      for (const slot of middle) expect(bySlot.get(slot)?.status, new Date(slot).toISOString()).toBe('succeeded');
      expectOneRunnerPerSlot(middle, 'probe', [a!.stdout, b!.stdout]);
    });
  });

  describe('a PostgreSQL restart under a running service', () => {
    const bin = readdirSync('/usr/lib/postgresql')
      .map((v) => `/usr/lib/postgresql/${v}/bin`)
      .find((d) => existsSync(`${d}/initdb`))!;
    const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
    const run = (command: string, ...args: string[]) => {
      const [file, ...rest] = [...asPostgres, `${bin}/${command}`, ...args];
      execFileSync(file!, rest, { stdio: 'ignore' });
    };
    let dir: string;
    let port: number;
    const start = () =>
      run(
        'pg_ctl',
        '-D',
        `${dir}/data`,
        '-l',
        `${dir}/log`,
        '-w',
        '-t',
        '30',
        '-o',
        `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`,
        'start',
      );
    const stop = () => run('pg_ctl', '-D', `${dir}/data`, '-m', 'fast', '-w', 'stop');

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'momentum-restart-'));
      if (asPostgres.length > 0)
        chownSync(
          dir,
          Number(execFileSync('id', ['-u', 'postgres']).toString()),
          Number(execFileSync('id', ['-g', 'postgres']).toString()),
        );
      port = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const p = (probe.address() as { port: number }).port;
          probe.close(() => resolve(p));
        });
      });
      run('initdb', '-D', `${dir}/data`, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync');
      start();
    });
    afterAll(() => {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it('fails the slots while the server is down (health says so), then reconnects and runs the next slot', async () => {
      const db = await openDatabase({ url: `postgres://postgres@127.0.0.1:${port}/postgres` });
      const tick: Job = async () => ({ counts: { ticks: 1 } });
      const log = memoryLog();
      const service = createScheduleService({
        db,
        env: testEnvironment(),
        config: configWith({ healthPort: 0, catchUpWindow: '0s', entries: [{ job: 'tick', cron: '* * * * * *' }] }),
        jobs: { tick },
        log,
      });
      try {
        await service.start();
        await waitFor(async () => (await runsOf(db, 'tick')).length >= 2, EVENTUALLY, 'two runs before the restart');
        stop();
        const downAt = Date.now();
        await sleep(2_200);
        const down = await fetch(`${service.healthUrl}/health`);
        expect(down.status).toBe(503);
        expect(((await down.json()) as HealthReport).status).toBe('database-unreachable');
        start();
        const upAt = Date.now();
        await waitFor(
          async () => (await runsOf(db, 'tick').catch(() => [])).some((r) => r.scheduledFor.getTime() > upAt && r.status === 'succeeded'),
          EVENTUALLY,
          'a run after the restart',
        );
        const up = await fetch(`${service.healthUrl}/health`);
        expect(up.status).toBe(200);
        const missed = log.lines.filter((l) => l.startsWith('error tick ') && l.includes(': not run, cannot claim the slot'));
        expect(missed.length).toBeGreaterThanOrEqual(1);
        for (const line of missed) {
          const slot = Date.parse(line.split(' ')[2]!);
          expect(slot).toBeGreaterThanOrEqual(downAt - 1_000);
          expect(slot).toBeLessThanOrEqual(upAt + 1_000);
        }
      } finally {
        await service.stop();
        await db.close();
      }
    });
  });
} else {
  describe('exactly once: two services in one process on one PGlite database', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await openTestDatabase();
    });
    afterAll(async () => {
      await db.close();
    });

    it('runs every slot once, and each service tried every slot', async () => {
      const bodies: string[] = [];
      const probe: Job = async (context) => {
        bodies.push(`${context.slot.getTime()}`);
        await sleep(100);
        return { counts: { probes: 1 } };
      };
      const config = configWith({ catchUpWindow: '0s', entries: [{ job: 'probe', cron: '* * * * * *' }] });
      const logs = [memoryLog(), memoryLog()] as const;
      const services = logs.map((log, i) =>
        createScheduleService({
          db,
          env: testEnvironment(),
          config,
          jobs: { probe },
          log,
          health: false,
          host: `replica-${i}`,
          pid: 100 + i,
        }),
      );
      await Promise.all(services.map((s) => s.start()));
      const bothUp = Date.now();
      await sleep(4_000);
      const stopAt = Date.now();
      await Promise.all(services.map((s) => s.stop()));

      const runs = await runsOf(db, 'probe');
      expect(bodies.sort()).toEqual(runs.map((r) => `${r.scheduledFor.getTime()}`).sort());
      for (const r of runs) expect(['replica-0', 'replica-1']).toContain(r.host);
      const middle = secondsBetween(bothUp + 1_000, stopAt - 1_000);
      expect(middle.length).toBeGreaterThanOrEqual(2);
      const bySlot = new Map(runs.map((r) => [r.scheduledFor.getTime(), r]));
      for (const slot of middle) expect(bySlot.get(slot)?.status).toBe('succeeded');
      expectOneRunnerPerSlot(middle, 'probe', [logs[0].lines.join('\n'), logs[1].lines.join('\n')]);
    });
  });
}
