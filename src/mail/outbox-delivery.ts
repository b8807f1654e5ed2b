/**
 * Delivers what is due in the outbox, at most once per idempotency key.
 *
 * Each message is claimed before it is sent: one `update ... where id = (select ... for update
 * skip locked limit 1) returning` moves it from `queued` to `sending` with a claim token and a
 * lease, so two deliverers (two processes, two replicas) never take the same row. After the send
 * the row is marked `sent`; a failure that the server or the file system reported is recorded
 * with attempts + 1 and the next attempt time (exponential backoff, capped) until `maxAttempts`,
 * then `failed`; a permanent refusal (5xx to the recipient or the message) is `failed` at once.
 *
 * At most once, and the one window it cannot close: between the SMTP server accepting a message
 * (its reply to the end of DATA) and the row being marked `sent`. If the process dies there, or
 * the connection breaks after the message went out and before the server's reply, nobody knows
 * whether the message arrived. Such a message is never sent again automatically: a broken
 * connection after the bytes went out marks it `failed` ("outcome unknown"), and a claim whose lease
 * ran out (its deliverer died) is marked `failed` the same way by the next run. The operator
 * decides (`momentum outbox retry KEY`). Duplicates are therefore impossible without an operator's
 * retry; the price is that a crash in the window can leave a delivered message marked failed.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import { errorMessage, ValidationError } from '../errors.js';
import { MailSendError, type MailTransport } from './mail-transport.js';
import { cancelUnsubscribed, claimNext, expireLeases, markFailedAttempt, markSent, toBuffer, type ClaimedMail } from './outbox-store.js';

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
}

export interface DeliveryResult {
  readonly id: number;
  readonly idempotencyKey: string;
  readonly recipient: string;
  readonly subject: string;
  /** `sent`; `retry` (queued again at nextAttemptAt); `failed` (given up, refused, or outcome unknown). */
  readonly outcome: 'sent' | 'retry' | 'failed';
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
    readonly failed: number;
    readonly cancelled: number;
    readonly expired: number;
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

  const expired = await expireLeases(db, clock());
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
      });
    } catch (error) {
      failure = error;
    }
    let result: DeliveryResult;
    if (destination === undefined) {
      result = await recordFailure(db, row, token, failure, { now: clock(), maxAttempts, backoff: options.backoff });
      if (failure instanceof MailSendError && failure.scope === 'server') stoppedBy = errorMessage(failure);
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
  const counts = { sent: count('sent'), retry: count('retry'), failed: count('failed'), cancelled, expired: expired.length };
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
  let lastError: string;
  let retryAt: Date | undefined;
  if (outcome === 'unknown') lastError = `outcome unknown: ${message}; check with the recipient before momentum outbox retry`;
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
