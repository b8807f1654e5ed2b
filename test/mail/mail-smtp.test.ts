import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enqueueMail, getOutboxEntry, readOutboxMessage } from '../../src/mail/outbox-store.js';
import { deliverOutbox } from '../../src/mail/outbox-delivery.js';
import { smtpTransport } from '../../src/mail/smtp-transport.js';
import { sampleContent, startHangUpServer, startSmtpServer, TINY_PNG, type TestSmtpServer } from '../helpers/mail-server.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const parse = (raw: Buffer): Promise<ParsedMail> => simpleParser(raw, { keepCidLinks: true });
const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value);

describe(`mail over SMTP to a real server on loopback (${engineName})`, () => {
  let db: TestDatabase;
  let server: TestSmtpServer;
  beforeAll(async () => {
    db = await openTestDatabase();
    server = await startSmtpServer({ refuse: (address) => (address === 'nobody@example.com' ? 550 : undefined) });
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });
  beforeEach(async () => {
    await db.kysely.deleteFrom('outbox').execute();
    server.received.length = 0;
  });

  it('delivers subject, recipients, HTML and text, an inline PNG with its cid and an attachment intact, byte for byte as stored', async () => {
    const content = sampleContent();
    const queued = await enqueueMail(db, {
      idempotencyKey: 'rebalance:1:2024-05-31:1',
      kind: 'rebalance',
      to: { name: 'Ann Example', address: 'Ann@Example.com' },
      from: 'Momentum Reports <reports@example.com>',
      content,
    });
    const report = await deliverOutbox(db, smtpTransport(server.url));
    expect(report.counts).toMatchObject({ sent: 1, retry: 0, failed: 0 });
    expect(server.received).toHaveLength(1);
    const [mail] = server.received;
    expect(mail!.from).toBe('reports@example.com');
    expect(mail!.to).toEqual(['ann@example.com']);
    // The server got exactly the stored bytes (it may only add the final line break).
    const stored = (await readOutboxMessage(db, 'rebalance:1:2024-05-31:1'))!;
    expect(mail!.raw.toString('latin1').replace(/\r\n$/, '')).toBe(stored.toString('latin1').replace(/\r\n$/, ''));

    const parsed = await parse(mail!.raw);
    expect(parsed.subject).toBe(content.subject);
    expect(parsed.messageId).toBe(queued.messageId);
    expect(addresses(parsed.from)).toEqual([{ address: 'reports@example.com', name: 'Momentum Reports' }]);
    expect(addresses(parsed.to)).toEqual([{ address: 'ann@example.com', name: 'Ann Example' }]);
    expect(parsed.html).toBe(content.html);
    expect(parsed.text?.trimEnd()).toBe(content.text.trimEnd());
    const inline = parsed.attachments.find((a) => a.cid === 'equity@momentum');
    expect(inline).toBeDefined();
    expect(inline!.contentType).toBe('image/png');
    expect(inline!.contentDisposition).toBe('inline');
    expect(inline!.related).toBe(true);
    expect(Buffer.compare(inline!.content, TINY_PNG)).toBe(0);
    expect(inline!.content.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const attached = parsed.attachments.find((a) => a.filename === 'report.html');
    expect(attached).toMatchObject({ contentType: 'text/html', contentDisposition: 'attachment' });
    expect(attached!.content.toString()).toBe('<html><body>interactive</body></html>');

    const entry = (await getOutboxEntry(db, 'rebalance:1:2024-05-31:1'))!;
    expect(entry).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    expect(entry.destination).toContain('queued as test');
  });

  it('keeps names and subjects with HTML and CR/LF inside their own headers (no injected Bcc, one recipient)', async () => {
    const evilName = 'Eve <b>"x"</b>\r\nBcc: victim@example.org';
    const content = sampleContent({ subject: 'Growth & <Co>\r\nBcc: victim@example.org\r\n\r\nbody?' });
    await enqueueMail(db, {
      idempotencyKey: 'alert:9:2',
      kind: 'alert',
      to: { name: evilName, address: 'eve@example.com' },
      from: { name: 'Reports\r\nBcc: other@example.org', address: 'reports@example.com' },
      content,
    });
    await deliverOutbox(db, smtpTransport(server.url));
    expect(server.received).toHaveLength(1);
    const [mail] = server.received;
    expect(mail!.to).toEqual(['eve@example.com']);
    const head = mail!.raw.toString('latin1').split('\r\n\r\n')[0]!;
    expect(head).not.toMatch(/^bcc:/im);
    const parsed = await parse(mail!.raw);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.subject).toBe('Growth & <Co> Bcc: victim@example.org body?');
    expect(addresses(parsed.to)).toEqual([{ address: 'eve@example.com', name: 'Eve <b>"x"</b> Bcc: victim@example.org' }]);
    expect(addresses(parsed.from)).toEqual([{ address: 'reports@example.com', name: 'Reports Bcc: other@example.org' }]);
    expect(parsed.html).toBe(content.html);
  });

  it('fails a message the server refuses with 5xx at once, and still delivers the others', async () => {
    for (const [key, address] of [
      ['job-failure:1', 'nobody@example.com'],
      ['job-failure:2', 'ops@example.com'],
    ] as const) {
      await enqueueMail(db, { idempotencyKey: key, kind: 'job-failure', to: address, content: sampleContent({ subject: key }) });
    }
    const report = await deliverOutbox(db, smtpTransport(server.url));
    expect(report.counts).toMatchObject({ sent: 1, failed: 1, retry: 0 });
    expect(report.status).toBe('partial');
    const refused = (await getOutboxEntry(db, 'job-failure:1'))!;
    expect(refused.status).toBe('failed');
    expect(refused.attempts).toBe(1);
    expect(refused.lastError).toMatch(/^refused: .*550/);
    expect(server.received.map((m) => m.to)).toEqual([['ops@example.com']]);
  });

  it('marks a message "outcome unknown" when the connection breaks after it went out, and never sends it again', async () => {
    const hangUp = await startHangUpServer();
    try {
      await enqueueMail(db, { idempotencyKey: 'job-failure:7', kind: 'job-failure', to: 'ops@example.com', content: sampleContent() });
      const transport = smtpTransport(`smtp://127.0.0.1:${hangUp.port}/?ignoreTLS=true`);
      const first = await deliverOutbox(db, transport);
      expect(hangUp.messages).toBe(1);
      expect(first.results).toMatchObject([{ idempotencyKey: 'job-failure:7', outcome: 'failed' }]);
      const entry = (await getOutboxEntry(db, 'job-failure:7'))!;
      expect(entry.status).toBe('failed');
      expect(entry.lastError).toMatch(/^outcome unknown: .*may have been delivered/);
      const later = await deliverOutbox(db, transport, { now: new Date(Date.now() + 86_400_000) });
      expect(later.results).toHaveLength(0);
      expect(hangUp.messages).toBe(1);
    } finally {
      await hangUp.close();
    }
  });

  it('logs in with the user and URL-encoded password of SMTP_URL', async () => {
    const logins: string[] = [];
    const received: string[] = [];
    const authServer = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        logins.push(`${auth.username}|${auth.password}`);
        if (auth.username === 'mailer' && auth.password === 'p@ss:w/rd') return callback(null, { user: auth.username });
        return callback(new Error('bad credentials'));
      },
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          received.push(session.envelope.rcptTo[0]!.address);
          callback();
        });
      },
    });
    const port = await new Promise<number>((resolve) => {
      const listener = authServer.listen(0, '127.0.0.1', () => resolve((listener.address() as AddressInfo).port));
    });
    try {
      await enqueueMail(db, { idempotencyKey: 'job-failure:8', kind: 'job-failure', to: 'ops@example.com', content: sampleContent() });
      const wrong = await deliverOutbox(db, smtpTransport(`smtp://mailer:nope@127.0.0.1:${port}/?ignoreTLS=true`));
      expect(wrong.status).toBe('stopped');
      // The configuration's fault, not the message's: no attempt spent.
      expect(wrong.results[0]).toMatchObject({ outcome: 'deferred', attempts: 0 });
      expect(wrong.stoppedBy).not.toContain('nope');
      const right = await deliverOutbox(
        db,
        smtpTransport(`smtp://mailer:${encodeURIComponent('p@ss:w/rd')}@127.0.0.1:${port}/?ignoreTLS=true`),
      );
      expect(right.counts.sent).toBe(1);
      expect(logins).toEqual(['mailer|nope', 'mailer|p@ss:w/rd']);
      expect(received).toEqual(['ops@example.com']);
    } finally {
      await new Promise<void>((resolve) => authServer.close(() => resolve()));
    }
  });
});
