/**
 * Mail to a subscriber: addressed by name and email, with a List-Unsubscribe header, and refused
 * unless the rendered body carries the subscriber's unsubscribe link (`unsubscribeLink`).
 */
import type { Environment } from '../config.js';
import type { Database } from '../db/database.js';
import { ValidationError } from '../errors.js';
import type { MailContent } from './mail-content.js';
import { mailFrom } from './mailer.js';
import { enqueueMail, type EnqueuedMail, type MailKind } from './outbox-store.js';
import { subscriptionState, unsubscribeLink, type Subscriber } from './subscriber-store.js';

export interface SubscriberMailInput {
  /** `rebalanceMailKey(...)` or `alertMailKey(...)`. */
  readonly idempotencyKey: string;
  readonly kind: MailKind;
  readonly subscriber: Subscriber;
  /** Rendered with `unsubscribeLink(env, subscriber.unsubscribeToken)` in both the HTML and the text. */
  readonly content: MailContent;
  readonly date?: Date | undefined;
}

/**
 * Enqueues one subscriber's message; undefined (nothing queued) if they have unsubscribed.
 * @example await enqueueSubscriberMail(db, env, { idempotencyKey: rebalanceMailKey(p.id, asOf, s.id), kind: 'rebalance', subscriber: s, content });
 */
export async function enqueueSubscriberMail(
  db: Database,
  env: Pick<Environment, 'publicUrl' | 'mailFrom'>,
  input: SubscriberMailInput,
): Promise<EnqueuedMail | undefined> {
  const { subscriber, content } = input;
  if (subscriber.unsubscribedAt !== null) return undefined;
  const current = await subscriptionState(db, subscriber.id);
  if (!current) throw new ValidationError('subscriber', `subscriber ${subscriber.id} (${subscriber.email}) no longer exists`);
  if (current.unsubscribedAt !== null) return undefined;
  const token = subscriber.unsubscribeToken;
  // The token, not the whole link: Handlebars escapes `=` in the HTML (`?token&#x3D;...`).
  if (!content.html.includes(token) || !content.text.includes(token)) {
    throw new ValidationError(
      'content',
      `the message to ${subscriber.email} lacks its unsubscribe link in the ${content.html.includes(token) ? 'text' : 'HTML'} part; render unsubscribeLink(env, subscriber.unsubscribeToken) into both parts`,
    );
  }
  return enqueueMail(db, {
    idempotencyKey: input.idempotencyKey,
    kind: input.kind,
    to: { name: subscriber.name, address: subscriber.email },
    content,
    from: mailFrom(env),
    subscriberId: subscriber.id,
    // One-click (RFC 8058): `momentum serve` answers POST /unsubscribe too.
    headers: { 'List-Unsubscribe': `<${unsubscribeLink(env, token)}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    date: input.date,
  });
}
