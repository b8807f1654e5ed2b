/**
 * SMTP delivery of composed messages: one nodemailer SMTPConnection per message (connect, log in,
 * MAIL FROM / RCPT TO / DATA with the stored bytes, QUIT).
 *
 * The connection is used directly, not through nodemailer's high-level transport, to learn whether
 * the message bytes had started to go out when a send failed: before that point a failure is safe
 * to retry; after it, without the server's final reply, the server may have accepted the message,
 * so the failure is reported as `unknown` and the outbox does not send it again.
 *
 * `SMTP_URL`: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://user:pass@host:465`
 * (TLS from the start); user and password URL-encoded. Query options: `ignoreTLS`, `requireTLS`,
 * `rejectUnauthorized` (true | false) and `name` (the EHLO name).
 */
import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { ConfigError } from '../errors.js';
import { MailSendError, type MailTransport, type OutgoingMail, type SizeRefusal } from './mail-transport.js';

export interface SmtpTransportOptions {
  /** Connection, greeting and idle timeouts in ms (default 30 s each; the reply to the message may take 2x). */
  readonly timeoutMs?: number;
}

interface SmtpSettings {
  readonly connection: SMTPConnection.Options;
  readonly auth: { user: string; pass: string } | undefined;
  readonly target: string;
}

const BOOLEAN_OPTIONS = ['ignoreTLS', 'requireTLS', 'rejectUnauthorized'] as const;

/** Parses SMTP_URL; errors never repeat the password. */
export function parseSmtpUrl(value: string, timeoutMs = 30_000): SmtpSettings {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('SMTP_URL is not a URL; use smtp://user:pass@host:587 or smtps://user:pass@host:465');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new ConfigError(`SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//`);
  }
  if (!url.hostname) throw new ConfigError('SMTP_URL names no host; use smtp://user:pass@host:587');
  const secure = url.protocol === 'smtps:';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const flags: Partial<Record<(typeof BOOLEAN_OPTIONS)[number], boolean>> = {};
  let name: string | undefined;
  for (const [key, raw] of url.searchParams) {
    if (key === 'name') {
      name = raw;
    } else if ((BOOLEAN_OPTIONS as readonly string[]).includes(key)) {
      if (raw !== 'true' && raw !== 'false')
        throw new ConfigError(`SMTP_URL option ${key} must be true or false, not ${JSON.stringify(raw)}`);
      flags[key as (typeof BOOLEAN_OPTIONS)[number]] = raw === 'true';
    } else {
      throw new ConfigError(`SMTP_URL has an unknown option ${JSON.stringify(key)}; known: ${[...BOOLEAN_OPTIONS, 'name'].join(', ')}`);
    }
  }
  const auth = url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined;
  return {
    connection: {
      host,
      port,
      secure,
      ignoreTLS: flags.ignoreTLS,
      requireTLS: flags.requireTLS,
      ...(name === undefined ? {} : { name }),
      ...(flags.rejectUnauthorized === undefined ? {} : { tls: { rejectUnauthorized: flags.rejectUnauthorized } }),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: 2 * timeoutMs,
    },
    auth,
    target: `${url.protocol}//${url.host}`,
  };
}

/**
 * @example const transport = smtpTransport('smtp://user:pass@mail.example.com:587');
 */
export function smtpTransport(url: string, options: SmtpTransportOptions = {}): MailTransport {
  const settings = parseSmtpUrl(url, options.timeoutMs);
  return {
    kind: 'smtp',
    target: settings.target,
    send: (mail) => sendOne(settings, mail),
  };
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  command?: string;
  response?: string;
}

function sendOne(settings: SmtpSettings, mail: OutgoingMail): Promise<string> {
  return new Promise((resolve, reject) => {
    const connection = new SMTPConnection(settings.connection);
    let dataStarted = false;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      connection.close();
      reject(classify(error as SmtpError, dataStarted, settings.target, mail.raw.length));
    };
    // Late socket errors (after QUIT) must not become unhandled 'error' events.
    connection.on('error', fail);
    const transmit = () => {
      // Read (piped into the DATA stream) only once the server has accepted DATA; the bytes go out
      // once the outbox has recorded that they are about to (onTransmit).
      let asked = false;
      const body = new Readable({
        read() {
          if (asked) return;
          asked = true;
          Promise.resolve(mail.onTransmit?.()).then(
            () => {
              dataStarted = true;
              this.push(mail.raw);
              this.push(null);
            },
            (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
          );
        },
      });
      connection.send({ from: mail.sender, to: [mail.recipient], size: mail.raw.length }, body, (error, info) => {
        if (error) return fail(error);
        settled = true;
        connection.quit();
        resolve(`${settings.target} ${info!.response}`);
      });
    };
    connection.connect((error) => {
      if (error) return fail(error);
      if (!settings.auth) return transmit();
      connection.login(settings.auth, (loginError) => (loginError ? fail(loginError) : transmit()));
    });
  });
}

/** nodemailer's own refusal before MAIL FROM, against the server's EHLO SIZE. */
const OVER_ADVERTISED_SIZE = /^Message size larger than allowed (\d+)/;

/**
 * A refusal for size: nodemailer's check against EHLO SIZE, or the server's 552 (RFC 5321: "exceeded
 * storage allocation", sent for size at MAIL FROM or after DATA) or enhanced codes 5.3.4 / 5.2.3.
 */
function sizeRefusal(error: SmtpError, messageBytes: number): SizeRefusal | undefined {
  const advertised = OVER_ADVERTISED_SIZE.exec(error.message);
  if (advertised) return { messageBytes, limitBytes: Number(advertised[1]) };
  const perMessage = error.command === 'MAIL FROM' || error.command === 'DATA';
  if (perMessage && (error.responseCode === 552 || /\b5\.(3\.4|2\.3)\b/.test(error.response ?? '')))
    return { messageBytes, limitBytes: null };
  return undefined;
}

/** What a nodemailer error means for this message (see MailSendError). */
function classify(error: SmtpError, dataStarted: boolean, target: string, messageBytes: number): MailSendError {
  const text = `${target}: ${error.message}`;
  const size = sizeRefusal(error, messageBytes);
  if (size) return new MailSendError(text, { outcome: 'permanent', scope: 'message', cause: error, size });
  const code = error.responseCode;
  if (typeof code === 'number') {
    const perMessage = error.command === 'RCPT TO' || error.command === 'DATA';
    if (code === 421 || !perMessage) return new MailSendError(text, { outcome: 'transient', scope: 'server', cause: error });
    return new MailSendError(text, { outcome: code >= 500 ? 'permanent' : 'transient', scope: 'message', cause: error });
  }
  if (error.code === 'EENVELOPE' || (error.code === 'EMESSAGE' && !dataStarted)) {
    return new MailSendError(text, { outcome: 'permanent', scope: 'message', cause: error });
  }
  if (dataStarted) {
    return new MailSendError(`${text} (after the message was sent, before the server confirmed it: it may have been delivered)`, {
      outcome: 'unknown',
      scope: 'server',
      cause: error,
    });
  }
  return new MailSendError(text, { outcome: 'transient', scope: 'server', cause: error });
}
