/**
 * Mail test parts: a real SMTP server on loopback (smtp-server) that keeps every message it
 * accepts, a raw TCP "server" that takes a whole message and hangs up without answering, a
 * tiny valid PNG, a small rendered message, and a portfolio row for subscribers to belong to.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Database } from '../../src/db/database.js';
import type { MailContent } from '../../src/mail/mail-content.js';

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: Buffer;
}

export interface TestSmtpServer {
  readonly port: number;
  readonly url: string;
  readonly received: ReceivedMail[];
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  /** Listen on this port (default: any free one). */
  readonly port?: number;
  /** Reply to RCPT TO with this error (e.g. 550) for matching addresses. */
  readonly refuse?: (address: string) => number | undefined;
  /** Delay before answering the end of DATA (ms), to widen races. */
  readonly delayMs?: number;
  /** Largest message it takes (bytes), answering 552 beyond it; advertised in EHLO (SIZE) unless `hideSize`. */
  readonly size?: number;
  readonly hideSize?: boolean;
}

/** smtp-server demands AUTH and offers an expired STARTTLS certificate by default: both off here. */
export async function startSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    ...(options.size === undefined ? {} : { size: options.size, hideSize: options.hideSize ?? false }),
    onRcptTo(address, _session, callback) {
      const code = options.refuse?.(address.address);
      if (code === undefined) return callback();
      const error = new Error(`mailbox ${address.address} unavailable`) as Error & { responseCode: number };
      error.responseCode = code;
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if ((stream as typeof stream & { sizeExceeded?: boolean }).sizeExceeded) {
          const error = new Error('5.3.4 Message size exceeds fixed maximum message size') as Error & { responseCode: number };
          error.responseCode = 552;
          return callback(error);
        }
        const finish = () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
          });
          callback(null, 'queued as test');
        };
        if (options.delayMs) setTimeout(finish, options.delayMs);
        else finish();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.on('error', reject);
    const listener = server.listen(options.port ?? 0, '127.0.0.1', () => resolve((listener.address() as AddressInfo).port));
  });
  return {
    port,
    url: smtpUrl(port),
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The SMTP_URL of a test server: plain text on loopback. */
export function smtpUrl(port: number): string {
  return `smtp://127.0.0.1:${port}/?ignoreTLS=true`;
}

/** A loopback port nothing listens on (just released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface PartialServer {
  port: number;
  /** Connections accepted. */
  readonly connections: number;
  /** Messages taken whole (up to the end of DATA). */
  readonly messages: number;
  close(): Promise<void>;
}

/**
 * Speaks just enough SMTP to take a message, then, instead of answering the end of DATA, drops the
 * connection (`hang up`) or says nothing more (`silence`); with `greet: false` it says nothing at all.
 */
async function startPartialServer(name: string, greet: boolean, afterMessage: 'hang up' | 'silence'): Promise<PartialServer> {
  const state = { connections: 0, messages: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (!greet) return;
    let inData = false;
    let buffer = '';
    socket.write(`220 ${name} test server\r\n`);
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      if (inData) {
        if (buffer.includes('\r\n.\r\n')) {
          state.messages++;
          buffer = '';
          if (afterMessage === 'hang up') socket.destroy();
        }
        return;
      }
      let end: number;
      while (!inData && (end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') socket.write(`250-${name}\r\n250 8BITMIME\r\n`);
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else socket.write('250 ok\r\n');
      }
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return {
    port,
    get connections() {
      return state.connections;
    },
    get messages() {
      return state.messages;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Takes a message, then drops the connection instead of answering the end of DATA: the client cannot know whether it was accepted. */
export function startHangUpServer(): Promise<PartialServer> {
  return startPartialServer('hang-up', true, 'hang up');
}

/**
 * Speaks SMTP up to a point and then says nothing more, keeping the connection open: before its
 * greeting (`greeting`), or after taking a whole message, before answering its end (`reply`).
 */
export function startSilentServer(silentAt: 'greeting' | 'reply'): Promise<PartialServer> {
  return startPartialServer('silent', silentAt !== 'greeting', 'silence');
}

/** A valid 1x1 PNG. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A rendered message with an inline chart (cid) and an ordinary attachment. */
export function sampleContent(overrides: Partial<MailContent> & { readonly extra?: string } = {}): MailContent {
  const extra = overrides.extra ?? '';
  return {
    subject: overrides.subject ?? 'Rebalance of core on 2024-05-31',
    html:
      overrides.html ??
      `<html><body><h1>core</h1><table><tr><td>SPY</td><td>60.0%</td></tr></table><img src="cid:equity@momentum" alt="equity">${extra}</body></html>`,
    text: overrides.text ?? `core\nSPY 60.0%\n${extra}`,
    attachments: overrides.attachments ?? [
      { filename: 'equity.png', contentType: 'image/png', content: TINY_PNG, cid: 'equity@momentum' },
      { filename: 'report.html', contentType: 'text/html', content: Buffer.from('<html><body>interactive</body></html>') },
    ],
  };
}

/** A model portfolio row (only what subscribers need: a name and a currency). */
export async function insertPortfolio(db: Database, name: string, currency = 'USD'): Promise<number> {
  const row = await db.kysely
    .insertInto('portfolios')
    .values({
      name,
      strategy: 'xs-momentum',
      params: JSON.stringify({}),
      universe: 'synthetic',
      symbols: JSON.stringify(['SPY']),
      interval: '1d',
      backtest_id: null,
      optimizer: 'none',
      mode: 'lumpsum',
      amount: 100_000,
      sip: JSON.stringify(null),
      currency,
      lot_size: 1,
      ignore_gates: true,
      max_data_age_days: 7,
      costs: JSON.stringify({}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}
