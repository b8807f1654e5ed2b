/**
 * The `monitor` job (daily, after ingest): post-trade monitoring of every model portfolio as of the
 * slot's day (value, drawdown, drift, exit signals; src/monitor), each new drawdown alert queued to
 * the portfolio's subscribers, and the outbox delivered. Alerts are created once per threshold and
 * episode, so re-running a day mails nothing twice.
 *
 * args: the monitor settings (thresholds, trailingStop, staleAfterDays, basis, strategyCheck),
 * alertFreshnessDays (default 3: an alert observed longer before the slot's day is stored, not
 * mailed) and deliver (default true).
 */
import { errorMessage, ValidationError } from '../src/errors.js';
import { monitorPortfolios } from '../src/monitor/monitor-portfolios.js';
import { monitorSettings, type MonitorSettingsInput } from '../src/monitor/monitor-options.js';
import { createMailTransport } from '../src/mail/mailer.js';
import { deliverOutbox } from '../src/mail/outbox-delivery.js';
import { DEFAULT_ALERT_FRESHNESS_DAYS, notMailedNotes, publishAlerts } from '../src/report/publish.js';
import type { Job, JobResult } from './job.js';
import { slotDate } from './slot-date.js';

function split(args: Readonly<Record<string, unknown>>): { deliver: boolean; freshnessDays: number; settings: MonitorSettingsInput } {
  const { deliver, alertFreshnessDays, ...settings } = args;
  if (deliver !== undefined && typeof deliver !== 'boolean') throw new ValidationError('args.deliver', 'expected true or false');
  const freshness = alertFreshnessDays ?? DEFAULT_ALERT_FRESHNESS_DAYS;
  if (typeof freshness !== 'number' || !Number.isInteger(freshness) || freshness < 0 || freshness > 366)
    throw new ValidationError('args.alertFreshnessDays', 'expected a whole number of days from 0 to 366');
  monitorSettings(settings as MonitorSettingsInput);
  return { deliver: deliver !== false, freshnessDays: freshness, settings: settings as MonitorSettingsInput };
}

export const monitorJob: Job = Object.assign(
  async (ctx: Parameters<Job>[0]): Promise<JobResult> => {
    const { deliver, freshnessDays, settings } = split(ctx.args);
    const asOf = slotDate(ctx);
    const result = await monitorPortfolios(ctx.db, { ...settings, asOf });
    const published = await publishAlerts(ctx.db, ctx.env, result.newAlerts, result.portfolios, { freshnessDays });
    const notes = [
      ...result.portfolios.flatMap((p) => p.warnings.map((w) => `${p.portfolio}: ${w}`)),
      ...result.failed.map((f) => `${f.portfolio}: ${f.error}`),
      ...result.skipped.map((s) => `${s.portfolio}: ${s.reason}`),
    ];
    notes.push(...notMailedNotes(published, freshnessDays));
    let sent = 0;
    if (deliver) {
      try {
        sent = (await deliverOutbox(ctx.db, createMailTransport(ctx.env))).counts.sent;
      } catch (error) {
        notes.push(`mail delivery: ${errorMessage(error)}`);
      }
    }
    const all = result.portfolios.length + result.failed.length;
    return {
      counts: {
        portfolios: result.portfolios.length,
        failed: result.failed.length,
        alerts: result.newAlerts.length,
        mails_queued: published.queued.filter((m) => m.created).length,
        mails_sent: sent,
      },
      notes,
      ...(all > 0 && result.failed.length === all
        ? { error: `monitoring failed for every portfolio: ${result.failed.map((f) => f.portfolio).join(', ')}` }
        : {}),
    };
  },
  { checkArgs: (args: Readonly<Record<string, unknown>>) => void split(args) },
);
