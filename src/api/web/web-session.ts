/**
 * The web pages' sessions and CSRF tokens. A session is a random id in an HttpOnly SameSite=Strict
 * cookie; its CSRF token is an HMAC of the id under a secret drawn when the server starts, so a
 * token is worthless for any other session (or after a restart).
 *
 * Signing in (the server bound beyond loopback, with a token) gives the browser a new session id,
 * so an id planted before cannot ride on it; the ids signed in are kept in memory for SIGNED_IN_MS
 * (a restart signs everyone out, and signing out ends the session at once).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const COOKIE = 'momentum_session';
const ID = /^[A-Za-z0-9_-]{43}$/;
/** How long signing in lasts. */
const SIGNED_IN_MS = 12 * 3600_000;
/** Sessions signed in at once before the oldest is dropped (a bound on the memory a guesser could fill). */
const MAX_SIGNED_IN = 10_000;

export interface Session {
  readonly csrf: string;
  /** The Set-Cookie header to send when the session is new. */
  readonly setCookie: string | undefined;
  /** Whether this session signed in (and has not expired or signed out). */
  readonly signedIn: boolean;
}

export interface Sessions {
  /** The request's session, or a new one (then `setCookie` is set). */
  of(req: IncomingMessage): Session;
  /** Whether the request carries a session cookie and `token` is that session's CSRF token. */
  csrfMatches(req: IncomingMessage, token: string | null): boolean;
  /** A new session, signed in, in place of the request's. */
  signIn(req: IncomingMessage): Session;
  /** Ends the request's sign-in (its session stays, signed out). */
  signOut(req: IncomingMessage): void;
}

/** @example const sessions = webSessions(); const { csrf, setCookie } = sessions.of(req) */
export function webSessions(secret: Buffer = randomBytes(32), now: () => number = Date.now): Sessions {
  const tokenOf = (id: string) => createHmac('sha256', secret).update(id).digest('base64url');
  const cookieOf = (id: string) => `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict`;
  /** Session id to the time its sign-in ends, oldest first. */
  const signedIn = new Map<string, number>();
  const isSignedIn = (id: string | undefined) => {
    const until = id === undefined ? undefined : signedIn.get(id);
    if (until !== undefined && until <= now()) signedIn.delete(id!);
    return until !== undefined && until > now();
  };
  return {
    of(req) {
      const existing = sessionId(req);
      const id = existing ?? randomBytes(32).toString('base64url');
      return { csrf: tokenOf(id), setCookie: existing ? undefined : cookieOf(id), signedIn: isSignedIn(existing) };
    },
    csrfMatches(req, token) {
      const id = sessionId(req);
      if (id === undefined || token === null) return false;
      const expected = Buffer.from(tokenOf(id));
      const given = Buffer.from(token);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
    signIn(req) {
      const old = sessionId(req);
      if (old !== undefined) signedIn.delete(old);
      for (const [id, until] of signedIn) if (until <= now() || signedIn.size >= MAX_SIGNED_IN) signedIn.delete(id);
      const id = randomBytes(32).toString('base64url');
      signedIn.set(id, now() + SIGNED_IN_MS);
      return { csrf: tokenOf(id), setCookie: cookieOf(id), signedIn: true };
    },
    signOut(req) {
      const id = sessionId(req);
      if (id !== undefined) signedIn.delete(id);
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
