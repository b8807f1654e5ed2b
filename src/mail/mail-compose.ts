/**
 * Builds the complete RFC 822 message of a rendered email with nodemailer's MailComposer, once:
 * the outbox stores these bytes and every delivery attempt sends them unchanged (same Message-ID,
 * same Date), so a receiver that sees a retry sees the same message.
 *
 * Header safety: display names and the subject come from data (subscriber names, portfolio names),
 * so control characters (CR, LF, tabs) are folded to spaces before they reach a header, and the
 * addresses are validated; a name like `Eve\r\nBcc: x@y` stays one harmless display name.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { MailContent } from './mail-content.js';

export interface MailAddress {
  readonly address: string;
  readonly name?: string | null | undefined;
}

export interface ComposeInput {
  /** `reports@example.com` or `Momentum <reports@example.com>`. */
  readonly from: string | MailAddress;
  readonly to: string | MailAddress;
  readonly content: MailContent;
  /** Extra headers, e.g. `List-Unsubscribe`; values are single lines. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** The Date header (default: now). */
  readonly date?: Date | undefined;
}

export interface ComposedMail {
  /** The whole message, CRLF line ends. */
  readonly raw: Buffer;
  /** With angle brackets, as in the header. */
  readonly messageId: string;
  /** Envelope sender and recipient: bare addresses. */
  readonly sender: string;
  readonly recipient: string;
  /** The subject as it went into the header (control characters folded). */
  readonly subject: string;
}

// HTML5's address syntax: no spaces, brackets or line breaks; dotless domains (momentum@localhost) allowed.
const emailSchema = z.email({ pattern: z.regexes.html5Email });

/** Folds control characters (CR, LF, tab, ...) and runs of spaces into one space; trims. */
export function headerText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
}

/** A validated, lower-cased bare address, or a ValidationError naming `field`. */
export function checkAddress(address: string, field: string): string {
  const trimmed = address.trim().toLowerCase();
  if (!emailSchema.safeParse(trimmed).success) {
    throw new ValidationError(field, `${JSON.stringify(address)} is not an email address like name@example.com`);
  }
  return trimmed;
}

/**
 * `a@b` or `Name <a@b>` (or `"Name" <a@b>`) -> { name, address }, validated. A string is an
 * address, not data: line breaks, several addresses or groups (`x: a@b;`) are refused rather than
 * interpreted. Names given as objects are data: their control characters are folded.
 */
export function parseMailbox(value: string | MailAddress, field: string): { name: string; address: string } {
  if (typeof value !== 'string') {
    return { name: headerText(value.name ?? ''), address: checkAddress(value.address, field) };
  }
  const refuse = () =>
    new ValidationError(field, `${JSON.stringify(value)} is not one address like name@example.com or Name <name@example.com>`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw refuse();
  const trimmed = value.trim();
  const named = /^(?:"([^"\\]*)"|([^"<>,;:]*?))\s*<([^<>\s]+)>$/.exec(trimmed);
  const name = named ? (named[1] ?? named[2] ?? '') : '';
  const address = (named ? named[3]! : trimmed).toLowerCase();
  if (!emailSchema.safeParse(address).success) throw refuse();
  return { name: headerText(name), address };
}

/**
 * @example const mail = await composeMail({ from: 'reports@example.com', to: { name: 'Ann', address: 'ann@example.com' }, content });
 */
export async function composeMail(input: ComposeInput): Promise<ComposedMail> {
  const from = parseMailbox(input.from, 'from');
  const to = parseMailbox(input.to, 'to');
  const subject = headerText(input.content.subject);
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.headers ?? {})) {
    if (!/^[A-Za-z0-9-]+$/.test(key)) throw new ValidationError('headers', `invalid header name ${JSON.stringify(key)}`);
    headers[key] = headerText(value);
  }
  const composer = new MailComposer({
    from: from.name ? { name: from.name, address: from.address } : from.address,
    to: to.name ? { name: to.name, address: to.address } : to.address,
    subject,
    date: input.date ?? new Date(),
    text: input.content.text,
    html: input.content.html,
    headers,
    attachments: input.content.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
      ...(a.cid === undefined ? {} : { cid: a.cid }),
    })),
    // Content must come from the rendered message only, never from a path or URL it names.
    disableFileAccess: true,
    disableUrlAccess: true,
    newline: 'win',
  });
  const node = composer.compile();
  const messageId = node.messageId();
  const raw = await node.build();
  return { raw, messageId, sender: from.address, recipient: to.address, subject };
}
