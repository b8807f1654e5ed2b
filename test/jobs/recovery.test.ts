/**
 * A job whose runner died: `momentum schedule` killed with kill -9 in the middle of a run. Its
 * job_runs row must not stay `running`: a live replica (or the same service restarted) records it
 * failed ("runner died"), mails the operator once, and runs the slot again (the job is safe to
 * retry). A restart does so at once, within the lease and whatever its catch-up window, before it
 * catches up (so no slot is recorded as skipped against the dead run). Real processes, on the engine
 * under test: on the embedded database the survivor holds it and the victim reaches it through it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { readOutboxMessage } from '../../src/mail/outbox-store.js';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { finished, spawnCli, type CliResult } from '../helpers/cli.js';
import { spawnedProcesses } from '../helpers/processes.js';
import { engineName } from '../helpers/test-database.js';
import { EVENTUALLY, runsOf, waitFor, writeScheduleConfig } from './service-helpers.js';

interface Service {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly result: Promise<CliResult>;
}

describe(`a run whose runner was killed (-9) (${engineName})`, () => {
  const processes = spawnedProcesses();
  let cli: CliEnvironment;
  let dir: string;
  beforeEach(async () => {
    cli = await cliEnvironment();
    dir = mkdtempSync(join(tmpdir(), 'momentum-recovery-'));
    const db = await openDatabase({ url: cli.url, home: cli.home });
    await sql`create table job_probe (entry text not null, slot timestamptz not null, pid integer not null)`.execute(db.kysely);
    await db.close();
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cli.dispose();
  });

  /** An every-minute (or `cron`) entry of the `hang` job; `schedule` is merged into the section. */
  const config = (name: string, schedule: Record<string, unknown>, cron = '* * * * *'): string =>
    writeScheduleConfig(join(dir, `${name}.json`), { entries: [{ name: 'work', job: 'hang', cron }], ...schedule });

  function start(configPath: string, flags: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Service {
    const child = processes.track(
      spawnCli(['schedule', '--config', configPath, '--jobs-module', 'test/jobs/fixtures/test-jobs.ts', ...flags], {
        ...cli.env,
        MAIL_FROM: 'momentum@example.com',
        MOMENTUM_OPERATOR_EMAIL: 'ops@example.com',
        ...env,
      }),
    );
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    return { child, output: () => text, result: finished(child) };
  }

  async function kill(service: Service): Promise<void> {
    service.child.kill('SIGKILL');
    await service.result;
  }

  async function stop(service: Service): Promise<void> {
    service.child.kill('SIGTERM');
    const result = await service.result;
    expect(result.code, service.output()).toBe(0);
  }

  const withDb = <T>(work: (db: Database) => Promise<T>): Promise<T> => cli.withDb(work);

  /** The slot the victim hangs on, from its log. */
  async function hangingSlot(victim: Service): Promise<Date> {
    await waitFor(() => /\[work\] hanging on slot (\S+)/.test(victim.output()), EVENTUALLY, `the victim to hang:\n${victim.output()}`);
    return new Date(/\[work\] hanging on slot (\S+)/.exec(victim.output())![1]!);
  }

  /** The slot's run once it succeeded again, its probes (pids that ran its body) and the operator mail about it. */
  async function recovered(slot: Date) {
    let run;
    await waitFor(
      async () => {
        run = (await withDb((db) => runsOf(db, 'work'))).find((r) => r.scheduledFor.getTime() === slot.getTime());
        return run?.status === 'succeeded';
      },
      EVENTUALLY,
      `slot ${slot.toISOString()} to be run again`,
    );
    return withDb(async (db) => {
      const probes = await sql<{ pid: number }>`select pid from job_probe where slot = ${slot} order by pid`.execute(db.kysely);
      const notices = await db.kysely
        .selectFrom('outbox')
        .select(['idempotency_key', 'recipient'])
        .where('kind', '=', 'job-failure')
        .execute();
      const mails = await Promise.all(notices.map(async (n) => simpleParser((await readOutboxMessage(db, n.idempotency_key))!)));
      return { run: run!, probes: probes.rows.map((p) => p.pid), notices, mails };
    });
  }

  it('a live replica records it failed (runner died), tells the operator once, and runs the slot again', async () => {
    const path = config('replicas', { lease: '3s', catchUpWindow: '3m', catchUpLimit: 1 });
    // The survivor first (it holds the embedded database). Its entry is the same one on a yearly
    // calendar, so it never races the victim for a minute's slot (it won most races, the database
    // being its own, and the victim waited minutes for one); a dead run of the entry is its to retry.
    const survivor = start(config('replicas-survivor', { lease: '3s' }, '0 0 1 1 *'), ['--no-catch-up']);
    await waitFor(() => survivor.output().includes('momentum schedule: 1 entry'), EVENTUALLY, 'the survivor to start');
    const victim = start(path, [], { MOMENTUM_TEST_HANG: '1' });
    const slot = await hangingSlot(victim);
    await kill(victim);

    const { run, probes, notices, mails } = await recovered(slot);
    expect(run).toMatchObject({ attempt: 2, pid: survivor.child.pid });
    expect(run.notes.join('\n')).toContain(`attempt 1 (`);
    expect(run.notes.join('\n')).toContain(`:${victim.child.pid}) died`);
    expect(probes.sort()).toEqual([victim.child.pid, survivor.child.pid].sort());
    expect(notices).toHaveLength(1);
    expect(notices[0]!.recipient).toBe('ops@example.com');
    expect(mails[0]!.subject).toMatch(/job work \(hang\) failed/);
    expect(mails[0]!.text).toContain('runner died');
    await stop(survivor);
  });

  it.each([
    ['with catch-up: the slots it missed meanwhile are caught up, none recorded as skipped against the dead run', []],
    ['without catch-up (--no-catch-up)', ['--no-catch-up']],
  ])('a restart recovers its own dead run at once, within a 10 min lease: %s', async (_, flags) => {
    const path = config('restart', { lease: '10m', catchUpWindow: '3m', catchUpLimit: 2 });
    const victim = start(path, [], { MOMENTUM_TEST_HANG: '1' });
    const slot = await hangingSlot(victim);
    await kill(victim);

    const restarted = start(path, flags);
    const { run, probes, notices, mails } = await recovered(slot);
    expect(run).toMatchObject({ attempt: 2, pid: restarted.child.pid });
    expect(probes.sort()).toEqual([victim.child.pid, restarted.child.pid].sort());
    expect(notices).toHaveLength(1);
    expect(mails[0]!.text).toContain('runner died');
    if (flags.length === 0) {
      // The other caught-up slot (the victim never started it) runs too, not skipped.
      await waitFor(
        async () =>
          (await withDb((db) => runsOf(db, 'work'))).filter((r) => r.trigger === 'catch-up' && r.status === 'succeeded').length >= 2,
        EVENTUALLY,
        'both caught-up slots to succeed',
      );
    }
    const runs = await withDb((db) => runsOf(db, 'work'));
    for (const r of runs) expect(r.error ?? '', `run ${r.id}`).not.toContain(`:${victim.child.pid}) was still running`);
    await stop(restarted);
  });
});
