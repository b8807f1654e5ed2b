/** What the subscriber and outbox commands do (see subscriber-commands.ts for their options). */
import { ValidationError } from '../errors.js';
import { createMailTransport } from '../mail/mailer.js';
import { listOutbox, requeueOutbox, type OutboxEntry, type OutboxStatus } from '../mail/outbox-store.js';
import type { DeliveryResult } from '../mail/outbox-delivery.js';
import { addSubscriber, listSubscribers, unsubscribe, unsubscribeLink, type Subscriber } from '../mail/subscriber-store.js';
import { deliverMail } from '../report/deliver-mail.js';
import { formatNumber } from '../report/report-format.js';
import { formatTable } from '../util/table.js';
import { withDatabase, withLightDatabase, type Output } from './cli-context.js';
import { numberText, parseChoice, parseFlag, parseIntegerOption } from './options.js';

export interface AddFlags {
  portfolio: string;
  email: string;
  name?: string;
  amount: string;
  currency?: string;
  json?: boolean;
}

export interface ListFlags {
  portfolio?: string;
  all?: boolean;
  json?: boolean;
}

export interface RemoveFlags {
  token?: string;
  email?: string;
  portfolio?: string;
}

export interface OutboxListFlags {
  status?: string;
  limit?: string;
  json?: boolean;
}

export interface OutboxSendFlags {
  limit?: string;
  maxAttempts?: string;
}

const STATUSES = ['queued', 'sending', 'sent', 'failed', 'cancelled'] as const satisfies readonly OutboxStatus[];

const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : null);
const minute = (date: Date | null) => (date ? `${date.toISOString().slice(0, 16).replace('T', ' ')}Z` : null);

export async function addAction(flags: AddFlags, output: Output): Promise<void> {
  // A number here; its range is the subscriber schema's (one check).
  const amount = parseFlag(numberText(), flags.amount, 'amount')!;
  await withDatabase(async (db, env) => {
    const subscriber = await addSubscriber(db, {
      portfolio: flags.portfolio,
      email: flags.email,
      name: flags.name,
      amount,
      currency: flags.currency,
    });
    if (flags.json) return output.out(JSON.stringify(subscriber, null, 2));
    output.out(
      `${subscriber.resubscribed ? 're-subscribed' : 'subscribed'} ${subscriber.email} to ${subscriber.portfolio} ` +
        `(subscriber ${subscriber.id}) with ${formatNumber(subscriber.amount, 2)} ${subscriber.currency}`,
    );
    output.out(`unsubscribe link: ${unsubscribeLink(env, subscriber.unsubscribeToken)}`);
  });
}

export async function listAction(flags: ListFlags, output: Output): Promise<void> {
  await withLightDatabase(async (db) => {
    const rows = await listSubscribers(db, { portfolio: flags.portfolio, includeUnsubscribed: flags.all });
    if (flags.json) return output.out(JSON.stringify(rows, null, 2));
    if (rows.length === 0) return output.out(flags.portfolio ? `no subscribers to ${flags.portfolio}` : 'no subscribers');
    output.out(formatTable(rows.map(subscriberRow), ['id', 'portfolio', 'email', 'name', 'amount', 'currency', 'since', 'unsubscribed']));
  });
}

function subscriberRow(s: Subscriber) {
  return {
    id: s.id,
    portfolio: s.portfolio,
    email: s.email,
    name: s.name,
    amount: formatNumber(s.amount, 2),
    currency: s.currency,
    since: day(s.createdAt),
    unsubscribed: day(s.unsubscribedAt),
  };
}

export async function removeAction(flags: RemoveFlags, output: Output): Promise<void> {
  if ((flags.token === undefined) === (flags.email === undefined)) {
    throw new ValidationError('token', 'give either --token T (from an unsubscribe link) or --email E [--portfolio NAME]');
  }
  if (flags.token !== undefined && flags.portfolio !== undefined) {
    throw new ValidationError('portfolio', '--portfolio goes with --email; a token names one subscription already');
  }
  await withDatabase(async (db) => {
    const target = flags.token !== undefined ? { token: flags.token } : { email: flags.email!, portfolio: flags.portfolio };
    const removed = await unsubscribe(db, target);
    if (removed.length === 0) return output.out('already unsubscribed: nothing to do');
    for (const s of removed) output.out(`unsubscribed ${s.email} from ${s.portfolio} (subscriber ${s.id})`);
  });
}

export async function outboxListAction(flags: OutboxListFlags, output: Output): Promise<void> {
  const status = parseChoice(flags.status, 'status', STATUSES);
  const limit = parseIntegerOption(flags.limit, 'limit', 1, 100_000) ?? 50;
  await withLightDatabase(async (db) => {
    const rows = await listOutbox(db, { status, limit });
    if (flags.json) return output.out(JSON.stringify(rows, null, 2));
    if (rows.length === 0) return output.out(flags.status ? `no ${flags.status} messages` : 'the outbox is empty');
    output.out(formatTable(rows.map(outboxRow), ['id', 'key', 'to', 'subject', 'status', 'attempts', 'when', 'detail']));
  });
}

function outboxRow(m: OutboxEntry) {
  const clip = (text: string | null, n: number) => (text && text.length > n ? `${text.slice(0, n - 1)}…` : text);
  return {
    id: m.id,
    key: m.idempotencyKey,
    to: m.recipient,
    subject: clip(m.subject, 40),
    status: m.status,
    attempts: m.attempts,
    when: minute(m.status === 'sent' ? m.sentAt : m.status === 'queued' ? m.nextAttemptAt : null),
    detail: clip(m.status === 'sent' ? m.destination : m.lastError, 80),
  };
}

export async function outboxSendAction(flags: OutboxSendFlags, output: Output): Promise<void> {
  const limit = parseIntegerOption(flags.limit, 'limit', 1, 1_000_000);
  const maxAttempts = parseIntegerOption(flags.maxAttempts, 'max-attempts', 1, 100);
  const { report, kind } = await withDatabase(async (db, env) => {
    const transport = createMailTransport(env);
    output.err(
      transport.kind === 'smtp' ? `sending through ${transport.target}` : `no SMTP_URL: writing .eml files to ${transport.target}`,
    );
    if (transport.kind === 'smtp' && !env.publicUrl) {
      output.err('warning: MOMENTUM_PUBLIC_URL is unset, so unsubscribe links in new mail point to this machine');
    }
    const delivered = await deliverMail(db, env, {
      transport,
      ...(limit === undefined ? {} : { limit }),
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
      onResult: (r) => output.out(describe(r, transport.kind)),
    });
    return { report: delivered, kind: transport.kind };
  });
  for (const e of report.expired) output.out(`failed  ${e.idempotencyKey}: outcome unknown (its deliverer stopped while sending)`);
  const { sent, retry, deferred, failed, cancelled } = report.counts;
  const parts = [`${sent} ${kind === 'eml' ? 'written' : 'sent'}`, `${retry} to retry`, `${failed + report.expired.length} failed`];
  if (deferred > 0) parts.push(`${deferred} not attempted`);
  if (cancelled > 0) parts.push(`${cancelled} cancelled (unsubscribed)`);
  output.out(report.results.length + report.expired.length === 0 && cancelled === 0 ? 'nothing due' : parts.join(', '));
  if (report.stoppedBy) output.err(`stopped: ${report.stoppedBy}; the rest stay queued`);
  if (report.status === 'stopped') process.exitCode = 1;
  else if (report.status === 'partial') process.exitCode = 2;
}

function describe(r: DeliveryResult, kind: 'smtp' | 'eml'): string {
  if (r.outcome === 'sent')
    return kind === 'eml' ? `wrote   ${r.destination}` : `sent    ${r.idempotencyKey} to ${r.recipient}: ${r.destination}`;
  if (r.outcome === 'retry') return `retry   ${r.idempotencyKey} at ${minute(r.nextAttemptAt ?? null)} (attempt ${r.attempts}): ${r.error}`;
  if (r.outcome === 'deferred') return `later   ${r.idempotencyKey}: ${r.error}`;
  return `failed  ${r.idempotencyKey}: ${r.error}`;
}

export async function outboxRetryAction(key: string, output: Output): Promise<void> {
  await withDatabase(async (db) => {
    const entry = await requeueOutbox(db, key);
    output.out(`queued ${entry.idempotencyKey} again; momentum outbox send delivers it`);
  });
}
