/** Bearer tokens (RFC 6750) compared in constant time, and what counts as a loopback host. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Whether an `Authorization` header carries `Bearer <token>`.
 * @example bearerMatches('Bearer s3cret', 's3cret') // true
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header ?? '');
  return tokenMatches(match?.[1] ?? '', token) && match !== null;
}

/**
 * Whether `given` is the token (typed into the sign-in form, or taken from a header). Both sides
 * are hashed first, so the comparison takes the same time whatever the length or content of the guess.
 */
export function tokenMatches(given: string, token: string): boolean {
  const hash = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(hash(given), hash(token));
}

/** `localhost`, 127.0.0.0/8, `::1` and IPv4-mapped loopback: hosts only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^(0:){7}1$/.test(bare) || /^::ffff:127\./.test(bare);
  return false;
}
