/** The small interface the outbox delivers through: SMTP (smtp-transport.ts) or .eml files (eml-transport.ts). */
import { MomentumError } from '../errors.js';

/** One composed message on its way out. */
export interface OutgoingMail {
  /** The outbox idempotency key (names the .eml file). */
  readonly key: string;
  /** Envelope sender and recipient: bare addresses. */
  readonly sender: string;
  readonly recipient: string;
  /** The complete RFC 822 message, sent as is. */
  readonly raw: Buffer;
  /**
   * Called once, just before the message's bytes go out (for SMTP: once the server has accepted the
   * envelope and DATA); the send waits for it. A deliverer that dies before it returns sent nothing.
   */
  readonly onTransmit?: () => Promise<void>;
}

export interface MailTransport {
  readonly kind: 'smtp' | 'eml';
  /** Where mail goes, for people: `smtp://host:587` (no password) or the outbox folder. */
  readonly target: string;
  /** Delivers one message; resolves with where it went (the server's reply, the file path). */
  send(mail: OutgoingMail): Promise<string>;
}

/**
 * Why a send failed, which decides what the outbox does next:
 * - `transient`: not delivered, try again later (server down, 4xx reply, disk full);
 * - `permanent`: not delivered and never will be as it stands (5xx reply to the recipient or message);
 * - `unknown`: the message was on the wire when the connection broke without the server's final
 *   reply, so it may have been accepted. Never retried automatically (at most once per key).
 *
 * `scope: 'server'` says the failure is the server's or the configuration's, not this message's:
 * the delivery run stops instead of failing every other message the same way, and a transient one
 * (the server cannot be reached, or answers 4xx before the message) is not an attempt of it.
 *
 * `size` is set when the server refused the message for its size (the operator is told).
 */
export class MailSendError extends MomentumError {
  override readonly name = 'MailSendError';
  readonly outcome: 'transient' | 'permanent' | 'unknown';
  readonly scope: 'message' | 'server';
  readonly size: SizeRefusal | undefined;
  constructor(
    message: string,
    options: { outcome: MailSendError['outcome']; scope: MailSendError['scope']; cause?: unknown; size?: SizeRefusal },
  ) {
    super(message, { cause: options.cause });
    this.outcome = options.outcome;
    this.scope = options.scope;
    this.size = options.size;
  }
}

/** A message too large for the server: its size, and the server's limit when it stated one (EHLO SIZE). */
export interface SizeRefusal {
  readonly messageBytes: number;
  readonly limitBytes: number | null;
}
