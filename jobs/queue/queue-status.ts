/** The job queue as `momentum db status` tells it: installed or not, jobs by queue and state, workers alive. */
import type { Database } from '../../src/db/database.js';
import { QUEUE_SCHEMA } from './job-queue.js';
import { queueCounts } from './job-workers-store.js';

/** @example output.out(await describeQueue(db)) // 'job queue: pg-boss (schema pgboss, version 24); sweep: 3 created, 1 active; 2 workers alive' */
export async function describeQueue(db: Database): Promise<string> {
  if (db.engine !== 'postgres')
    return 'job queue: none on the embedded engine (sweeps run on local threads; `momentum worker` needs DATABASE_URL set to a PostgreSQL server)';
  const counts = await queueCounts(db, QUEUE_SCHEMA);
  const workers = `${counts.liveWorkers} worker${counts.liveWorkers === 1 ? '' : 's'} alive`;
  if (counts.version === null)
    return `job queue: not installed yet (the first \`momentum worker\` creates pg-boss's schema ${QUEUE_SCHEMA}); ${workers}`;
  const byQueue = new Map<string, string[]>();
  for (const { queue, state, count } of counts.jobs) byQueue.set(queue, [...(byQueue.get(queue) ?? []), `${count} ${state}`]);
  const jobs = [...byQueue].map(([queue, states]) => `${queue}: ${states.join(', ')}`).join('; ') || 'no jobs';
  return `job queue: pg-boss (schema ${QUEUE_SCHEMA}, version ${counts.version}); ${jobs}; ${workers}`;
}
