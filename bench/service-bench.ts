/**
 * Issue 15 benchmarks, the long-running commands as an operator runs them (the built CLI in its
 * own process, real sockets on loopback):
 * - `momentum serve`: GET /health latency (p50, p99, max) while 200 POST /api/run arrive at once,
 *   with bodies of a realistic size (200 assets x 24 periods, ~100 KB);
 * - `momentum schedule` with an every-second entry: from spawn to its start line, and from SIGTERM
 *   to exit while it catches up (no catch-up, the opening of the database alone; the default 24 h
 *   window; the largest: 7 days, 10,000 slots).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fmt, median, report } from './bench-utils.js';
import { randomRequest } from './mpo-bench.js';

const CLI = resolve(import.meta.dirname, '../dist/cli/cli.js');
const BURST = 200;

/** Starts the built CLI; resolves with the process and the first stdout match of `ready`, and when it came. */
export function start(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray; ms: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolvePromise, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = ready.exec(out);
      if (match) resolvePromise({ child, match, ms: performance.now() - t0 });
    });
    child.stderr!.resume();
    child.once('exit', (code) => reject(new Error(`momentum ${args[0]} exited ${code} before it was ready`)));
  });
}

function stopped(child: ChildProcess): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolvePromise) => {
    child.once('exit', () => resolvePromise(performance.now() - t0));
    child.kill('SIGTERM');
  });
}

/** One HTTP exchange on its own connection: the status and the milliseconds to the whole answer. */
function exchange(url: string, method: string, body?: string): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolvePromise) => {
    const req = request(
      url,
      { method, agent: new Agent({ keepAlive: false }), headers: body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        res.resume();
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
      },
    );
    req.on('error', () => resolvePromise({ status: -1, ms: performance.now() - t0 }));
    req.end(body);
  });
}

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function benchHealthDuringBurst(home: string): Promise<void> {
  const { child, match } = await start(
    ['serve', '--port', '0'],
    { MOMENTUM_HOME: home, DATABASE_URL: '' },
    /serving POST (http:\S+)\/api\/run/,
  );
  const url = match[1]!;
  const body = JSON.stringify(randomRequest(200, 24, 7));
  try {
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    for (let round = 0; round < 3; round++) {
      let bursting = true;
      const burst = Promise.all(Array.from({ length: BURST }, () => exchange(`${url}/api/run`, 'POST', body))).then((answers) => {
        bursting = false;
        for (const { status } of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
      });
      while (bursting) latencies.push((await exchange(`${url}/health`, 'GET')).ms);
      await burst;
    }
    const answered = [...statuses].map(([status, n]) => `${n} x ${status}`).join(', ');
    report(
      `GET /health during ${BURST} POST /api/run at once (3 bursts, ${Math.round(body.length / 1024)} KB bodies)`,
      `p50 ${fmt(median(latencies), 1)} ms, p99 ${fmt(percentile(latencies, 99), 1)} ms, max ${fmt(Math.max(...latencies), 1)} ms (${latencies.length} probes; bursts answered ${answered})`,
      'p99 < 100 ms',
    );
  } finally {
    await stopped(child);
  }
}

async function benchScheduleStart(home: string, dir: string, catchUpWindow: string, catchUpLimit: number): Promise<void> {
  const config = join(dir, `schedule-${catchUpWindow}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      universes: {},
      schedule: { healthPort: 0, catchUpWindow, catchUpLimit, entries: [{ name: 'tick', job: 'monitor', cron: '* * * * * *' }] },
    }),
  );
  const starts: number[] = [];
  const stops: number[] = [];
  for (let i = 0; i < 3; i++) {
    const { child, ms } = await start(['schedule', '--config', config], { MOMENTUM_HOME: home, DATABASE_URL: '' }, /GET http:\S+\/health/);
    starts.push(ms);
    stops.push(await stopped(child));
  }
  report(
    `momentum schedule, every second, catchUpWindow ${catchUpWindow}, catchUpLimit ${fmt(catchUpLimit)}`,
    `start line ${fmt(median(starts))} ms, SIGTERM to exit ${fmt(median(stops))} ms (median of 3)`,
    catchUpWindow === '0s' ? undefined : 'catch-up adds < 1 s to the 0s row',
  );
}

export async function benchService(): Promise<void> {
  console.log('\nthe long-running commands (built CLI, own process, loopback sockets, embedded database)');
  const dir = mkdtempSync(join(tmpdir(), 'momentum-bench-service-'));
  const home = join(dir, 'home');
  try {
    await benchHealthDuringBurst(home);
    await benchScheduleStart(home, dir, '0s', 100);
    await benchScheduleStart(home, dir, '24h', 100);
    await benchScheduleStart(home, dir, '7d', 10_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
