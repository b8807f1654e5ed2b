/**
 * The outbox: every email is a row, composed once when enqueued and keyed by an idempotency key,
 * so enqueueing the same message twice (a job re-run, a retry) does nothing. Delivery is in
 * outbox-delivery.ts.
 *
 * Keys: `rebalance:<portfolioId>:<asOf>:<subscriberId>`, `alert:<alertId>:<subscriberId>`,
 * `job-failure:<jobRunId>`, `mail-refused:<outboxId>` (see the key functions below).
 */
import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import type { OutboxTable } from '../db/schema.js';
import { ValidationError } from '../errors.js';
import { composeMail, type MailAddress } from './mail-compose.js';
import type { MailContent } from './mail-content.js';
import { DEFAULT_MAIL_FROM } from './mailer.js';

export const MAIL_KINDS = ['rebalance', 'alert', 'job-failure', 'mail-refused'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled';

/** One outbox row without its message bytes. */
export interface OutboxEntry {
  readonly id: number;
  readonly idempotencyKey: string;
  readonly kind: MailKind;
  readonly subscriberId: number | null;
  readonly sender: string;
  readonly recipient: string;
  readonly subject: string;
  readonly messageId: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly leaseUntil: Date | null;
  readonly lastError: string | null;
  /** The SMTP server's reply or the .eml path, once sent. */
  readonly destination: string | null;
  readonly sentAt: Date | null;
  readonly createdAt: Date;
}

export interface EnqueuedMail extends OutboxEntry {
  /** false when the key was already in the outbox (nothing was added). */
  readonly created: boolean;
}

export interface EnqueueMailInput {
  readonly idempotencyKey: string;
  readonly kind: MailKind;
  /** `ann@example.com`, `Ann <ann@example.com>` or { name, address }. */
  readonly to: string | MailAddress;
  readonly content: MailContent;
  /** Default `momentum@localhost`; pass `mailFrom(env)`. */
  readonly from?: string | MailAddress | undefined;
  /** For subscriber mail: the message is cancelled if the subscriber unsubscribes before it goes. */
  readonly subscriberId?: number | undefined;
  /** Extra single-line headers (List-Unsubscribe, ...). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** The Date header (default: now). */
  readonly date?: Date | undefined;
}

export function rebalanceMailKey(portfolioId: number, asOf: string, subscriberId: number): string {
  return `rebalance:${portfolioId}:${asOf}:${subscriberId}`;
}

export function alertMailKey(alertId: number | string, subscriberId: number): string {
  return `alert:${alertId}:${subscriberId}`;
}

/** The notice of a failed run: one per attempt of the run (a slot run again after its runner died can fail again). */
export function jobFailureMailKey(jobRunId: number | string, attempt = 1): string {
  return attempt > 1 ? `job-failure:${jobRunId}:${attempt}` : `job-failure:${jobRunId}`;
}

/** The operator's notice that a relay refused outbox message `outboxId` for its size. */
export function mailRefusedKey(outboxId: number): string {
  return `mail-refused:${outboxId}`;
}

const keySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces, like rebalance:3:2024-05-31:17');
const kindSchema = z.enum(MAIL_KINDS);

/**
 * Composes the message and adds it to the outbox; the same key twice returns the existing row.
 * @example await enqueueMail(db, { idempotencyKey: jobFailureMailKey(run.id), kind: 'job-failure', to: 'ops@example.com', content, from: mailFrom(env) });
 */
export async function enqueueMail(db: Database, input: EnqueueMailInput): Promise<EnqueuedMail> {
  const key = keySchema.safeParse(input.idempotencyKey);
  if (!key.success) throw new ValidationError('idempotencyKey', key.error.issues[0]!.message);
  const kind = kindSchema.safeParse(input.kind);
  if (!kind.success) throw new ValidationError('kind', `expected one of ${MAIL_KINDS.join(', ')}, got ${JSON.stringify(input.kind)}`);
  const existing = await findByKey(db, key.data);
  if (existing) return { ...existing, created: false };
  const mail = await composeMail({
    from: input.from ?? DEFAULT_MAIL_FROM,
    to: input.to,
    content: input.content,
    headers: input.headers,
    date: input.date,
  });
  const inserted = await db.kysely
    .insertInto('outbox')
    .values({
      idempotency_key: key.data,
      kind: kind.data,
      subscriber_id: input.subscriberId ?? null,
      sender: mail.sender,
      recipient: mail.recipient,
      subject: mail.subject,
      message_id: mail.messageId,
      raw: mail.raw,
      claim_token: null,
      last_error: null,
      destination: null,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { ...toEntry(inserted), created: true };
  // Another process enqueued the same key between our look and our insert.
  return { ...(await findByKey(db, key.data))!, created: false };
}

export interface ListOutboxOptions {
  readonly status?: OutboxStatus | undefined;
  /** Most recent first; default 100. */
  readonly limit?: number | undefined;
}

export async function listOutbox(db: Database, options: ListOutboxOptions = {}): Promise<OutboxEntry[]> {
  let query = db.kysely.selectFrom('outbox').selectAll();
  if (options.status) query = query.where('status', '=', options.status);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(options.limit ?? 100)
    .execute();
  return rows.map(toEntry);
}

/** The row with this key, or undefined. */
export async function getOutboxEntry(db: Database, idempotencyKey: string): Promise<OutboxEntry | undefined> {
  return findByKey(db, idempotencyKey);
}

/** The stored RFC 822 bytes of a message, exactly as they are (or were) sent. */
export async function readOutboxMessage(db: Database, idempotencyKey: string): Promise<Buffer | undefined> {
  const row = await db.kysely.selectFrom('outbox').select('raw').where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
  return row ? toBuffer(row.raw) : undefined;
}

/**
 * Puts a failed or cancelled message back in the queue, due now, with its attempts reset: the
 * operator's decision (e.g. after checking that an `outcome unknown` message never arrived).
 */
export async function requeueOutbox(db: Database, idempotencyKey: string, now: Date = new Date()): Promise<OutboxEntry> {
  const row = await db.kysely
    .updateTable('outbox')
    .set({ status: 'queued', attempts: 0, next_attempt_at: now, claim_token: null, lease_until: null })
    .where('idempotency_key', '=', idempotencyKey)
    .where('status', 'in', ['failed', 'cancelled'])
    .returningAll()
    .executeTakeFirst();
  if (row) return toEntry(row);
  const existing = await findByKey(db, idempotencyKey);
  if (!existing)
    throw new ValidationError('key', `no message with key ${JSON.stringify(idempotencyKey)} in the outbox; see momentum outbox list`);
  throw new ValidationError(
    'key',
    `message ${idempotencyKey} is ${existing.status}; only failed or cancelled messages can be queued again`,
  );
}

async function findByKey(db: Database, key: string): Promise<OutboxEntry | undefined> {
  const row = await db.kysely.selectFrom('outbox').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
  return row ? toEntry(row) : undefined;
}

/** pg returns bytea as a Buffer, PGlite as a Uint8Array. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function toEntry(row: Selectable<OutboxTable>): OutboxEntry {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    kind: row.kind,
    subscriberId: row.subscriber_id,
    sender: row.sender,
    recipient: row.recipient,
    subject: row.subject,
    messageId: row.message_id,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseUntil: row.lease_until,
    lastError: row.last_error,
    destination: row.destination,
    sentAt: row.sent_at,
    createdAt: row.created_at,
  };
}

/** A message claimed for sending: the columns a deliverer needs. */
export interface ClaimedMail {
  readonly id: number;
  readonly idempotency_key: string;
  readonly kind: MailKind;
  readonly sender: string;
  readonly recipient: string;
  readonly subject: string;
  readonly raw: Uint8Array;
  readonly attempts: number;
}

/** Atomically takes the oldest due message (status sending, attempts + 1, leased to `token`); undefined when nothing is due. */
export async function claimNext(db: Database, token: string, now: Date, leaseUntil: Date): Promise<ClaimedMail | undefined> {
  return db.kysely
    .updateTable('outbox')
    .set({ status: 'sending', claim_token: token, lease_until: leaseUntil, attempts: sql<number>`attempts + 1`, data_sent_at: null })
    .where('id', '=', (eb) =>
      eb
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'queued')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(1)
        .forUpdate()
        .skipLocked(),
    )
    .where('status', '=', 'queued')
    .returning(['id', 'idempotency_key', 'kind', 'sender', 'recipient', 'subject', 'raw', 'attempts'])
    .executeTakeFirst();
}

/** Records, under the claim, that the message's bytes are about to go out; throws if the claim was lost (nothing is sent then). */
export async function markTransmitting(db: Database, id: number, token: string, now: Date): Promise<void> {
  const result = await db.kysely
    .updateTable('outbox')
    .set({ data_sent_at: now })
    .where('id', '=', id)
    .where('claim_token', '=', token)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new Error('the claim on this message was lost (its lease ran out); not sent');
}

/** Marks a claimed message sent (only while `token` still holds its claim). */
export async function markSent(db: Database, id: number, token: string, sentAt: Date, destination: string): Promise<void> {
  await db.kysely
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: sentAt, destination, last_error: null, lease_until: null })
    .where('id', '=', id)
    .where('claim_token', '=', token)
    .execute();
}

/** Records a failed attempt of a claimed message: queued again at `retryAt`, or failed for good without one. */
export async function markFailedAttempt(
  db: Database,
  id: number,
  token: string,
  lastError: string,
  retryAt: Date | undefined,
): Promise<void> {
  await db.kysely
    .updateTable('outbox')
    .set(
      retryAt
        ? { status: 'queued', next_attempt_at: retryAt, last_error: lastError, claim_token: null, lease_until: null }
        : { status: 'failed', last_error: lastError, lease_until: null },
    )
    .where('id', '=', id)
    .where('claim_token', '=', token)
    .execute();
}

/** A claimed message the server (or folder) was never offered: due again, its attempt not counted. */
export async function markNotAttempted(db: Database, id: number, token: string, attempts: number, lastError: string): Promise<void> {
  await db.kysely
    .updateTable('outbox')
    .set({ status: 'queued', attempts, last_error: lastError, claim_token: null, lease_until: null, data_sent_at: null })
    .where('id', '=', id)
    .where('claim_token', '=', token)
    .execute();
}

const leaseEnd = sql<string>`to_char(lease_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/**
 * Claims whose deliverer died (lease over). Before its bytes went out it sent nothing: queued again,
 * the attempt not counted. After, the outcome is unknown, so it is not resent.
 */
export async function expireLeases(
  db: Database,
  now: Date,
): Promise<{ expired: { id: number; idempotencyKey: string }[]; requeued: number }> {
  const requeued = await db.kysely
    .updateTable('outbox')
    .set({
      status: 'queued',
      attempts: sql<number>`greatest(attempts - 1, 0)`,
      claim_token: null,
      lease_until: null,
      last_error: sql<string>`'the deliverer stopped before sending (lease expired ' || ${leaseEnd} || '); queued again'`,
    })
    .where('status', '=', 'sending')
    .where('lease_until', '<', now)
    .where('data_sent_at', 'is', null)
    .executeTakeFirst();
  const rows = await db.kysely
    .updateTable('outbox')
    .set({
      status: 'failed',
      lease_until: null,
      last_error: sql<string>`'outcome unknown: the deliverer stopped while sending (lease expired ' || ${leaseEnd} || '); check with the recipient before momentum outbox retry'`,
    })
    .where('status', '=', 'sending')
    .where('lease_until', '<', now)
    .returning(['id', 'idempotency_key'])
    .execute();
  return { expired: rows.map((r) => ({ id: r.id, idempotencyKey: r.idempotency_key })), requeued: Number(requeued.numUpdatedRows) };
}

/** Queued subscriber mail whose subscriber has unsubscribed since: cancelled, not sent. */
export async function cancelUnsubscribed(db: Database): Promise<number> {
  const result = await db.kysely
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: 'the subscriber unsubscribed before it was sent' })
    .where('status', '=', 'queued')
    .where('subscriber_id', 'in', (eb) => eb.selectFrom('subscribers').select('id').where('unsubscribed_at', 'is not', null))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** What the outbox sent, oldest first: kind, subject, where it went and its size (the demo's summary). */
export async function sentMail(db: Database): Promise<{ kind: MailKind; subject: string; destination: string | null; bytes: number }[]> {
  return db.kysely
    .selectFrom('outbox')
    .select(['kind', 'subject', 'destination', sql<number>`octet_length(raw)`.as('bytes')])
    .where('status', '=', 'sent')
    .orderBy('id')
    .execute();
}
