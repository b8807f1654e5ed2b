/**
 * Issue 18 benchmarks, the distributed job engine on PostgreSQL (pg-boss): the sweep of the
 * `sweep` section (1,000 combinations of xs-momentum on 50 x 5,000 days) queued by `momentum sweep
 * --distributed` and run by 1 and then 2 `momentum worker` processes (combinations/s and the
 * scaling; the same sweep on local threads beside them), and the queue's own cost per job: empty
 * jobs sent, taken, run and completed one after another.
 */
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openJobQueue } from '../jobs/queue/job-queue.js';
import { parseConfig, readEnvironment } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { sleep } from '../src/util/retry.js';
import { createServerDatabase } from '../test/helpers/test-database.js';
import { BARS_PER_COMBINATION, randomPanel, storePanel, SWEEP_GRID } from './backtest-bench.js';
import { fmt, median, report } from './bench-utils.js';
import { runCommand } from './command-runs.js';
import { start } from './service-bench.js';

const RUNS = 3;
const EMPTY_JOBS = 500;

export async function benchWorkers(): Promise<void> {
  console.log(
    '\ndistributed sweep on PostgreSQL: 1,000 combinations of xs-momentum on 50 x 5,000 days, chunks of 50, momentum worker processes',
  );
  const panel = randomPanel(50, 5000, 3);
  const server = await createServerDatabase();
  const home = mkdtempSync(join(tmpdir(), 'momentum-bench-workers-'));
  // Idle workers look for jobs every second (the least pg-boss allows): a sweep waits up to that for its first chunk.
  const configPath = join(home, 'momentum.config.json');
  const shipped = JSON.parse(readFileSync(resolve(import.meta.dirname, '../momentum.config.json'), 'utf8')) as object;
  writeFileSync(configPath, JSON.stringify({ ...shipped, jobs: { pollInterval: '1s' } }));
  const env = { MOMENTUM_HOME: home, DATABASE_URL: server.url, MOMENTUM_CONFIG: configPath };
  const workers: ChildProcess[] = [];
  try {
    const db = await openDatabase({ url: server.url });
    try {
      await storePanel(db, panel);
    } finally {
      await db.close();
    }
    const sweep = ['sweep', '--strategy', 'xs-momentum', '--symbols', panel.symbols.join(','), '--json'];
    for (const [name, values] of Object.entries(SWEEP_GRID)) sweep.push('--grid', `${name}=${values.join(',')}`);
    const rate = (args: readonly string[]) => {
      const seconds: number[] = [];
      let combinations = 0;
      for (let i = 0; i < RUNS; i++) {
        const output = JSON.parse(runCommand(args, env, 1).stdout) as { seconds: number; combinations: number; failed: unknown[] };
        seconds.push(output.seconds);
        combinations = output.combinations - output.failed.length;
      }
      return { seconds: median(seconds), perSecond: combinations / median(seconds), combinations };
    };
    const local = rate([...sweep, '--workers', '2']);
    report(
      `local threads (2), for comparison (median of ${RUNS})`,
      `${local.seconds.toFixed(2)} s, ${fmt(local.perSecond, 0)} combinations/s`,
    );
    const rates: number[] = [];
    for (const count of [1, 2]) {
      while (workers.length < count) workers.push((await start(['worker', '--queues', 'sweep'], env, /momentum worker: ready/)).child);
      const distributed = rate([...sweep, '--distributed']);
      rates.push(distributed.perSecond);
      report(
        `${count} worker process${count === 1 ? '' : 'es'} (median of ${RUNS}; queue, run, store, follow)`,
        `${distributed.seconds.toFixed(2)} s, ${fmt(distributed.perSecond, 0)} combinations/s (${fmt((distributed.perSecond * BARS_PER_COMBINATION) / 1e6, 1)}M bar-combinations/s)`,
      );
    }
    report('  scaling, 2 workers against 1', `x${(rates[1]! / rates[0]!).toFixed(2)} (2 cores shared with PostgreSQL and the follower)`);
    await stopAll(workers);
    await benchQueueOverhead(server.url);
  } finally {
    await stopAll(workers);
    rmSync(home, { recursive: true, force: true });
    await server.drop();
  }
}

async function stopAll(workers: ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.splice(0).map(
      (child) =>
        new Promise<void>((resolveExit) => {
          if (child.exitCode !== null) return resolveExit();
          child.once('exit', () => resolveExit());
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** Empty jobs through the queue one at a time (one worker, concurrency 1): what pg-boss adds to each chunk. */
async function benchQueueOverhead(url: string): Promise<void> {
  const db = await openDatabase({ url });
  const jobs = parseConfig({ universes: {}, jobs: { pollInterval: '1s' } }).jobs;
  const env = { ...readEnvironment({}), databaseUrl: url };
  const sender = await openJobQueue(db, env.databaseUrl, jobs, { worker: false });
  const worker = await openJobQueue(db, env.databaseUrl, jobs, { worker: true });
  try {
    const ids = Array.from({ length: EMPTY_JOBS }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const sent = performance.now();
    await sender.send(
      'report',
      ids.map((id) => ({ id, data: {} })),
    );
    const sendMs = performance.now() - sent;
    // From the first job taken (an idle worker polls every second) to the last completed.
    let first: number | undefined;
    await worker.work('report', 1, async () => {
      first ??= performance.now();
      return '';
    });
    while ((await sender.states('report', ids)).completed < EMPTY_JOBS) await sleep(20);
    const ms = performance.now() - first!;
    report(
      `queue overhead: ${EMPTY_JOBS} empty jobs queued in one insert`,
      `${fmt(sendMs, 0)} ms (${fmt((sendMs * 1000) / EMPTY_JOBS, 0)} µs a job)`,
    );
    report('  taken, run and completed one at a time by one worker', `${fmt(ms / 1000, 2)} s, ${fmt(ms / (EMPTY_JOBS - 1), 1)} ms a job`);
  } finally {
    await worker.stop(1000);
    await sender.stop(0);
    await db.close();
  }
}
