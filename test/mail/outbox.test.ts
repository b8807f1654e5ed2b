import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { ValidationError } from '../../src/errors.js';
import type { MailTransport } from '../../src/mail/mail-transport.js';
import {
  alertMailKey,
  enqueueMail,
  getOutboxEntry,
  jobFailureMailKey,
  listOutbox,
  readOutboxMessage,
  rebalanceMailKey,
  requeueOutbox,
} from '../../src/mail/outbox-store.js';
import { backoffDelay, deliverOutbox } from '../../src/mail/outbox-delivery.js';
import { smtpTransport } from '../../src/mail/smtp-transport.js';
import { closedPort, sampleContent, startSmtpServer, smtpUrl, type ReceivedMail } from '../helpers/mail-server.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** How many times each Message-ID arrived. */
async function arrivals(received: readonly ReceivedMail[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const mail of received) {
    const id = (await simpleParser(mail.raw)).messageId!;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

async function enqueueMany(db: Database, n: number, prefix = 'job-failure:') {
  const entries = [];
  for (let i = 1; i <= n; i++) {
    entries.push(
      await enqueueMail(db, {
        idempotencyKey: `${prefix}${i}`,
        kind: 'job-failure',
        to: `ops${i}@example.com`,
        content: sampleContent({ subject: `run ${i}` }),
      }),
    );
  }
  return entries;
}

describe(`the outbox (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await db.kysely.deleteFrom('outbox').execute();
  });

  describe('enqueueMail', () => {
    it('builds the message once: the same key again is a no-op that returns the existing row', async () => {
      const key = rebalanceMailKey(3, '2024-05-31', 17);
      expect(key).toBe('rebalance:3:2024-05-31:17');
      const first = await enqueueMail(db, { idempotencyKey: key, kind: 'rebalance', to: 'ann@example.com', content: sampleContent() });
      expect(first).toMatchObject({
        created: true,
        status: 'queued',
        attempts: 0,
        recipient: 'ann@example.com',
        sender: 'momentum@localhost',
      });
      const bytes = await readOutboxMessage(db, key);
      const again = await enqueueMail(db, {
        idempotencyKey: key,
        kind: 'rebalance',
        to: 'someone-else@example.com',
        content: sampleContent({ subject: 'different' }),
      });
      expect(again).toEqual({ ...first, created: false });
      expect(Buffer.compare((await readOutboxMessage(db, key))!, bytes!)).toBe(0);
      expect(await listOutbox(db)).toHaveLength(1);
    });

    it('adds one row when the same key is enqueued concurrently', async () => {
      const key = alertMailKey(5, 2);
      expect(key).toBe('alert:5:2');
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          enqueueMail(db, { idempotencyKey: key, kind: 'alert', to: 'ann@example.com', content: sampleContent() }),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await listOutbox(db)).toHaveLength(1);
    });

    it('refuses bad keys, kinds and addresses with the field named', async () => {
      const content = sampleContent();
      await expect(enqueueMail(db, { idempotencyKey: '', kind: 'alert', to: 'a@example.com', content })).rejects.toThrow(
        /idempotencyKey: must not be empty/,
      );
      await expect(enqueueMail(db, { idempotencyKey: 'a b', kind: 'alert', to: 'a@example.com', content })).rejects.toThrow(
        /idempotencyKey: must be printable ASCII without spaces/,
      );
      await expect(enqueueMail(db, { idempotencyKey: 'x:1', kind: 'newsletter' as never, to: 'a@example.com', content })).rejects.toThrow(
        /kind: expected one of rebalance, alert, job-failure/,
      );
      const bad = enqueueMail(db, {
        idempotencyKey: jobFailureMailKey(4),
        kind: 'job-failure',
        to: 'ops@example.com\r\nBcc: x@y.org',
        content,
      });
      await expect(bad).rejects.toThrow(ValidationError);
      await expect(
        enqueueMail(db, { idempotencyKey: 'job-failure:4', kind: 'job-failure', to: 'not an address', content }),
      ).rejects.toThrow(/^to: "not an address" is not one address/);
      expect(await listOutbox(db)).toHaveLength(0);
    });
  });

  it('backs off exponentially up to a cap', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(backoffDelay(20)).toBe(3_600_000);
    expect(backoffDelay(3, { initialMs: 1000, factor: 3, maxMs: 5000 })).toBe(5000);
    expect(backoffDelay(2, { initialMs: 1000, factor: 3 })).toBe(3000);
  });

  it('SMTP down, then up: every message is delivered exactly once', async () => {
    const port = await closedPort();
    const transport = smtpTransport(smtpUrl(port));
    const queued = await enqueueMany(db, 5);
    const t0 = new Date(Date.now() + 1000);

    const down = await deliverOutbox(db, transport, { now: t0 });
    // The server is the problem, not the message: the run stops at once, and no attempt is spent.
    expect(down.status).toBe('stopped');
    expect(down.stoppedBy).toMatch(/ECONNREFUSED|connect/i);
    expect(down.results).toEqual([expect.objectContaining({ idempotencyKey: 'job-failure:1', outcome: 'deferred', attempts: 0 })]);
    const again = await deliverOutbox(db, transport, { now: new Date(t0.getTime() + 1000) });
    expect(again.results.map((r) => [r.idempotencyKey, r.outcome])).toEqual([['job-failure:1', 'deferred']]);
    const rows = await listOutbox(db);
    expect(rows.every((r) => r.status === 'queued')).toBe(true);
    expect(rows.map((r) => r.attempts)).toEqual([0, 0, 0, 0, 0]);
    expect((await getOutboxEntry(db, 'job-failure:1'))!.lastError).toMatch(/^not attempted: .*127\.0\.0\.1/);

    const server = await startSmtpServer({ port });
    try {
      // Nothing waits for a backoff: every message goes in the first run after the outage.
      const up = await deliverOutbox(db, transport, { now: new Date(t0.getTime() + 2000) });
      expect(up.results.map((r) => r.idempotencyKey).sort()).toEqual(queued.map((q) => q.idempotencyKey).sort());
      expect(up.status).toBe('ok');
      const idle = await deliverOutbox(db, transport, { now: new Date(t0.getTime() + 7_200_000) });
      expect(idle.results).toHaveLength(0);

      const counts = await arrivals(server.received);
      expect([...counts.values()]).toEqual([1, 1, 1, 1, 1]);
      expect([...counts.keys()].sort()).toEqual(queued.map((q) => q.messageId).sort());
      const sent = await listOutbox(db);
      expect(sent.every((r) => r.status === 'sent' && r.lastError === null && r.sentAt !== null)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('gives a message up as failed after maxAttempts of its own (4xx to its recipient)', async () => {
    const server = await startSmtpServer({ refuse: () => 451 });
    const transport = smtpTransport(server.url);
    await enqueueMany(db, 1);
    const start = Date.now() + 1000;
    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      const report = await deliverOutbox(db, transport, {
        now: new Date(start + i * 10_000),
        maxAttempts: 3,
        backoff: { initialMs: 1000, maxMs: 4000 },
      });
      outcomes.push(report.results.map((r) => r.outcome));
    }
    expect(outcomes).toEqual([['retry'], ['retry'], ['failed'], []]);
    const entry = (await getOutboxEntry(db, 'job-failure:1'))!;
    expect(entry.status).toBe('failed');
    expect(entry.attempts).toBe(3);
    expect(entry.lastError).toMatch(/^gave up after 3 attempts: .*451/);
    await server.close();
  });

  it('two deliverers at once never send the same message twice', async () => {
    const server = await startSmtpServer({ delayMs: 15 });
    // On PostgreSQL the second deliverer has its own connection pool, as a second process would.
    const other: Database = db.url ? await openDatabase({ url: db.url, migrate: false }) : db;
    try {
      const queued = await enqueueMany(db, 24);
      const [a, b] = await Promise.all([deliverOutbox(db, smtpTransport(server.url)), deliverOutbox(other, smtpTransport(server.url))]);
      const keysA = a.results.map((r) => r.idempotencyKey);
      const keysB = b.results.map((r) => r.idempotencyKey);
      expect(keysA.length + keysB.length).toBe(24);
      expect(keysA.filter((k) => keysB.includes(k))).toEqual([]);
      expect(keysA.length).toBeGreaterThan(0);
      expect(keysB.length).toBeGreaterThan(0);
      const counts = await arrivals(server.received);
      expect(server.received).toHaveLength(24);
      expect([...counts.keys()].sort()).toEqual(queued.map((q) => q.messageId).sort());
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    } finally {
      if (other !== db) await other.close();
      await server.close();
    }
  });

  it('a claim whose deliverer died is marked "outcome unknown", not resent, until the operator queues it again', async () => {
    const server = await startSmtpServer();
    try {
      await enqueueMany(db, 2);
      // A deliverer claimed job-failure:1, sent its bytes and died before marking it.
      await db.kysely
        .updateTable('outbox')
        .set({
          status: 'sending',
          attempts: 1,
          claim_token: 'dead',
          lease_until: new Date(Date.now() - 60_000),
          data_sent_at: new Date(Date.now() - 600_000),
        })
        .where('idempotency_key', '=', 'job-failure:1')
        .execute();
      const report = await deliverOutbox(db, smtpTransport(server.url));
      expect(report.expired).toEqual([expect.objectContaining({ idempotencyKey: 'job-failure:1' })]);
      expect(report.counts).toMatchObject({ sent: 1, expired: 1 });
      expect(report.results.map((r) => r.idempotencyKey)).toEqual(['job-failure:2']);
      const dead = (await getOutboxEntry(db, 'job-failure:1'))!;
      expect(dead.status).toBe('failed');
      expect(dead.lastError).toMatch(/^outcome unknown: the deliverer stopped while sending \(lease expired \d{4}-\d\d-\d\dT/);

      // A claim still within its lease is left alone.
      await enqueueMany(db, 1, 'alert:1:');
      await db.kysely
        .updateTable('outbox')
        .set({ status: 'sending', claim_token: 'alive', lease_until: new Date(Date.now() + 60_000) })
        .where('idempotency_key', '=', 'alert:1:1')
        .execute();
      expect((await deliverOutbox(db, smtpTransport(server.url))).expired).toEqual([]);
      expect((await getOutboxEntry(db, 'alert:1:1'))!.status).toBe('sending');

      await expect(requeueOutbox(db, 'job-failure:2')).rejects.toThrow(/job-failure:2 is sent; only failed or cancelled/);
      await expect(requeueOutbox(db, 'nope')).rejects.toThrow(/no message with key "nope"/);
      const requeued = await requeueOutbox(db, 'job-failure:1');
      expect(requeued).toMatchObject({ status: 'queued', attempts: 0 });
      const resent = await deliverOutbox(db, smtpTransport(server.url));
      expect(resent.results.map((r) => [r.idempotencyKey, r.outcome])).toEqual([['job-failure:1', 'sent']]);
      expect(server.received).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('takes a plain transport error as a transient failure of that message, and honours the limit', async () => {
    await enqueueMany(db, 3);
    const calls: string[] = [];
    const broken: MailTransport = {
      kind: 'eml',
      target: '/nowhere',
      send: (mail) => {
        calls.push(mail.key);
        return Promise.reject(new Error('disk on fire'));
      },
    };
    const report = await deliverOutbox(db, broken, { limit: 2 });
    expect(calls).toEqual(['job-failure:1', 'job-failure:2']);
    expect(report.results.map((r) => r.outcome)).toEqual(['retry', 'retry']);
    expect((await getOutboxEntry(db, 'job-failure:3'))!.attempts).toBe(0);
  });
});
