import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, ValidationError } from '../../src/errors.js';
import { getOutboxEntry, rebalanceMailKey } from '../../src/mail/outbox-store.js';
import { deliverOutbox } from '../../src/mail/outbox-delivery.js';
import { smtpTransport } from '../../src/mail/smtp-transport.js';
import { enqueueSubscriberMail } from '../../src/mail/subscriber-mail.js';
import {
  activeSubscribers,
  addSubscriber,
  listSubscribers,
  unsubscribe,
  unsubscribeLink,
  type Subscriber,
} from '../../src/mail/subscriber-store.js';
import { insertPortfolio, sampleContent, startSmtpServer, type TestSmtpServer } from '../helpers/mail-server.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const env = { publicUrl: 'https://momentum.example.com', mailFrom: 'Momentum <reports@example.com>' };

/** What the templates do: the link in both parts (Handlebars escapes `=` in HTML). */
function contentFor(subscriber: Subscriber, subject = 'Rebalance of core') {
  const link = unsubscribeLink(env, subscriber.unsubscribeToken);
  return sampleContent({
    subject,
    html: `<p>Hello</p><img src="cid:equity@momentum"><a href="${link.replace('=', '&#x3D;')}">Unsubscribe</a>`,
    text: `Hello\nUnsubscribe: ${link}\n`,
  });
}

describe(`subscribers and their mail (${engineName})`, () => {
  let db: TestDatabase;
  let server: TestSmtpServer;
  let core: number;
  beforeAll(async () => {
    db = await openTestDatabase();
    server = await startSmtpServer();
    core = await insertPortfolio(db, 'core', 'USD');
    await insertPortfolio(db, 'growth <b>&</b>', 'EUR');
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  it('adds a subscriber with a random unsubscribe token and the portfolio currency', async () => {
    const ann = await addSubscriber(db, { portfolio: 'core', email: ' Ann@Example.COM ', name: ' Ann\r\n  Example ', amount: 10_000 });
    expect(ann).toMatchObject({
      portfolio: 'core',
      portfolioId: core,
      email: 'ann@example.com',
      name: 'Ann Example',
      amount: 10_000,
      currency: 'USD',
    });
    expect(ann.resubscribed).toBe(false);
    expect(ann.unsubscribeToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const bob = await addSubscriber(db, { portfolio: 'core', email: 'bob@example.com', amount: 2500.5, currency: 'usd' });
    expect(bob.name).toBeNull();
    expect(bob.unsubscribeToken).not.toBe(ann.unsubscribeToken);
    expect(unsubscribeLink(env, ann.unsubscribeToken)).toBe(`https://momentum.example.com/unsubscribe?token=${ann.unsubscribeToken}`);
    expect(unsubscribeLink({ publicUrl: undefined }, 'abc')).toBe('http://127.0.0.1:8080/unsubscribe?token=abc');
    expect((await activeSubscribers(db, core)).map((s) => s.email)).toEqual(['ann@example.com', 'bob@example.com']);
  });

  it('refuses bad input with the field named and a way forward', async () => {
    const add = (input: Partial<Parameters<typeof addSubscriber>[1]>) =>
      addSubscriber(db, { portfolio: 'core', email: 'x@example.com', amount: 1, ...input });
    await expect(add({ email: 'not-an-email' })).rejects.toThrow(/^email: "not-an-email" is not an email address/);
    await expect(add({ email: 'a@b.com\r\nBcc: c@d.com' })).rejects.toThrow(ValidationError);
    await expect(add({ amount: 0 })).rejects.toThrow(/^amount: 0 must be above 0/);
    await expect(add({ amount: Number.NaN })).rejects.toThrow(/^amount: .*(number|finite)/);
    await expect(add({ currency: 'dollars' })).rejects.toThrow(/^currency: "dollars" must be a three-letter ISO 4217 code/);
    await expect(add({ currency: 'EUR' })).rejects.toThrow(/EUR differs from portfolio core's currency USD; .* use USD/);
    await expect(add({ portfolio: 'nope' })).rejects.toThrow(DataError);
    await expect(add({ portfolio: 'nope' })).rejects.toThrow(/no portfolio named "nope"; there are core, growth <b>&<\/b>/);
    await expect(add({ email: 'ann@example.com' })).rejects.toThrow(/ann@example.com already subscribes to core \(subscriber \d+\)/);
    await expect(add({ name: 'x'.repeat(201) })).rejects.toThrow(/^name: .* must be at most 200 characters/);
  });

  it('enqueues subscriber mail with a List-Unsubscribe header, addressed by name; the link must be in both parts', async () => {
    const [ann] = await listSubscribers(db, { portfolio: 'core' });
    const key = rebalanceMailKey(core, '2024-05-31', ann!.id);
    await expect(
      enqueueSubscriberMail(db, env, { idempotencyKey: key, kind: 'rebalance', subscriber: ann!, content: sampleContent() }),
    ).rejects.toThrow(/lacks its unsubscribe link in the HTML part/);
    const noText = { ...contentFor(ann!), text: 'no link here' };
    await expect(
      enqueueSubscriberMail(db, env, { idempotencyKey: key, kind: 'rebalance', subscriber: ann!, content: noText }),
    ).rejects.toThrow(/in the text part/);
    const queued = await enqueueSubscriberMail(db, env, {
      idempotencyKey: key,
      kind: 'rebalance',
      subscriber: ann!,
      content: contentFor(ann!),
    });
    expect(queued).toMatchObject({ created: true, subscriberId: ann!.id, recipient: 'ann@example.com', sender: 'reports@example.com' });
    await deliverOutbox(db, smtpTransport(server.url));
    const parsed = await simpleParser(server.received.at(-1)!.raw);
    const line = parsed.headerLines.find((h) => h.key === 'list-unsubscribe')?.line.replace(/\r\n\s+/g, ' ');
    expect(line).toBe(`List-Unsubscribe: <${unsubscribeLink(env, ann!.unsubscribeToken)}>`);
    expect(parsed.headers.get('list')).toMatchObject({ unsubscribe: { url: unsubscribeLink(env, ann!.unsubscribeToken) } });
    // One-click unsubscribe (RFC 8058), which `momentum serve` answers.
    expect(parsed.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe(
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    );
    expect(parsed.to).toMatchObject({ value: [{ name: 'Ann Example', address: 'ann@example.com' }] });
    expect(parsed.text).toContain(unsubscribeLink(env, ann!.unsubscribeToken));
  });

  it('a subscriber with HTML and line breaks in the name gets one well-formed To header', async () => {
    const eve = await addSubscriber(db, {
      portfolio: 'growth <b>&</b>',
      email: 'eve@example.com',
      name: 'Eve <script>alert(1)</script>\nBcc: x@y.org',
      amount: 5,
    });
    // Names from elsewhere (an older row, another tool) may still hold raw line breaks.
    await db.kysely.updateTable('subscribers').set({ name: 'Eve <script>\r\nBcc: x@y.org' }).where('id', '=', eve.id).execute();
    const [stored] = await listSubscribers(db, { portfolio: 'growth <b>&</b>' });
    const before = server.received.length;
    await enqueueSubscriberMail(db, env, {
      idempotencyKey: `alert:1:${eve.id}`,
      kind: 'alert',
      subscriber: stored!,
      content: contentFor(stored!, 'Drawdown in growth <b>&</b>\r\nBcc: x@y.org'),
    });
    await deliverOutbox(db, smtpTransport(server.url));
    expect(server.received.length).toBe(before + 1);
    const mail = server.received.at(-1)!;
    expect(mail.to).toEqual(['eve@example.com']);
    const parsed = await simpleParser(mail.raw);
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.to).toMatchObject({ value: [{ name: 'Eve <script> Bcc: x@y.org', address: 'eve@example.com' }] });
    expect(parsed.subject).toBe('Drawdown in growth <b>&</b> Bcc: x@y.org');
  });

  it('unsubscribes by token or address; queued mail to them is cancelled, not sent; adding them again re-subscribes', async () => {
    const [ann, bob] = await listSubscribers(db, { portfolio: 'core' });
    const key = rebalanceMailKey(core, '2024-06-28', bob!.id);
    await enqueueSubscriberMail(db, env, { idempotencyKey: key, kind: 'rebalance', subscriber: bob!, content: contentFor(bob!) });
    const removed = await unsubscribe(db, { token: bob!.unsubscribeToken });
    expect(removed.map((s) => [s.email, s.portfolio])).toEqual([['bob@example.com', 'core']]);
    expect(await unsubscribe(db, { token: bob!.unsubscribeToken })).toEqual([]);
    await expect(unsubscribe(db, { token: 'no-such-token' })).rejects.toThrow(/^token: no subscriber with that unsubscribe token/);

    const before = server.received.length;
    const report = await deliverOutbox(db, smtpTransport(server.url));
    expect(report.counts.cancelled).toBe(1);
    expect(server.received.length).toBe(before);
    expect((await getOutboxEntry(db, key))!).toMatchObject({
      status: 'cancelled',
      lastError: 'the subscriber unsubscribed before it was sent',
    });
    // Nothing is queued for someone who has unsubscribed.
    const stale = { ...bob!, unsubscribedAt: null };
    expect(
      await enqueueSubscriberMail(db, env, {
        idempotencyKey: `alert:2:${bob!.id}`,
        kind: 'alert',
        subscriber: stale,
        content: contentFor(bob!),
      }),
    ).toBeUndefined();

    expect((await listSubscribers(db, { portfolio: 'core' })).map((s) => s.email)).toEqual(['ann@example.com']);
    expect((await listSubscribers(db, { includeUnsubscribed: true })).map((s) => [s.email, s.unsubscribedAt !== null])).toEqual([
      ['ann@example.com', false],
      ['bob@example.com', true],
      ['eve@example.com', false],
    ]);

    const again = await addSubscriber(db, { portfolio: 'core', email: 'bob@example.com', amount: 700 });
    expect(again).toMatchObject({ id: bob!.id, resubscribed: true, amount: 700, unsubscribedAt: null });
    expect(again.unsubscribeToken).not.toBe(bob!.unsubscribeToken);

    expect((await unsubscribe(db, { email: 'ANN@example.com', portfolio: 'core' })).map((s) => s.id)).toEqual([ann!.id]);
    await expect(unsubscribe(db, { email: 'zed@example.com' })).rejects.toThrow(/^email: no subscriber with zed@example.com/);
  });

  it('deleting a portfolio deletes its subscribers', async () => {
    const id = await insertPortfolio(db, 'short-lived');
    await addSubscriber(db, { portfolio: 'short-lived', email: 'tmp@example.com', amount: 1 });
    await db.kysely.deleteFrom('portfolios').where('id', '=', id).execute();
    expect((await listSubscribers(db, { includeUnsubscribed: true })).map((s) => s.email)).not.toContain('tmp@example.com');
  });
});
