/**
 * What an attempt is. An SMTP server that cannot be reached has not been offered the message: no
 * attempt is spent, however long the outage. A deliverer killed before the message bytes went out
 * sent nothing: the message goes on the next run; only one killed after them leaves it "outcome
 * unknown". A relay that refuses a message for its size fails it, and the operator is told the
 * size and the relay's limit.
 */
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { enqueueMail, getOutboxEntry, listOutbox } from '../../src/mail/outbox-store.js';
import { deliverOutbox, type DeliveryReport } from '../../src/mail/outbox-delivery.js';
import { smtpTransport } from '../../src/mail/smtp-transport.js';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { finished, runCli, spawnCli } from '../helpers/cli.js';
import { closedPort, sampleContent, smtpUrl, startSilentServer, startSmtpServer, type TestSmtpServer } from '../helpers/mail-server.js';
import { spawnedProcesses } from '../helpers/processes.js';
import { engineName } from '../helpers/test-database.js';
import { EVENTUALLY, waitFor } from '../jobs/service-helpers.js';

const HOUR = 3_600_000;

describe(`mail attempts and refusals, with real processes and servers (${engineName})`, () => {
  const processes = spawnedProcesses();
  let cli: CliEnvironment;
  const withDb = <T>(work: (db: Database) => Promise<T>): Promise<T> => cli.withDb(work);
  const enqueue = (key: string, extra = '') =>
    withDb((db) => enqueueMail(db, { idempotencyKey: key, kind: 'job-failure', to: 'ann@example.com', content: sampleContent({ extra }) }));

  beforeAll(async () => {
    cli = await cliEnvironment();
  });
  afterAll(async () => {
    await cli.dispose();
  });
  beforeEach(() => withDb(async (db) => void (await db.kysely.deleteFrom('outbox').execute())));

  /** Runs `outbox send` against a server that goes silent at `silentAt`, and kills it (-9) once `ready`. */
  async function killSenderWhen(
    silentAt: 'greeting' | 'reply',
    ready: (silent: { connections: number; messages: number }) => boolean,
    what: string,
  ): Promise<void> {
    const silent = await startSilentServer(silentAt);
    try {
      const child = processes.track(spawnCli(['outbox', 'send'], { ...cli.env, SMTP_URL: smtpUrl(silent.port) }));
      const exited = finished(child);
      await waitFor(() => ready(silent), EVENTUALLY, what);
      child.kill('SIGKILL');
      await exited;
    } finally {
      await silent.close();
    }
  }

  /** One delivery run `hours` on (past the 10-minute lease of any claim) against a server that is up; `check` gets its report and the server. */
  async function deliverLater(hours: number, check: (report: DeliveryReport, server: TestSmtpServer) => Promise<void>): Promise<void> {
    const server = await startSmtpServer();
    try {
      await check(await withDb((db) => deliverOutbox(db, smtpTransport(server.url), { now: new Date(Date.now() + hours * HOUR) })), server);
    } finally {
      await server.close();
    }
  }

  it('an outage is not an attempt: twelve runs against a server that is down leave the message queued and untried; it goes once the server is up', async () => {
    await enqueue('job-failure:1');
    const down = smtpTransport(smtpUrl(await closedPort()));
    await withDb(async (db) => {
      for (let run = 0; run < 12; run++) {
        const report = await deliverOutbox(db, down, { now: new Date(Date.now() + run * HOUR) });
        expect(report.status, `run ${run}`).toBe('stopped');
        expect(report.stoppedBy).toMatch(/ECONNREFUSED/);
      }
      expect(await getOutboxEntry(db, 'job-failure:1')).toMatchObject({ status: 'queued', attempts: 0 });
    });
    await deliverLater(12, async (report, server) => {
      expect(report.counts).toMatchObject({ sent: 1, failed: 0 });
      expect(server.received.map((m) => m.to)).toEqual([['ann@example.com']]);
      expect(await withDb((db) => getOutboxEntry(db, 'job-failure:1'))).toMatchObject({ status: 'sent', attempts: 1 });
    });
  });

  it('`outbox send` killed (-9) while waiting for the greeting sent nothing: the next run sends the message', async () => {
    await enqueue('job-failure:2');
    await killSenderWhen('greeting', (silent) => silent.connections === 1, 'the deliverer to connect');
    // Past the claim's lease (10 min): the dead deliverer's claim is over.
    await deliverLater(1, async (report, server) => {
      expect(report.expired).toEqual([]);
      expect(report.counts).toMatchObject({ sent: 1, failed: 0 });
      expect(server.received).toHaveLength(1);
      expect(await withDb((db) => getOutboxEntry(db, 'job-failure:2'))).toMatchObject({ status: 'sent', lastError: null });
    });
  });

  it('`outbox send` killed (-9) after the message went out, before the reply: "outcome unknown", never resent', async () => {
    await enqueue('job-failure:3');
    await killSenderWhen('reply', (silent) => silent.messages === 1, 'the message to go out');
    await deliverLater(1, async (report, server) => {
      expect(report.expired.map((e) => e.idempotencyKey)).toEqual(['job-failure:3']);
      expect(server.received).toHaveLength(0);
      const entry = await withDb((db) => getOutboxEntry(db, 'job-failure:3'));
      expect(entry?.status).toBe('failed');
      expect(entry?.lastError).toMatch(/^outcome unknown: /);
    });
  });

  it.each([
    ['advertises its limit (EHLO SIZE)', false],
    ['refuses after the message (552 at the end of DATA)', true],
  ])('a relay that %s: the message fails, and the operator is told its size and the limit', async (_, hideSize) => {
    const limit = 100_000;
    const queued = await enqueue('rebalance:1:2024-05-31:1', 'x'.repeat(3 * limit));
    const server = await startSmtpServer({ size: limit, hideSize });
    try {
      const env = { ...cli.env, SMTP_URL: server.url, MAIL_FROM: 'reports@example.com', MOMENTUM_OPERATOR_EMAIL: 'ops@example.com' };
      const result = await runCli(['outbox', 'send'], env);
      expect(result.code, result.stderr).toBe(2);
      const size = await withDb(async (db) => {
        const row = await db.kysely
          .selectFrom('outbox')
          .select((eb) => eb.fn<number>('octet_length', ['raw']).as('bytes'))
          .where('id', '=', queued.id)
          .executeTakeFirstOrThrow();
        return Number(row.bytes);
      });
      const refused = await withDb((db) => getOutboxEntry(db, 'rebalance:1:2024-05-31:1'));
      expect(refused?.status).toBe('failed');
      expect(refused?.lastError).toMatch(/^refused for its size/);
      expect(refused?.lastError).toContain(`${size} bytes`);
      // The notice is queued and delivered in the same run: it is small.
      const notices = await withDb((db) => listOutbox(db)).then((all) => all.filter((m) => m.recipient === 'ops@example.com'));
      expect(notices.map((n) => n.status)).toEqual(['sent']);
      expect(server.received.map((m) => m.to)).toEqual([['ops@example.com']]);
      const notice = await simpleParser(server.received[0]!.raw);
      expect(notice.subject).toMatch(/refused/);
      expect(notice.text).toContain('rebalance:1:2024-05-31:1');
      expect(notice.text).toContain('ann@example.com');
      expect(notice.text).toMatch(new RegExp(`${size.toLocaleString('en-US')} bytes`));
      if (!hideSize) expect(notice.text).toMatch(new RegExp(`limit[^\\n]*${limit.toLocaleString('en-US')} bytes`));
      // A second run tells nobody again.
      await runCli(['outbox', 'send'], env);
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
