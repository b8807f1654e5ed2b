/**
 * The `rebalance` job: every model portfolio whose rebalance day (or SIP installment) has come by
 * the slot's day is rebalanced on the data up to it, stored (one transaction per portfolio, once per
 * day), its report queued to each subscriber, and the outbox delivered. One portfolio failing never
 * stops the others; the run fails when every due portfolio failed.
 *
 * args: { portfolios?: string[] (default: all), deliver?: boolean (default true) }
 */
import { z } from 'zod';
import { benchmarkOf } from '../src/config.js';
import { errorMessage } from '../src/errors.js';
import { duePortfolios, rebalancePortfolio } from '../src/portfolio/model-portfolio.js';
import { getPortfolio } from '../src/portfolio/portfolio-store.js';
import { createMailTransport } from '../src/mail/mailer.js';
import { deliverOutbox } from '../src/mail/outbox-delivery.js';
import { publishRebalance } from '../src/report/publish.js';
import { resolveGateSet } from '../src/research/gate-set.js';
import { parseJobArgs } from './job-args.js';
import type { Job, JobResult } from './job.js';
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
    const notes: string[] = [];
    let rebalanced = 0;
    let queued = 0;
    const failed: string[] = [];
    for (const name of due) {
      if (ctx.signal.aborted) break;
      try {
        const portfolio = await getPortfolio(ctx.db, name);
        const gateSet = portfolio.request.gateSet;
        const result = await rebalancePortfolio(ctx.db, name, {
          asOf,
          gates: { name: gateSet, set: resolveGateSet(ctx.config.gates, gateSet) },
        });
        const published = await publishRebalance(ctx.db, ctx.env, name, {
          asOf: result.rebalance.asOf,
          benchmark: benchmarkOf(ctx.config, portfolio.request.universe),
        });
        rebalanced += result.alreadyDone ? 0 : 1;
        queued += published.queued.filter((m) => m.created).length;
        ctx.log.info(`${name}: rebalanced as of ${asOf} (${result.rebalance.orders.length} orders); report ${published.reportPath}`);
      } catch (error) {
        failed.push(name);
        notes.push(`${name}: ${errorMessage(error)}`);
        ctx.log.warn(`${name}: ${errorMessage(error)}`);
      }
    }
    if (due.length === 0) notes.push(`no portfolio is due on ${asOf}`);
    const delivery = args.deliver ? await deliverOutbox(ctx.db, createMailTransport(ctx.env)) : null;
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
  { checkArgs: (args: Readonly<Record<string, unknown>>) => void parseArgs(args) },
);
