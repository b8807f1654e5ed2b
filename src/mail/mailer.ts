/**
 * The mailer the configuration asks for: SMTP when `SMTP_URL` is set, otherwise .eml files in
 * `<MOMENTUM_HOME>/outbox/`. Messages reach it only through the outbox (outbox-store.ts, outbox-delivery.ts).
 */
import { join } from 'node:path';
import type { Environment } from '../config.js';
import { emlTransport } from './eml-transport.js';
import type { MailTransport } from './mail-transport.js';
import { smtpTransport, type SmtpTransportOptions } from './smtp-transport.js';

/** The sender when `MAIL_FROM` is unset (fine for .eml files; set MAIL_FROM for SMTP). */
export const DEFAULT_MAIL_FROM = 'momentum@localhost';

/** Where .eml files go without SMTP. */
export function outboxFolder(home: string): string {
  return join(home, 'outbox');
}

/** `MAIL_FROM`, or the default. */
export function mailFrom(env: Pick<Environment, 'mailFrom'>): string {
  return env.mailFrom ?? DEFAULT_MAIL_FROM;
}

/**
 * @example const transport = createMailTransport(readEnvironment()); await deliverOutbox(db, transport);
 */
export function createMailTransport(env: Pick<Environment, 'smtpUrl' | 'home'>, options: SmtpTransportOptions = {}): MailTransport {
  return env.smtpUrl ? smtpTransport(env.smtpUrl, options) : emlTransport(outboxFolder(env.home));
}
