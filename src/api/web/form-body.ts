/** A posted form of the web pages: URL-encoded, bounded, and carrying the session's CSRF token. */
import type { IncomingMessage } from 'node:http';
import { HttpError, readBody } from '../http-json.js';
import type { Sessions } from './web-session.js';

const FORM_LIMIT = 64 * 1024;

/**
 * The form's fields; 415 when it is not a form, 403 without the session's CSRF token.
 * @example const form = await readForm(req, sessions); form.get('strategy')
 */
export async function readForm(req: IncomingMessage, sessions: Sessions): Promise<URLSearchParams> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? ''))
    throw new HttpError(415, 'the form is sent as application/x-www-form-urlencoded');
  const form = new URLSearchParams((await readBody(req, FORM_LIMIT)).toString('utf8'));
  if (!sessions.csrfMatches(req, form.get('csrf')))
    throw new HttpError(403, 'The form has expired or did not come from this application: reload the page and send it again.');
  return form;
}
