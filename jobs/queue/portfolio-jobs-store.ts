/**
 * The portfolio_jobs table: one queued job per (queue, portfolio, day). The row and the job are
 * written in one transaction, so a slot enqueued twice (a second scheduler, a retried slot) queues
 * nothing twice, and a crash between the two leaves neither.
 */
import { CompiledQuery } from 'kysely';
import type { Database } from '../../src/db/database.js';
import type { QueueConnection } from './job-queue.js';

export interface PortfolioJobKey {
  readonly queue: string;
  readonly portfolio: string;
  /** YYYY-MM-DD */
  readonly day: string;
}

/**
 * Adds the key's row and, in the same transaction, calls `send` with a connection on it; false
 * (and nothing sent) when the key was queued before.
 */
export async function enqueueOnce(
  db: Database,
  key: PortfolioJobKey,
  jobId: string,
  send: (connection: QueueConnection) => Promise<void>,
): Promise<boolean> {
  return db.kysely.transaction().execute(async (trx) => {
    const added = await trx
      .insertInto('portfolio_jobs')
      .values({ ...key, job_id: jobId })
      .onConflict((oc) => oc.columns(['queue', 'portfolio', 'day']).doNothing())
      .returning('job_id')
      .executeTakeFirst();
    if (!added) return false;
    await send({
      executeSql: async (text, values) => ({ rows: [...(await trx.executeQuery(CompiledQuery.raw(text, values))).rows] }),
    });
    return true;
  });
}
