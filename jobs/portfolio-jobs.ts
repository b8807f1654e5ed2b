/**
 * Per-portfolio jobs for the workers (config `jobs.distributed`): the scheduler's rebalance slot,
 * claimed once in job_runs as ever, queues one `rebalance` job per due portfolio; a worker runs it
 * (portfolio-steps.ts, the inline path's code) and queues the portfolio's `report` job, which
 * renders the report, queues its mail and delivers the outbox. Each job is queued once per
 * (portfolio, day) (portfolio-jobs-store.ts), and running one again is harmless: a rebalance is
 * stored once per day, mail goes under idempotency keys.
 */
import { z } from 'zod';
import { ConfigError } from '../src/errors.js';
import { deliverMail } from '../src/report/deliver-mail.js';
import type { JobContext, JobResult } from './job.js';
import { rebalanceStep, reportStep, type PortfolioStepDeps } from './portfolio-steps.js';
import { embeddedRefusal, jobId, openJobQueue, type JobHandler, type JobQueue } from './queue/job-queue.js';
import { liveWorkers } from './queue/job-workers-store.js';
import { enqueueOnce } from './queue/portfolio-jobs-store.js';

/** A queued portfolio job: the portfolio, the slot's day (its key), whether to deliver mail, and for a report the rebalance's own date. */
const portfolioJobSchema = z.strictObject({
  portfolio: z.string().min(1),
  day: z.iso.date(),
  deliver: z.boolean(),
  asOf: z.iso.date().optional(),
});
export type PortfolioJobData = z.output<typeof portfolioJobSchema>;

/**
 * Queues `data` on `queue` unless a job of its (portfolio, day) was queued before; true when queued now.
 * @example await enqueuePortfolioJob(db, queue, 'rebalance', { portfolio: 'core', day: '2024-06-28', deliver: true })
 */
export async function enqueuePortfolioJob(
  db: PortfolioStepDeps['db'],
  queue: JobQueue,
  name: 'rebalance' | 'report',
  data: PortfolioJobData,
): Promise<boolean> {
  const id = jobId(`${name}:${data.portfolio}:${data.day}`);
  return enqueueOnce(db, { queue: name, portfolio: data.portfolio, day: data.day }, id, (connection) =>
    queue.send(name, [{ id, data }], connection),
  );
}

/** Why `jobs.distributed` is refused on the embedded engine (at the service's start and in the slot). */
export function distributedScheduleRefusal(): ConfigError {
  return new ConfigError(embeddedRefusal('jobs.distributed', 'Set jobs.distributed to false to rebalance in the scheduler itself.'));
}

/** The distributed rebalance slot: one job per due portfolio queued (once per day), counted; a note when no worker is there to take them. */
export async function enqueueRebalances(ctx: JobContext, due: readonly string[], day: string, deliver: boolean): Promise<JobResult> {
  if (ctx.db.engine !== 'postgres') throw distributedScheduleRefusal();
  const queue = await openJobQueue(ctx.db, ctx.env.databaseUrl, ctx.config.jobs, { worker: false });
  try {
    let queued = 0;
    for (const portfolio of due) {
      if (await enqueuePortfolioJob(ctx.db, queue, 'rebalance', { portfolio, day, deliver })) queued++;
      ctx.log.info(`${portfolio}: rebalance as of ${day} queued for the workers`);
    }
    const notes = due.length === 0 ? [`no portfolio is due on ${day}`] : [];
    if (due.length > 0 && (await liveWorkers(ctx.db, 'rebalance')).length === 0)
      notes.push(`no worker is running: the ${due.length} rebalance job(s) wait in the queue until \`momentum worker\` starts`);
    return { counts: { due: due.length, queued, already_queued: due.length - queued }, notes };
  } finally {
    await queue.stop(0);
  }
}

/** The `rebalance` and `report` queues' handlers. */
export function portfolioJobHandlers(deps: PortfolioStepDeps & { readonly log: JobContext['log'] }): {
  rebalance: JobHandler;
  report: JobHandler;
} {
  return {
    rebalance: async (job, queue) => {
      const data = portfolioJobSchema.parse(job.data);
      const step = await rebalanceStep(deps, data.portfolio, data.day);
      await enqueuePortfolioJob(deps.db, queue, 'report', { ...data, asOf: step.asOf });
      return `${data.portfolio}: ${step.alreadyDone ? 'already rebalanced' : 'rebalanced'} as of ${step.asOf} (${step.orders} orders); report queued`;
    },
    report: async (job) => {
      const data = portfolioJobSchema.parse(job.data);
      const report = await reportStep(deps, data.portfolio, data.asOf ?? data.day);
      const delivery = data.deliver ? await deliverMail(deps.db, deps.env) : null;
      const sent = delivery ? `; mail ${delivery.status}, ${delivery.counts.sent} sent` : '';
      return `${data.portfolio}: report ${report.reportPath}, ${report.queued} mail(s) queued${sent}`;
    },
  };
}
