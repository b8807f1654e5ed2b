/**
 * The operator hears of every failed run: a job-failure notice queued in the outbox (once per run)
 * and delivered at once. Errors here are the caller's to log: a failing mail server must not stop
 * the service.
 */
import type { Environment } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { createMailTransport } from '../src/mail/mailer.js';
import { deliverOutbox } from '../src/mail/outbox-delivery.js';
import { publishJobFailure } from '../src/report/publish.js';
import type { JobRun } from './job.js';

/** @example createScheduleService({ ..., onFailure: (run) => notifyOperator(db, env, run) }) */
export async function notifyOperator(db: Database, env: Environment, run: JobRun): Promise<void> {
  await publishJobFailure(db, env, {
    job: run.entry === run.job ? run.job : `${run.entry} (${run.job})`,
    runId: run.id,
    scheduledFor: run.trigger === 'manual' ? null : run.scheduledFor,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    error: run.error ?? 'failed without an error message',
    counts: run.counts,
    host: `${run.host} (pid ${run.pid})`,
  });
  await deliverOutbox(db, createMailTransport(env));
}
