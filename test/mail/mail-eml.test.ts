import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emlFileName, emlTransport } from '../../src/mail/eml-transport.js';
import { createMailTransport, outboxFolder } from '../../src/mail/mailer.js';
import { enqueueMail, getOutboxEntry, readOutboxMessage } from '../../src/mail/outbox-store.js';
import { deliverOutbox } from '../../src/mail/outbox-delivery.js';
import { sampleContent, TINY_PNG } from '../helpers/mail-server.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe('emlFileName', () => {
  it('names files after the key, safely', () => {
    expect(emlFileName('rebalance:3:2024-05-31:17')).toBe('rebalance_3_2024-05-31_17.eml');
    expect(emlFileName('job-failure:12')).toBe('job-failure_12.eml');
    expect(emlFileName('../etc/passwd')).toBe('~2E.~2Fetc~2Fpasswd.eml');
    expect(emlFileName('a_b')).toBe('a~5Fb.eml');
    expect(emlFileName('é')).toBe('~C3~A9.eml');
  });

  it('gives different keys different names, every one a plain file name of bounded length', () => {
    const plain = (name: string) => {
      expect(name).toMatch(/^[A-Za-z0-9._~-]+\.eml$/);
      expect(name.startsWith('.')).toBe(false);
      expect(name.length).toBeLessThanOrEqual(184);
    };
    // A small alphabet of the characters the encoding treats specially makes near-collisions likely.
    const tricky = fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom(':', '_', '~', '.', '-', '/', 'a', '5', 'F', '7', 'E') });
    fc.assert(
      fc.property(tricky, tricky, (a, b) => {
        plain(emlFileName(a));
        if (a !== b) expect(emlFileName(a)).not.toBe(emlFileName(b));
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }), fc.string({ minLength: 1, maxLength: 200 }), (a, b) => {
        plain(emlFileName(a));
        plain(emlFileName(b));
        if (a !== b) expect(emlFileName(a)).not.toBe(emlFileName(b));
      }),
      { numRuns: 1000 },
    );
  });
});

describe(`without SMTP, mail is written as .eml files (${engineName})`, () => {
  let db: TestDatabase;
  let home: string;
  beforeAll(async () => {
    db = await openTestDatabase();
    home = mkdtempSync(join(tmpdir(), 'momentum-mail-'));
  });
  afterAll(async () => {
    await db.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('createMailTransport picks .eml files in <home>/outbox without SMTP_URL, SMTP with it', () => {
    const eml = createMailTransport({ smtpUrl: undefined, home });
    expect(eml).toMatchObject({ kind: 'eml', target: join(home, 'outbox') });
    expect(outboxFolder(home)).toBe(join(home, 'outbox'));
    const smtp = createMailTransport({ smtpUrl: 'smtp://u:secret@mail.example.com:2525', home });
    expect(smtp).toMatchObject({ kind: 'smtp', target: 'smtp://mail.example.com:2525' });
  });

  it('writes one parseable .eml per message, named by its key, and reports the path', async () => {
    const keys = ['rebalance:1:2024-05-31:1', 'alert:7:1'];
    for (const key of keys) {
      await enqueueMail(db, {
        idempotencyKey: key,
        kind: key.startsWith('alert') ? 'alert' : 'rebalance',
        to: { name: 'Ann', address: 'ann@example.com' },
        content: sampleContent({ subject: `about ${key}` }),
      });
    }
    const transport = createMailTransport({ smtpUrl: undefined, home });
    const umask = process.umask(0o000);
    const report = await deliverOutbox(db, transport).finally(() => process.umask(umask));
    const folder = join(home, 'outbox');
    expect(report.results.map((r) => r.destination)).toEqual(keys.map((k) => join(folder, emlFileName(k))));
    expect(readdirSync(folder).sort()).toEqual(['alert_7_1.eml', 'rebalance_1_2024-05-31_1.eml']);
    // Private whatever the umask: each message carries its recipient's unsubscribe token.
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    for (const key of keys) {
      const path = join(folder, emlFileName(key));
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const bytes = readFileSync(path);
      expect(Buffer.compare(bytes, (await readOutboxMessage(db, key))!)).toBe(0);
      const parsed = await simpleParser(bytes, { keepCidLinks: true });
      expect(parsed.subject).toBe(`about ${key}`);
      expect(parsed.html).toContain('cid:equity@momentum');
      expect(Buffer.compare(parsed.attachments.find((a) => a.cid === 'equity@momentum')!.content, TINY_PNG)).toBe(0);
      expect(parsed.attachments.map((a) => a.filename).sort()).toEqual(['equity.png', 'report.html']);
      expect((await getOutboxEntry(db, key))!).toMatchObject({ status: 'sent', destination: path });
    }
    // Sent is sent: a second run writes nothing.
    expect((await deliverOutbox(db, transport)).results).toEqual([]);
  });

  it('a folder it cannot write to keeps the message queued for a retry', async () => {
    await enqueueMail(db, { idempotencyKey: 'job-failure:1', kind: 'job-failure', to: 'ops@example.com', content: sampleContent() });
    const blocked = join(home, 'a-file');
    await import('node:fs/promises').then((fs) => fs.writeFile(blocked, 'not a folder'));
    const report = await deliverOutbox(db, emlTransport(join(blocked, 'outbox')));
    expect(report.status).toBe('stopped');
    expect(report.results).toEqual([
      expect.objectContaining({ outcome: 'deferred', attempts: 0, error: expect.stringMatching(/^not attempted: cannot write .*a-file/) }),
    ]);
    expect(existsSync(join(blocked, 'outbox'))).toBe(false);
    expect((await getOutboxEntry(db, 'job-failure:1'))!.status).toBe('queued');
  });
});
