/**
 * Distributed sweeps (issue 18): on PostgreSQL, three real `momentum worker` processes run a sweep
 * queued by `momentum sweep --distributed`; the first is killed (SIGKILL) in the middle of a chunk,
 * after part of it was stored, and two more take over. pg-boss expires the dead worker's job and
 * one of them runs the chunk again: every combination ends up stored exactly once, each equal to the same sweep run
 * by one process on local threads. With no worker running, the command says so and makes nothing.
 * On the embedded engine both commands refuse, saying why and when to switch.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { listSweeps, sweepResults } from '../../src/backtest/backtest-store.js';
import type { Database } from '../../src/db/database.js';
import { cliSuite } from '../helpers/cli-env.js';
import { finished, ROOT, runCli, spawnCli } from '../helpers/cli.js';
import { spawnedProcesses } from '../helpers/processes.js';
import { engineName } from '../helpers/test-database.js';
import { EVENTUALLY, waitFor } from './service-helpers.js';

// 10 x 4 x 4 = 160 combinations of xs-momentum, 8 chunks of 20: each chunk stores 5 at a time.
const GRID = ['lookback=63,84,105,126,147,168,189,210,231,252', 'skip=0,5,10,21', 'topPct=20,30,40,50'];
const SWEEP = [
  'sweep',
  '--strategy',
  'xs-momentum',
  '--universe',
  'synthetic',
  '--from',
  '2004-01-01',
  ...GRID.flatMap((g) => ['--grid', g]),
];
const CHUNK = 20;

/** A child's output, line by line as it comes. */
function collect(child: ChildProcess): { lines: string[] } {
  const out = { lines: [] as string[] };
  let rest = '';
  const take = (chunk: Buffer) => {
    const text = rest + chunk.toString();
    const lines = text.split('\n');
    rest = lines.pop()!;
    out.lines.push(...lines);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  return out;
}

describe(`momentum worker and sweep --distributed (${engineName})`, () => {
  const suite = cliSuite('distributed-sweep');
  const processes = spawnedProcesses();

  if (engineName === 'pglite') {
    it('refuse on the embedded engine, saying why and when to switch; nothing is made', async () => {
      const ingest = await runCli(['ingest', '--source', 'synthetic', '--to', '2012-12-31'], suite.cli.env);
      expect(ingest.code, ingest.stderr).toBe(0);
      const worker = await runCli(['worker'], suite.cli.env);
      expect(worker.code).toBe(1);
      expect(worker.stderr).toMatch(/^error: momentum worker needs a PostgreSQL server: the job queue \(pg-boss\) lives in the database/);
      expect(worker.stderr).toMatch(/momentum sweep runs on \d+ local threads/);
      expect(worker.stderr).toContain('set DATABASE_URL to a PostgreSQL or TimescaleDB server that every machine reaches');
      const sweep = await runCli([...SWEEP, '--distributed'], suite.cli.env);
      expect(sweep.code).toBe(1);
      expect(sweep.stderr).toMatch(/^error: momentum sweep --distributed needs a PostgreSQL server/);
      expect(sweep.stderr).toMatch(/Without --distributed this sweep runs here on \d+ local threads/);
      expect(await suite.cli.withDb((db) => listSweeps(db))).toEqual([]);
      const status = await runCli(['db', 'status'], suite.cli.env);
      expect(status.stdout).toContain('job queue: none on the embedded engine');
    });
    return;
  }

  it('with no worker running, says so and offers local threads; no sweep is made', async () => {
    const ingest = await runCli(['ingest', '--source', 'synthetic', '--to', '2012-12-31'], suite.cli.env);
    expect(ingest.code, ingest.stderr).toBe(0);
    const sweep = await runCli([...SWEEP, '--distributed'], suite.cli.env);
    expect(sweep.code).toBe(1);
    expect(sweep.stderr).toMatch(
      /^error: no worker is running: start `momentum worker` on any machine with DATABASE_URL set to this server, or run without --distributed to use \d+ local threads/,
    );
    expect(await suite.cli.withDb((db) => listSweeps(db))).toEqual([]);
    const status = await runCli(['db', 'status'], suite.cli.env);
    expect(status.stdout).toMatch(/job queue: not installed yet .*; 0 workers alive/);
  });

  it('three workers, one killed mid-chunk: its chunk runs again elsewhere; every combination stored once, equal to a local sweep', async () => {
    // Jobs of a dead worker expire after 20 s (checked every second), well above a chunk even on a
    // busy machine, so a survivor re-runs it whole; a live worker's slow chunk
    // expiring too is harmless (run again, nothing stored twice), hence the generous retries.
    const configPath = join(suite.dir, 'momentum.config.json');
    const shipped = JSON.parse(readFileSync(join(ROOT, 'momentum.config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(
      configPath,
      JSON.stringify({
        ...shipped,
        jobs: { expireAfter: '20s', maintenanceInterval: '1s', pollInterval: '1s', retryLimit: 50, chunkSize: CHUNK, shutdownGrace: '1m' },
      }),
    );
    const env = { ...suite.cli.env, MOMENTUM_CONFIG: configPath };
    const spawnWorker = () => {
      const child = processes.track(spawnCli(['worker', '--queues', 'sweep'], env));
      return { child, output: collect(child) };
    };
    const ready = (worker: ReturnType<typeof spawnWorker>) => worker.output.lines.some((l) => l.startsWith('momentum worker: ready'));
    // The victim starts alone, so it runs chunk after chunk until it is caught in the middle of one.
    const victim = spawnWorker();
    await waitFor(() => ready(victim), EVENTUALLY, 'the first worker');
    const follower = processes.track(spawnCli([...SWEEP, '--distributed', '--json'], env));
    const followed = finished(follower);
    const logs = () => `victim:\n${victim.output.lines.join('\n')}`;

    // Wait until the victim is inside a chunk with part of it stored; freeze it and look again (a
    // frozen process cannot finish its chunk), then kill it. Should it have finished meanwhile, let
    // it go on to its next chunk.
    const killed = await suite.cli.withDb(async (db) => {
      for (;;) {
        let chunk: { id: string; sweepId: number; from: number; to: number } | undefined;
        await waitFor(
          async () => {
            if (follower.exitCode !== null) throw new Error(`the sweep ended before the victim was caught in a chunk\n${logs()}`);
            chunk = lastStarted(victim.output.lines);
            return chunk !== undefined && (await storedIn(db, chunk)) > 0 && (await jobState(db, chunk.id)) === 'active';
          },
          EVENTUALLY,
          `the victim to store part of a chunk\n${logs()}`,
        );
        victim.child.kill('SIGSTOP');
        const stored = await storedIn(db, chunk!);
        if (stored < chunk!.to - chunk!.from && (await jobState(db, chunk!.id)) === 'active') {
          victim.child.kill('SIGKILL');
          await new Promise((resolve) => victim.child.once('exit', resolve));
          return { ...chunk!, storedBefore: stored };
        }
        victim.child.kill('SIGCONT');
      }
    });
    // Two more workers take the rest, and the victim's chunk once its job expires.
    const survivors = [spawnWorker(), spawnWorker()];

    const result = await followed;
    expect(result.code, `${result.stderr}\n${survivors.map((w) => w.output.lines.join('\n')).join('\n---\n')}`).toBe(0);
    const sweepId = (JSON.parse(result.stdout) as { sweepId: number; combinations: number }).sweepId;
    expect(sweepId).toBe(killed.sweepId);

    await suite.cli.withDb(async (db) => {
      // pg-boss failed the dead worker's job by its expiry and a survivor ran it again, skipping what was stored.
      const job = (
        await sql<{
          state: string;
          retry_count: number;
        }>`select state::text, retry_count from pgboss.job where id = ${killed.id}::uuid`.execute(db.kysely)
      ).rows[0]!;
      expect(job).toEqual({ state: 'completed', retry_count: expect.any(Number) });
      expect(job.retry_count).toBeGreaterThanOrEqual(1);
      const rerun = survivors
        .flatMap((s) => s.output.lines)
        .filter((l) => l.includes(killed.id) || l.includes(`job ${killed.id.slice(0, 8)}: done`));
      expect(
        rerun.some((l) => l.includes(`started sweep ${sweepId}, combinations ${killed.from}-${killed.to - 1}`)),
        rerun.join('\n'),
      ).toBe(true);
      expect(
        rerun.some((l) =>
          new RegExp(`stored ${killed.to - killed.from - killed.storedBefore}, ${killed.storedBefore} stored before`).test(l),
        ),
        rerun.join('\n'),
      ).toBe(true);

      // Every combination stored exactly once, each trial counted once.
      const counts = (
        await sql<{ rows: number; distinct_indexes: number; min: number; max: number }>`
          select count(*)::int as rows, count(distinct sweep_index)::int as distinct_indexes, min(sweep_index) as min, max(sweep_index) as max
          from backtests where sweep_id = ${sweepId}`.execute(db.kysely)
      ).rows[0]!;
      expect(counts).toEqual({ rows: 160, distinct_indexes: 160, min: 0, max: 159 });
      const runs = (
        await sql<{ n: number; runs: number }>`select count(*)::int as n, max(runs)::int as runs from trials
          where backtest_id in (select id from backtests where sweep_id = ${sweepId})`.execute(db.kysely)
      ).rows[0]!;
      expect(runs).toEqual({ n: 160, runs: 1 });
      expect((await listSweeps(db)).find((s) => s.id === sweepId)).toMatchObject({ status: 'done', stored: 160 });
      // Asked without --to, the sweep ends at the last bar stored when it was queued: a worker
      // taking a chunk after an ingest still sees the bars the first chunks saw.
      const pinned = (
        await sql<{ to: string | null; last: string }>`select spec ->> 'to' as to,
          (select max(last_ts)::date::text from bar_series where interval = '1d') as last
          from sweeps where id = ${sweepId}`.execute(db.kysely)
      ).rows[0]!;
      expect(pinned.to).toBe(pinned.last);
    });

    // The same sweep in one process on local threads: the same figures, to the digit.
    const local = await runCli([...SWEEP, '--workers', '1', '--json'], env);
    expect(local.code, local.stderr).toBe(0);
    const localId = (JSON.parse(local.stdout) as { sweepId: number }).sweepId;
    await suite.cli.withDb(async (db) => {
      const [distributed, single] = await Promise.all([sweepResults(db, sweepId), sweepResults(db, localId)]);
      expect(distributed.failures).toEqual(single.failures);
      expect(distributed.entries.map(({ index, params, metrics }) => ({ index, params, metrics }))).toEqual(
        single.entries.map(({ index, params, metrics }) => ({ index, params, metrics })),
      );
      const fingerprints = await sql<{
        n: number;
      }>`select count(distinct data_fingerprint)::int as n from backtests where sweep_id in (${sweepId}, ${localId})`.execute(db.kysely);
      expect(fingerprints.rows[0]!.n).toBe(1);
    });

    // The survivors stop cleanly on SIGTERM and take their heartbeat with them.
    for (const survivor of survivors) survivor.child.kill('SIGTERM');
    const exits = await Promise.all(
      survivors.map((s) => new Promise<number | null>((resolve) => s.child.once('exit', (code) => resolve(code)))),
    );
    expect(exits).toEqual([0, 0]);
    const left = await suite.cli.withDb(
      async (db) => (await sql<{ pid: number }>`select pid from job_workers order by pid`.execute(db.kysely)).rows,
    );
    expect(left).toEqual([{ pid: victim.child.pid }]);
  });
});

/** The chunk a worker's log says it started last. */
function lastStarted(lines: readonly string[]): { id: string; sweepId: number; from: number; to: number } | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = /started sweep (\d+), combinations (\d+)-(\d+) \(job ([0-9a-f-]{36})\)/.exec(lines[i]!);
    if (match) return { sweepId: Number(match[1]), from: Number(match[2]), to: Number(match[3]) + 1, id: match[4]! };
  }
  return undefined;
}

async function storedIn(db: Database, chunk: { sweepId: number; from: number; to: number }): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from backtests
    where sweep_id = ${chunk.sweepId} and sweep_index >= ${chunk.from} and sweep_index < ${chunk.to}`.execute(db.kysely);
  return rows[0]!.n;
}

async function jobState(db: Database, id: string): Promise<string | undefined> {
  const { rows } = await sql<{ state: string }>`select state::text from pgboss.job where id = ${id}::uuid`.execute(db.kysely);
  return rows[0]?.state;
}
