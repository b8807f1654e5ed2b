import { describe, expect, it } from 'vitest';
import { readEnvironment } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { composeMail, headerText, parseMailbox } from '../../src/mail/mail-compose.js';
import { DEFAULT_MAIL_FROM, mailFrom } from '../../src/mail/mailer.js';
import { parseSmtpUrl } from '../../src/mail/smtp-transport.js';
import { sampleContent } from '../helpers/mail-server.js';

describe('mail settings in the environment', () => {
  it('reads SMTP_URL, MAIL_FROM and MOMENTUM_PUBLIC_URL (no trailing slash); unset means .eml files and the defaults', () => {
    const env = readEnvironment(
      {
        SMTP_URL: 'smtp://u:p@mail.example.com:587',
        MAIL_FROM: 'Momentum <reports@example.com>',
        MOMENTUM_PUBLIC_URL: 'https://m.example.com/',
      },
      '/srv',
    );
    expect(env).toMatchObject({
      smtpUrl: 'smtp://u:p@mail.example.com:587',
      mailFrom: 'Momentum <reports@example.com>',
      publicUrl: 'https://m.example.com',
    });
    const unset = readEnvironment({ SMTP_URL: ' ', MAIL_FROM: '' }, '/srv');
    expect(unset).toMatchObject({ smtpUrl: undefined, mailFrom: undefined, publicUrl: undefined });
    expect(mailFrom(unset)).toBe(DEFAULT_MAIL_FROM);
    expect(mailFrom(env)).toBe('Momentum <reports@example.com>');
  });

  it('refuses malformed values, naming the variable and never echoing a password', () => {
    expect(() => readEnvironment({ SMTP_URL: 'http://u:hunter2@x' })).toThrow(ConfigError);
    expect(() => readEnvironment({ SMTP_URL: 'http://u:hunter2@x' })).toThrow(
      /^environment variable SMTP_URL must look like smtp:\/\/user:pass@host:587/,
    );
    expect(() => readEnvironment({ SMTP_URL: 'http://u:hunter2@x' })).not.toThrow(/hunter2/);
    expect(() => readEnvironment({ MAIL_FROM: 'reports' })).toThrow(/MAIL_FROM must be an address like reports@example.com/);
    expect(() => readEnvironment({ MAIL_FROM: 'a@example.com, b@example.com' })).toThrow(/MAIL_FROM/);
    expect(() => readEnvironment({ MAIL_FROM: 'x@example.com\r\nBcc: y@example.com' })).toThrow(/MAIL_FROM/);
    expect(() => readEnvironment({ MOMENTUM_PUBLIC_URL: 'momentum.example.com' })).toThrow(/MOMENTUM_PUBLIC_URL must be an http\(s\) URL/);
  });

  it('every MAIL_FROM the environment accepts is one the composer reads the same way', async () => {
    for (const from of [
      'reports@example.com',
      'Momentum <reports@example.com>',
      '"Momentum, Inc." <reports@example.com>',
      'momentum@localhost',
    ]) {
      expect(readEnvironment({ MAIL_FROM: from }).mailFrom).toBe(from);
      const mail = await composeMail({ from, to: 'ann@example.com', content: sampleContent() });
      expect(mail.sender).toBe(/<(.*)>/.exec(from)?.[1] ?? from);
    }
  });
});

describe('SMTP_URL', () => {
  it('gives host, port, TLS mode and URL-decoded credentials; the target shows no password', () => {
    const plain = parseSmtpUrl('smtp://mailer:p%40ss%3Aw%2Frd@mail.example.com');
    expect(plain.connection).toMatchObject({ host: 'mail.example.com', port: 587, secure: false });
    expect(plain.auth).toEqual({ user: 'mailer', pass: 'p@ss:w/rd' });
    expect(plain.target).toBe('smtp://mail.example.com');
    const tls = parseSmtpUrl('smtps://mail.example.com?rejectUnauthorized=false&name=box.example.com');
    expect(tls.connection).toMatchObject({ port: 465, secure: true, name: 'box.example.com', tls: { rejectUnauthorized: false } });
    expect(tls.auth).toBeUndefined();
    expect(parseSmtpUrl('smtp://[::1]:2525/?ignoreTLS=true').connection).toMatchObject({ host: '::1', port: 2525, ignoreTLS: true });
  });

  it('refuses unknown options and non-boolean flags by name', () => {
    expect(() => parseSmtpUrl('smtp://h/?pool=true')).toThrow(
      /unknown option "pool"; known: ignoreTLS, requireTLS, rejectUnauthorized, name/,
    );
    expect(() => parseSmtpUrl('smtp://h/?ignoreTLS=yes')).toThrow(/ignoreTLS must be true or false/);
    expect(() => parseSmtpUrl('imap://u:secret@h')).toThrow(/must start with smtp:\/\/ or smtps:\/\//);
  });
});

describe('addresses and header text', () => {
  it('folds control characters of data into spaces', () => {
    expect(headerText('Growth\r\nBcc: x@y.org\t <b>')).toBe('Growth Bcc: x@y.org <b>');
  });

  it('reads one mailbox from a string and refuses anything else', () => {
    expect(parseMailbox('Ann Example <Ann@Example.com>', 'to')).toEqual({ name: 'Ann Example', address: 'ann@example.com' });
    expect(parseMailbox('"Example, Ann" <ann@example.com>', 'to')).toEqual({ name: 'Example, Ann', address: 'ann@example.com' });
    expect(parseMailbox({ name: 'Eve\r\nBcc: x@y.org', address: 'eve@example.com' }, 'to')).toEqual({
      name: 'Eve Bcc: x@y.org',
      address: 'eve@example.com',
    });
    for (const bad of [
      'a@example.com, b@example.com',
      'ops@example.com\r\nBcc: x@y.org',
      'Bcc: x@y.org;',
      'x <a@b.com> <c@d.com>',
      'nobody',
    ]) {
      expect(() => parseMailbox(bad, 'to')).toThrow(/^to: .* is not one address/);
    }
    expect(() => parseMailbox({ address: 'a b@example.com' }, 'to')).toThrow(/^to: "a b@example.com" is not an email address/);
  });
});
