import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/util/redact.js';

describe('redactSecrets: every way a credential appears in a URL or DSN', () => {
  it.each([
    ['postgres://ann:s3cret@db.example.com:5432/momentum', 'postgres://ann:***@db.example.com:5432/momentum'],
    ['postgresql://ann:p%40ss%2Fw@db/momentum?sslmode=require', 'postgresql://ann:***@db/momentum?sslmode=require'],
    ['smtp://mailer:p@ss@mail.example.com:587', 'smtp://mailer:***@mail.example.com:587'],
    ['postgres://ann@db/momentum?password=s3cret', 'postgres://ann@db/momentum?password=***'],
    [
      'postgres://ann@db/momentum?sslmode=require&password=s3cret&application_name=x',
      'postgres://ann@db/momentum?sslmode=require&password=***&application_name=x',
    ],
    ['postgres://db/momentum?user=ann&PASSWORD=s3cret#frag', 'postgres://db/momentum?user=ann&PASSWORD=***#frag'],
    ['postgres://db/momentum?sslpassword=keypass', 'postgres://db/momentum?sslpassword=***'],
    ['host=db port=5432 user=ann password=s3cret dbname=momentum', 'host=db port=5432 user=ann password=*** dbname=momentum'],
    ["host=db password='s3 cret\\' x' dbname=momentum", 'host=db password=*** dbname=momentum'],
    ['host=db password = s3cret', 'host=db password=***'],
    [
      'cannot connect to PostgreSQL at postgres://u:pw@h/db: refused, as postgres://h/db?password=pw',
      'cannot connect to PostgreSQL at postgres://u:***@h/db: refused, as postgres://h/db?password=***',
    ],
  ])('%s', (text, redacted) => {
    expect(redactSecrets(text)).toBe(redacted);
    expect(redactSecrets(redacted)).toBe(redacted);
  });

  it('leaves text without credentials as it is', () => {
    for (const text of [
      'postgres://ann@db:5432/momentum',
      'http://127.0.0.1:8080/unsubscribe?token=abc',
      'the password is required',
      'a=b c=d',
    ])
      expect(redactSecrets(text)).toBe(text);
  });
});
