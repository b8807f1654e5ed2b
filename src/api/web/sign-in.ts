/**
 * Signing in to the web pages when the server needs a token (bound beyond loopback): a browser
 * cannot send a bearer header, so GET /login asks for the token once and POST /login gives the
 * browser a signed-in session (web-session.ts); POST /logout ends it. Pages asked for without
 * either answer 303 to /login (server.ts). A wrong token counts against the address's budget, as a
 * wrong bearer token does. The sign-in form itself carries a CSRF token, so no other site can sign
 * a browser in to a session of its choosing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tokenMatches } from '../bearer-auth.js';
import { HttpError } from '../http-json.js';
import { readForm } from './form-body.js';
import { allow } from './web-kit.js';
import type { Session, Sessions } from './web-session.js';

export interface SignInDeps {
  /** The server's token; undefined on loopback, where nobody signs in. */
  readonly token: string | undefined;
  readonly sessions: Sessions;
  /** Seconds the address must wait before another attempt (0: go on); counts this one. */
  readonly budgetWait: (req: IncomingMessage) => number;
  readonly render: (req: IncomingMessage, res: ServerResponse, status: number, view: SignInView, session?: Session) => void;
  readonly redirect: (res: ServerResponse, location: string, session?: Session) => void;
}

export interface SignInView {
  readonly csrf: string;
  readonly next: string;
  readonly error: string | undefined;
}

export const SIGN_IN_PATHS: readonly string[] = ['/login', '/logout'];

/** Where to go after signing in: a path of this site only (never `//host` or a scheme). */
export function safeNext(next: string | null): string {
  return next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/';
}

/** @example const signIn = signInPages(deps); if (signIn.admits(req, path)) ... */
export function signInPages(deps: SignInDeps) {
  const { token, sessions } = deps;
  return {
    /** Whether the request may see `path` without a bearer token. */
    admits(req: IncomingMessage, path: string): boolean {
      return path === '/login' || path === '/static/web.css' || sessions.of(req).signedIn;
    },
    async handle(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
      if (path === '/logout') {
        allow(method, ['POST']);
        await readForm(req, sessions);
        sessions.signOut(req);
        return deps.redirect(res, '/login');
      }
      const next = safeNext(new URL(req.url ?? '/', 'http://localhost').searchParams.get('next'));
      if (token === undefined) return deps.redirect(res, next);
      if (method === 'GET' || method === 'HEAD') {
        const session = sessions.of(req);
        return deps.render(req, res, 200, { csrf: session.csrf, next, error: undefined }, session);
      }
      allow(method, ['GET', 'HEAD', 'POST']);
      const form = await readForm(req, sessions);
      const after = safeNext(form.get('next'));
      if (tokenMatches(form.get('token') ?? '', token)) return deps.redirect(res, after, sessions.signIn(req));
      const wait = deps.budgetWait(req);
      if (wait > 0)
        throw new HttpError(429, `Too many attempts from this address: try again in ${wait} s.`, {
          headers: { 'Retry-After': String(wait) },
        });
      const session = sessions.of(req);
      deps.render(req, res, 401, { csrf: session.csrf, next: after, error: 'That is not the token of this server.' }, session);
    },
  };
}
