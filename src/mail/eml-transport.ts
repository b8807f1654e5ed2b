/**
 * Delivery without SMTP: each message is written as `<folder>/<key>.eml` (any mail client opens
 * it), atomically (a temporary file renamed into place), so a reader never sees half a message.
 */
import { createHash } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import { makePrivateDirAsync, writePrivateFileAsync } from '../util/private-files.js';
import { MailSendError, type MailTransport } from './mail-transport.js';

const MAX_NAME = 180;

/**
 * A file name for an idempotency key, safe on Linux, macOS and Windows and different for different
 * keys: `:` becomes `_`; letters, digits, `.` and `-` stay; anything else becomes `~XX` (its UTF-8
 * bytes in hex). Very long keys are cut and end in a hash of the whole key.
 * @example emlFileName('rebalance:3:2024-05-31:17') // 'rebalance_3_2024-05-31_17.eml'
 */
export function emlFileName(key: string): string {
  let name = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (char === ':') name += '_';
    else if (/[A-Za-z0-9.-]/.test(char)) name += char;
    else name += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (name.startsWith('.')) name = `~2E${name.slice(1)}`;
  if (name.length > MAX_NAME) name = `${name.slice(0, MAX_NAME - 17)}~${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  return `${name}.eml`;
}

/** @example const transport = emlTransport('.momentum/outbox'); */
export function emlTransport(folder: string): MailTransport {
  return {
    kind: 'eml',
    target: folder,
    async send(mail) {
      const path = join(folder, emlFileName(mail.key));
      const temporary = `${path}.${process.pid}.tmp`;
      try {
        // Private (0700/0600): each message carries its recipient's unsubscribe token.
        await makePrivateDirAsync(folder);
        await mail.onTransmit?.();
        await writePrivateFileAsync(temporary, mail.raw);
        await rename(temporary, path);
      } catch (error) {
        throw new MailSendError(`cannot write ${path}: ${errorMessage(error)}`, { outcome: 'transient', scope: 'server', cause: error });
      }
      return path;
    },
  };
}
