/**
 * Delivers what is due in the outbox, at most once per idempotency key.
 *
 * Each message is claimed before it is sent: one `update ... where id = (select ... for update
 * skip locked limit 1) returning` moves it from `queued` to `sending` with a claim token and a
 * lease, so two deliverers (two processes, two replicas) never take the same row. After the send
 * the row is marked `sent`; a failure of the message (a 4xx to it, its connection dropped) is
 * recorded as an attempt with the next attempt time (exponential backoff, capped) until
 * `maxAttempts`, then `failed`; a permanent refusal (5xx to the recipient or the message) is
 * `failed` at once, and a refusal for its size is also told to `onSizeRefusal` (the operator's
 * notice). A server that cannot be reached (or refuses before the message) was not offered it:
 * the message stays due, no attempt counted, and the run stops (`deferred`).
 *
 * At most once, and the one window it cannot close: from the moment the message's bytes start to
 * go out (recorded first, in `data_sent_at`) to the row being marked `sent`. If the process dies
 * there, or the connection breaks after the message went out and before the server's reply, nobody
 * knows whether the message arrived. Such a message is never sent again automatically: a broken
 * connection after the bytes went out marks it `failed` ("outcome unknown"), and so does the next
 * run for a claim whose lease ran out (its deliverer died) after `data_sent_at`; one that died
 * before it sent nothing and is queued again. The operator decides (`momentum outbox retry KEY`).
 * Duplicates are therefore impossible without an operator's retry; the price is that a crash in
 * the window can leave a delivered message marked failed.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import { errorMessage, ValidationError } from '../errors.js';
import { MailSendError, type MailTransport, type SizeRefusal } from './mail-transport.js';
import {
  cancelUnsubscribed,
  claimNext,
  expireLeases,
  markFailedAttempt,
  markNotAttempted,
  markSent,
  markTransmitting,
  toBuffer,
  type ClaimedMail,
  type MailKind,
} from './outbox-store.js';

export interface Backoff {
  /** Wait after the first failed attempt (default 30 s). */
  readonly initialMs?: number;
  /** Growth per attempt (default 2). */
  readonly factor?: number;
  /** Cap on one wait (default 1 h). */
  readonly maxMs?: number;
}

export interface DeliverOptions {
  /** The clock: a fixed instant (tests) or a function (default: the real time). */
  readonly now?: Date | (() => Date);
  /** Attempts before a message is given up as failed (default 8). */
  readonly maxAttempts?: number;
  readonly backoff?: Backoff;
  /** How long a claim holds before another run may treat its deliverer as dead (default 10 min). */
  readonly leaseMs?: number;
  /** Send at most this many messages in this run (default: all that are due). */
  readonly limit?: number;
  /** Called after each message, for progress output. */
  readonly onResult?: (result: DeliveryResult) => void;
  /** Called for each message a server refused for its size (deliverMail queues the operator's notice). */
  readonly onSizeRefusal?: (refused: RefusedMail) => Promise<void>;
}

/** A message refused for its size, for the operator. */
export interface RefusedMail extends SizeRefusal {
  readonly id: number;
  readonly idempotencyKey: string;
  readonly kind: MailKind;
  readonly recipient: string;
  readonly subject: string;
  /** The server's answer. */
  readonly reply: string;
}

export interface DeliveryResult {
  readonly id: number;
  readonly idempotencyKey: string;
  readonly recipient: string;
  readonly subject: string;
  /**
   * `sent`; `retry` (an attempt failed: queued again at nextAttemptAt); `deferred` (the server could
   * not be reached: not an attempt, due again at the next run); `failed` (given up, refused, or
   * outcome unknown).
   */
  readonly outcome: 'sent' | 'retry' | 'deferred' | 'failed';
  readonly attempts: number;
  /** The SMTP reply or the .eml path when sent. */
  readonly destination?: string;
  readonly error?: string;
  readonly nextAttemptAt?: Date;
}

export interface DeliveryReport {
  readonly status: 'ok' | 'partial' | 'stopped';
  readonly counts: {
    readonly sent: number;
    readonly retry: number;
    readonly deferred: number;
    readonly failed: number;
    readonly cancelled: number;
    readonly expired: number;
    /** Claims whose deliverer died before sending anything: queued again (and sent in this run when due). */
    readonly requeued: number;
  };
  readonly results: readonly DeliveryResult[];
  /** Messages found in `sending` past their lease (a deliverer died): marked failed, outcome unknown. */
  readonly expired: readonly { readonly id: number; readonly idempotencyKey: string }[];
  /** Set when the run stopped early because the server (or folder) failed, not one message. */
  readonly stoppedBy?: string;
}

export const DEFAULT_BACKOFF: Required<Backoff> = { initialMs: 30_000, factor: 2, maxMs: 3_600_000 };

/** The wait after failed attempt number `attempt` (1-based). @example backoffDelay(3) // 120000 */
export function backoffDelay(attempt: number, backoff: Backoff = {}): number {
  const { initialMs, factor, maxMs } = { ...DEFAULT_BACKOFF, ...backoff };
  return Math.min(maxMs, initialMs * factor ** Math.max(0, attempt - 1));
}

/**
 * Sends every due message through `transport`, one at a time.
 * @example const report = await deliverOutbox(db, createMailTransport(env));
 */
export async function deliverOutbox(db: Database, transport: MailTransport, options: DeliverOptions = {}): Promise<DeliveryReport> {
  const clock = typeof options.now === 'function' ? options.now : options.now ? () => options.now as Date : () => new Date();
  const maxAttempts = options.maxAttempts ?? 8;
  const leaseMs = options.leaseMs ?? 600_000;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new ValidationError('maxAttempts', `expected a whole number >= 1, got ${maxAttempts}`);
  if (!(leaseMs > 0)) throw new ValidationError('leaseMs', `expected a positive number of ms, got ${leaseMs}`);

  const { expired, requeued } = await expireLeases(db, clock());
  const cancelled = await cancelUnsubscribed(db);
  const results: DeliveryResult[] = [];
  let stoppedBy: string | undefined;
  while (results.length < limit) {
    const token = randomUUID();
    const now = clock();
    const row = await claimNext(db, token, now, new Date(now.getTime() + leaseMs));
    if (!row) break;
    let destination: string | undefined;
    let failure: unknown;
    try {
      destination = await transport.send({
        key: row.idempotency_key,
        sender: row.sender,
        recipient: row.recipient,
        raw: toBuffer(row.raw),
        onTransmit: () => markTransmitting(db, row.id, token, clock()),
      });
    } catch (error) {
      failure = error;
    }
    let result: DeliveryResult;
    if (destination === undefined) {
      result = await recordFailure(db, row, token, failure, { now: clock(), maxAttempts, backoff: options.backoff });
      if (failure instanceof MailSendError && failure.scope === 'server') stoppedBy = errorMessage(failure);
      if (failure instanceof MailSendError && failure.size && options.onSizeRefusal)
        await options.onSizeRefusal({ ...base(row), kind: row.kind, ...failure.size, reply: errorMessage(failure) });
    } else {
      // Not inside the try: if this write fails, the row stays `sending` and later expires as
      // "outcome unknown"; it is never queued again (the message did go out).
      await markSent(db, row.id, token, clock(), destination);
      result = { ...base(row), outcome: 'sent', destination };
    }
    results.push(result);
    options.onResult?.(result);
    if (stoppedBy) break;
  }
  const count = (outcome: DeliveryResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  const counts = {
    sent: count('sent'),
    retry: count('retry'),
    deferred: count('deferred'),
    failed: count('failed'),
    cancelled,
    expired: expired.length,
    requeued,
  };
  const status = stoppedBy ? 'stopped' : counts.retry + counts.failed + counts.expired > 0 ? 'partial' : 'ok';
  return { status, counts, results, expired, ...(stoppedBy ? { stoppedBy } : {}) };
}

function base(row: ClaimedMail) {
  return { id: row.id, idempotencyKey: row.idempotency_key, recipient: row.recipient, subject: row.subject, attempts: row.attempts };
}

async function recordFailure(
  db: Database,
  row: ClaimedMail,
  token: string,
  error: unknown,
  context: { now: Date; maxAttempts: number; backoff: Backoff | undefined },
): Promise<DeliveryResult> {
  const message = errorMessage(error);
  const outcome = error instanceof MailSendError ? error.outcome : 'transient';
  if (error instanceof MailSendError && error.scope === 'server' && outcome === 'transient') return defer(db, row, token, message);
  let lastError: string;
  let retryAt: Date | undefined;
  const size = error instanceof MailSendError ? error.size : undefined;
  if (outcome === 'unknown') lastError = `outcome unknown: ${message}; check with the recipient before momentum outbox retry`;
  else if (size)
    lastError = `refused for its size: ${size.messageBytes} bytes${size.limitBytes === null ? '' : `, over the server's limit of ${size.limitBytes} bytes`}: ${message}`;
  else if (outcome === 'permanent') lastError = `refused: ${message}`;
  else if (row.attempts >= context.maxAttempts) lastError = `gave up after ${row.attempts} attempts: ${message}`;
  else {
    lastError = message;
    retryAt = new Date(context.now.getTime() + backoffDelay(row.attempts, context.backoff));
  }
  await markFailedAttempt(db, row.id, token, lastError, retryAt);
  return retryAt
    ? { ...base(row), outcome: 'retry', error: lastError, nextAttemptAt: retryAt }
    : { ...base(row), outcome: 'failed', error: lastError };
}

/** The server (or folder) could not be offered the message (down, refusing before it): due again, no attempt counted. */
async function defer(db: Database, row: ClaimedMail, token: string, message: string): Promise<DeliveryResult> {
  const lastError = `not attempted: ${message}`;
  await markNotAttempted(db, row.id, token, row.attempts - 1, lastError);
  return { ...base(row), attempts: row.attempts - 1, outcome: 'deferred', error: lastError };
}
