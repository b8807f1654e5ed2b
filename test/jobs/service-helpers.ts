/** Shared pieces of the batch-service tests: configurations, a log that keeps its lines, waiting, reading job_runs. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, readEnvironment, type Environment, type MomentumConfig } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import type { Job, JobLogger, JobRun } from '../../jobs/job.js';
import { toJobRun } from '../../jobs/job-runs.js';
import { runSlot, type SlotOutcome } from '../../jobs/run-slot.js';

/** A configuration with no universes and this `schedule` section (validated like a file). */
export function configWith(schedule: Record<string, unknown>, extra: Record<string, unknown> = {}): MomentumConfig {
  return parseConfig({ universes: {}, ...extra, schedule }, '(test config)');
}

/** Writes a configuration file with no universes and this `schedule` section, its health server on a free port; returns `path`. */
export function writeScheduleConfig(path: string, schedule: Record<string, unknown>): string {
  writeFileSync(path, JSON.stringify({ universes: {}, schedule: { healthPort: 0, ...schedule } }));
  return path;
}

export function testEnvironment(): Environment {
  return readEnvironment({ MOMENTUM_HOME: mkdtempSync(join(tmpdir(), 'momentum-jobs-')) });
}

export interface MemoryLog extends JobLogger {
  readonly lines: string[];
}

export function memoryLog(): MemoryLog {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => void lines.push(`info ${m}`),
    warn: (m) => void lines.push(`warn ${m}`),
    error: (m) => void lines.push(`error ${m}`),
  };
}

/**
 * How long a test waits for a state before calling it a hang: generous, because waits end on the
 * state, never on the clock, and a busy shared machine can be many times slower than a quiet one.
 */
export const EVENTUALLY = 10 * 60_000;

export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Every job_runs row (of one entry), oldest slot first. */
export async function runsOf(db: Database, entry?: string): Promise<JobRun[]> {
  let query = db.kysely.selectFrom('job_runs').selectAll();
  if (entry) query = query.where('entry', '=', entry);
  const rows = await query.orderBy('scheduled_for').orderBy('entry').execute();
  return rows.map(toJobRun);
}

/** The whole seconds from `from` to `to` (ms), both included when whole. */
export function secondsBetween(from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(from / 1000) * 1000; t <= to; t += 1000) out.push(t);
  return out;
}

/** Runs one manual slot of `job` (as entry and job `name`) through the service's run path, in this process. */
export function runManualSlot(
  db: Database,
  config: MomentumConfig,
  name: string,
  job: Job,
  args: Record<string, unknown>,
  slot: Date,
): Promise<SlotOutcome> {
  return runSlot(
    {
      db,
      env: testEnvironment(),
      config,
      jobs: { [name]: job },
      log: memoryLog(),
      leaseMs: 60_000,
      signal: new AbortController().signal,
      host: 'test',
      pid: 1,
      inFlight: new Set(),
    },
    { entry: name, job: name, args, slot, trigger: 'manual' },
  );
}
