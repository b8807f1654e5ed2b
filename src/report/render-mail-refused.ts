/**
 * The operator's notice that a relay refused a message for its size: which message, to whom, its
 * size and the server's limit, and what to do (a message over the limit never goes as it is).
 */
import type { MailContent } from '../mail/mail-content.js';
import { formatNumber } from './report-format.js';
import type { MailRefusal } from './report-models.js';
import { oneLine } from './report-view.js';
import { reportTemplates, type ReportTemplates } from './templates.js';

/** @example const mail = renderMailRefused({ key: 'rebalance:3:2024-05-31:7', kind: 'rebalance', recipient, subject, messageBytes: 14e6, limitBytes: 10240000, reply }) */
export function renderMailRefused(refusal: MailRefusal, options: { readonly templates?: ReportTemplates } = {}): MailContent {
  const templates = options.templates ?? reportTemplates();
  const size = `${formatNumber(refusal.messageBytes, 0)} bytes`;
  const view = {
    ...refusal,
    subject: oneLine(`momentum: a message to ${refusal.recipient} was refused for its size (${size})`),
    title: 'A message was refused for its size',
    preheader: oneLine(`${refusal.key}: ${size}, over what the mail server takes`),
    header: { kicker: 'Mail refused', heading: `${size} to ${refusal.recipient}`, subheading: refusal.key },
  };
  return { subject: view.subject, html: templates.html('mail-refused', view), text: templates.text('mail-refused', view), attachments: [] };
}
