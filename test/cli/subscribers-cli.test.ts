import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { emlFileName } from '../../src/mail/eml-transport.js';
import { enqueueMail } from '../../src/mail/outbox-store.js';
import { cliEnvironment, type CliEnvironment } from '../helpers/cli-env.js';
import { runCli } from '../helpers/cli.js';
import { closedPort, insertPortfolio, sampleContent, smtpUrl, startSmtpServer } from '../helpers/mail-server.js';
import { engineName } from '../helpers/test-database.js';

describe(`momentum subscribers and momentum outbox (${engineName})`, () => {
  let cli: CliEnvironment;
  let env: NodeJS.ProcessEnv;

  const withDb = <T>(work: (db: Database) => Promise<T>): Promise<T> => cli.withDb(work);

  beforeAll(async () => {
    cli = await cliEnvironment();
    env = { ...cli.env, MOMENTUM_PUBLIC_URL: 'https://momentum.example.com/', SMTP_URL: '', MAIL_FROM: 'Momentum <reports@example.com>' };
    await withDb(async (db) => {
      await insertPortfolio(db, 'core', 'USD');
      for (const key of ['job-failure:1', 'job-failure:2']) {
        await enqueueMail(db, {
          idempotencyKey: key,
          kind: 'job-failure',
          to: 'ops@example.com',
          content: sampleContent({ subject: key }),
        });
      }
    });
  });
  afterAll(async () => {
    await cli.dispose();
  });

  it('add, list and remove subscribers', async () => {
    const added = await runCli(
      ['subscribers', 'add', '--portfolio', 'core', '--email', 'Ann@Example.com', '--name', 'Ann Example', '--amount', '25000'],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^subscribed ann@example.com to core \(subscriber 1\) with 25,000.00 USD\n/); // money to cents
    const link = /unsubscribe link: (https:\/\/momentum\.example\.com\/unsubscribe\?token=([\w-]+))\n/.exec(added.stdout);
    expect(link).not.toBeNull();
    const token = link![2]!;

    const json = await runCli(
      ['subscribers', 'add', '--portfolio', 'core', '--email', 'bob@example.com', '--amount', '1000.5', '--currency', 'usd', '--json'],
      env,
    );
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      email: 'bob@example.com',
      amount: 1000.5,
      currency: 'USD',
      name: null,
      resubscribed: false,
    });

    const list = await runCli(['subscribers', 'list', '--portfolio', 'core'], env);
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+portfolio\s+email\s+name\s+amount\s+currency\s+since\s+unsubscribed$/);
    expect(
      lines.slice(2).map((l) =>
        l
          .trim()
          .split(/\s{2,}/)
          .slice(0, 6),
      ),
    ).toEqual([
      ['1', 'core', 'ann@example.com', 'Ann Example', '25,000.00', 'USD'],
      ['2', 'core', 'bob@example.com', '-', '1,000.50', 'USD'],
    ]);

    const removed = await runCli(['subscribers', 'remove', '--token', token], env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe('unsubscribed ann@example.com from core (subscriber 1)\n');
    const all = JSON.parse((await runCli(['subscribers', 'list', '--all', '--json'], env)).stdout) as {
      email: string;
      unsubscribedAt: string | null;
    }[];
    expect(all.map((s) => [s.email, s.unsubscribedAt === null])).toEqual([
      ['ann@example.com', false],
      ['bob@example.com', true],
    ]);
  });

  it('explains bad input and exits 1', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['subscribers', 'add', '--portfolio', 'core', '--email', 'not-an-email', '--amount', '10'],
        /^error: email: "not-an-email" is not an email address like name@example.com\n$/,
      ],
      [
        ['subscribers', 'add', '--portfolio', 'core', '--email', 'c@example.com', '--amount', '-5'],
        /^error: amount: -5 must be above 0\n$/,
      ],
      [
        ['subscribers', 'add', '--portfolio', 'nope', '--email', 'c@example.com', '--amount', '5'],
        /^error: no portfolio named "nope"; there are core\n$/,
      ],
      [['subscribers', 'remove'], /^error: token: give either --token T \(from an unsubscribe link\) or --email E \[--portfolio NAME\]\n$/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, env);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.code).toBe(1);
    }
  });

  it('outbox send writes .eml files without SMTP_URL and prints their paths; outbox list shows them sent', async () => {
    const sent = await runCli(['outbox', 'send'], env);
    expect(sent.code, sent.stderr).toBe(0);
    const folder = join(cli.home, 'outbox');
    expect(sent.stderr).toContain(`no SMTP_URL: writing .eml files to ${folder}`);
    const paths = ['job-failure:1', 'job-failure:2'].map((k) => join(folder, emlFileName(k)));
    expect(sent.stdout).toBe(`wrote   ${paths[0]}\nwrote   ${paths[1]}\n2 written, 0 to retry, 0 failed\n`);
    for (const [i, path] of paths.entries()) {
      expect(existsSync(path)).toBe(true);
      expect((await simpleParser(readFileSync(path))).subject).toBe(`job-failure:${i + 1}`);
    }
    const list = await runCli(['outbox', 'list', '--status', 'sent'], env);
    expect(list.stdout).toMatch(
      /job-failure:2\s+ops@example.com\s+job-failure:2\s+sent\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\dZ\s+\/.*job-failure_2\.eml/,
    );
    expect((await runCli(['outbox', 'send'], env)).stdout).toBe('nothing due\n');
  });

  it('outbox send over SMTP: down, it stops with exit 1 and keeps the messages; up, it sends each once', async () => {
    await withDb((db) =>
      enqueueMail(db, {
        idempotencyKey: 'job-failure:3',
        kind: 'job-failure',
        to: 'ops@example.com',
        content: sampleContent({ subject: 'third' }),
      }),
    );
    const port = await closedPort();
    const down = await runCli(['outbox', 'send'], { ...env, SMTP_URL: smtpUrl(port) });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`sending through smtp://127.0.0.1:${port}`);
    expect(down.stdout).toMatch(/^later {3}job-failure:3: not attempted: .*ECONNREFUSED/);
    expect(down.stdout).toMatch(/\n0 sent, 0 to retry, 0 failed, 1 not attempted\n$/);
    expect(down.stderr).toMatch(/stopped: .*; the rest stay queued/);
    const retry = await runCli(['outbox', 'retry', 'job-failure:3'], env);
    expect(retry.stderr).toBe('error: key: message job-failure:3 is queued; only failed or cancelled messages can be queued again\n');

    // Still due (no attempt was spent): delivered once the server is up.
    const server = await startSmtpServer({ port });
    try {
      const up = await runCli(['outbox', 'send'], { ...env, SMTP_URL: smtpUrl(port) });
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toMatch(
        /^sent {4}job-failure:3 to ops@example.com: smtp:\/\/127\.0\.0\.1:\d+ 250 .*queued as test\n1 sent, 0 to retry, 0 failed\n$/,
      );
      expect(server.received.map((m) => m.to)).toEqual([['ops@example.com']]);
    } finally {
      await server.close();
    }
  });
});
