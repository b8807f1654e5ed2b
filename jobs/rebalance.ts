/**
 * The `rebalance` job: every model portfolio whose rebalance day (or SIP installment) has come by
 * the slot's day is rebalanced on the data up to it, stored (one transaction per portfolio, once per
 * day), its report queued to each subscriber, and the outbox delivered. One portfolio failing never
 * stops the others; the run fails when every due portfolio failed. With `jobs.distributed` set, the
 * slot queues one rebalance job per due portfolio for the workers instead (portfolio-jobs.ts).
 *
 * args: { portfolios?: string[] (default: all), deliver?: boolean (default true) }
 */
import { z } from 'zod';
import { errorMessage } from '../src/errors.js';
import { duePortfolios } from '../src/portfolio/model-portfolio.js';
import { deliverMail } from '../src/report/deliver-mail.js';
import { parseJobArgs } from './job-args.js';
import type { Job, JobResult } from './job.js';
import { enqueueRebalances } from './portfolio-jobs.js';
import { rebalanceStep, reportStep } from './portfolio-steps.js';
import { slotDate } from './slot-date.js';

const argsSchema = z.strictObject({
  portfolios: z.array(z.string().min(1)).optional(),
  deliver: z.boolean().default(true),
});

function parseArgs(args: Readonly<Record<string, unknown>>) {
  return parseJobArgs(argsSchema, args);
}

export const rebalanceJob: Job = Object.assign(
  async (ctx: Parameters<Job>[0]): Promise<JobResult> => {
    const args = parseArgs(ctx.args);
    const asOf = slotDate(ctx);
    const due = (await duePortfolios(ctx.db, asOf)).filter((name) => !args.portfolios || args.portfolios.includes(name));
    if (ctx.config.jobs.distributed) return enqueueRebalances(ctx, due, asOf, args.deliver);
    const notes: string[] = [];
    let rebalanced = 0;
    let queued = 0;
    const failed: string[] = [];
    for (const name of due) {
      if (ctx.signal.aborted) break;
      try {
        const step = await rebalanceStep(ctx, name, asOf);
        const report = await reportStep(ctx, name, step.asOf);
        rebalanced += step.alreadyDone ? 0 : 1;
        queued += report.queued;
        ctx.log.info(`${name}: rebalanced as of ${asOf} (${step.orders} orders); report ${report.reportPath}`);
      } catch (error) {
        failed.push(name);
        notes.push(`${name}: ${errorMessage(error)}`);
        ctx.log.warn(`${name}: ${errorMessage(error)}`);
      }
    }
    if (due.length === 0) notes.push(`no portfolio is due on ${asOf}`);
    const delivery = args.deliver ? await deliverMail(ctx.db, ctx.env) : null;
    if (delivery && delivery.status !== 'ok')
      notes.push(`mail delivery ${delivery.status}${delivery.stoppedBy ? `: ${delivery.stoppedBy}` : ''}`);
    return {
      counts: {
        due: due.length,
        rebalanced,
        failed: failed.length,
        mails_queued: queued,
        mails_sent: delivery?.counts.sent ?? 0,
        mails_retry: delivery?.counts.retry ?? 0,
      },
      notes,
      ...(due.length > 0 && failed.length === due.length ? { error: `every due portfolio failed: ${failed.join(', ')}` } : {}),
    };
  },
  {
    checkArgs: (args: Readonly<Record<string, unknown>>) => void parseArgs(args),
    // Safe to run again: a portfolio is rebalanced once per day in one transaction (a second run
    // finds it done), reports are queued under idempotency keys and mail goes at most once.
    retrySafe: true,
  },
);
