/**
 * The operator's notice that a job run failed: which job and slot, when it ran, the error text
 * and what it got done before failing.
 */
import type { MailContent } from '../mail/mail-content.js';
import { formatInstant } from './report-format.js';
import type { JobFailure } from './report-models.js';
import { oneLine } from './report-view.js';
import { reportTemplates, type ReportTemplates } from './templates.js';

export interface JobFailureRenderOptions {
  readonly templates?: ReportTemplates;
}

/** @example const mail = renderJobFailure({ job: 'ingest', scheduledFor: slot, startedAt, endedAt, error: errorMessage(e) }) */
export function renderJobFailure(failure: JobFailure, options: JobFailureRenderOptions = {}): MailContent {
  const templates = options.templates ?? reportTemplates();
  const slot = failure.scheduledFor === null ? 'started by hand' : `slot ${formatInstant(failure.scheduledFor)}`;
  const counts = Object.entries(failure.counts ?? {}).map(([name, value]) => ({ name, value }));
  const view = {
    subject: oneLine(`momentum: job ${failure.job} failed (${slot})`),
    title: `Job ${failure.job} failed`,
    preheader: oneLine(failure.error).slice(0, 140),
    header: { kicker: 'Job failed', heading: failure.job, subheading: `${slot}${failure.host ? ` · on ${failure.host}` : ''}` },
    job: failure.job,
    runId: failure.runId ?? null,
    scheduledFor: failure.scheduledFor,
    startedAt: failure.startedAt,
    endedAt: failure.endedAt,
    error: failure.error,
    counts,
    hasCounts: counts.length > 0,
    host: failure.host ?? null,
  };
  return { subject: view.subject, html: templates.html('job-failure', view), text: templates.text('job-failure', view), attachments: [] };
}
