/**
 * Delivering the outbox as configured: through SMTP_URL (else .eml files), with the operator told of
 * every message a server refuses for its size. What jobs, the demo and `momentum outbox send` call.
 */
import type { Environment } from '../config.js';
import type { Database } from '../db/database.js';
import { createMailTransport } from '../mail/mailer.js';
import type { MailTransport } from '../mail/mail-transport.js';
import { deliverOutbox, type DeliverOptions, type DeliveryReport } from '../mail/outbox-delivery.js';
import { publishMailRefused } from './publish.js';

type DeliverEnv = Pick<Environment, 'smtpUrl' | 'home' | 'operatorEmail' | 'mailFrom'>;

/** @example const report = await deliverMail(db, env); */
export function deliverMail(
  db: Database,
  env: DeliverEnv,
  options: DeliverOptions & { readonly transport?: MailTransport } = {},
): Promise<DeliveryReport> {
  const { transport = createMailTransport(env), ...rest } = options;
  return deliverOutbox(db, transport, { ...rest, onSizeRefusal: async (refused) => void (await publishMailRefused(db, env, refused)) });
}
