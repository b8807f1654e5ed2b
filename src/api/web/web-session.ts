/**
 * The web pages' sessions and CSRF tokens. A session is a random id in an HttpOnly SameSite=Strict
 * cookie; its CSRF token is an HMAC of the id under a secret drawn when the server starts, so the
 * server keeps no session table and a token is worthless for any other session (or after a restart).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const COOKIE = 'momentum_session';
const ID = /^[A-Za-z0-9_-]{43}$/;

export interface Session {
  readonly csrf: string;
  /** The Set-Cookie header to send when the session is new. */
  readonly setCookie: string | undefined;
}

export interface Sessions {
  /** The request's session, or a new one (then `setCookie` is set). */
  of(req: IncomingMessage): Session;
  /** Whether the request carries a session cookie and `token` is that session's CSRF token. */
  csrfMatches(req: IncomingMessage, token: string | null): boolean;
}

/** @example const sessions = webSessions(); const { csrf, setCookie } = sessions.of(req) */
export function webSessions(secret: Buffer = randomBytes(32)): Sessions {
  const tokenOf = (id: string) => createHmac('sha256', secret).update(id).digest('base64url');
  return {
    of(req) {
      const existing = sessionId(req);
      const id = existing ?? randomBytes(32).toString('base64url');
      return {
        csrf: tokenOf(id),
        setCookie: existing ? undefined : `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict`,
      };
    },
    csrfMatches(req, token) {
      const id = sessionId(req);
      if (id === undefined || token === null) return false;
      const expected = Buffer.from(tokenOf(id));
      const given = Buffer.from(token);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

function sessionId(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === COOKIE && value !== undefined && ID.test(value)) return value;
  }
  return undefined;
}
