/**
 * The unsubscribe link of every subscriber mail, /unsubscribe?token=T, as RFC 8058 wants it:
 * - GET (or HEAD) changes nothing: it names the subscription and asks for confirmation with a
 *   button, because mail link scanners and previews follow every link in a message;
 * - POST unsubscribes: the one-click POST of mail clients (body `List-Unsubscribe=One-Click`, from
 *   the List-Unsubscribe-Post header) and the confirmation page's button, which posts the same.
 * Public: the token is the credential. An unknown token is a 404 page, a database that cannot be
 * reached a 503 page (the details go to the log, not to the public), never a stack trace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Database } from '../db/database.js';
import { errorMessage, ValidationError } from '../errors.js';
import { subscribersOfToken, unsubscribe, type Subscriber } from '../mail/subscriber-store.js';
import { escapeHtml, sendPage } from './html-page.js';
import type { Subscription, UnsubscribeHandler } from './server-options.js';

/**
 * The handler over the subscribers table. `withDb` runs each call with a database: opened for the
 * call (the CLI: the embedded engine stays free in between) or one already open.
 * @example startServer({ unsubscribe: subscriberUnsubscribe((work) => work(db)) })
 */
export function subscriberUnsubscribe(withDb: <T>(work: (db: Database) => Promise<T>) => Promise<T>): UnsubscribeHandler {
  const subscriptions = (list: readonly Subscriber[]): Subscription[] =>
    list.map((s) => ({ email: s.email, portfolio: s.portfolio, active: s.unsubscribedAt === null }));
  return {
    find: (token) => withDb(async (db) => subscriptions(await subscribersOfToken(db, token))),
    remove: (token) => withDb(async (db) => subscriptions(await unsubscribe(db, { token }))),
  };
}

/** @example await serveUnsubscribe(handler, req, res, console.error) // for GET|HEAD|POST /unsubscribe */
export async function serveUnsubscribe(
  handler: UnsubscribeHandler,
  req: IncomingMessage,
  res: ServerResponse,
  log: (text: string) => void,
): Promise<void> {
  req.resume(); // a one-click POST body (List-Unsubscribe=One-Click) carries nothing more
  const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token')?.trim() ?? '';
  if (token === '')
    return sendPage(res, 400, { title: 'No unsubscribe token', text: 'The link is incomplete: use the whole link from the email.' });
  const post = req.method === 'POST';
  let subscriptions: Awaited<ReturnType<UnsubscribeHandler['find']>>;
  try {
    subscriptions = await (post ? handler.remove(token) : handler.find(token));
  } catch (error) {
    if (error instanceof ValidationError)
      return sendPage(res, 404, { title: 'Unknown unsubscribe link', text: 'This link does not match a subscription.' });
    log(`unsubscribe failed: ${errorMessage(error)}`);
    return sendPage(res, 503, {
      title: 'Please try again later',
      text: 'The subscription service is busy or down; nothing was changed. Try the link again in a few minutes.',
    });
  }
  const named = (list: typeof subscriptions) => list.map((s) => `${s.email} from ${s.portfolio}`).join(', ');
  if (post && subscriptions.length > 0)
    return sendPage(res, 200, {
      title: 'Unsubscribed',
      text: `Unsubscribed ${named(subscriptions)}. No more reports or alerts will be sent.`,
    });
  const active = subscriptions.filter((s) => s.active);
  if (active.length === 0)
    return sendPage(res, 200, { title: 'Already unsubscribed', text: 'This address receives no more mail for this portfolio.' });
  // The button posts what a mail client's one-click POST does, to this same link.
  sendPage(res, 200, {
    title: 'Unsubscribe?',
    text: `Unsubscribe ${named(active)}? Reports and alerts stop at once.`,
    trustedHtml: `<form method="post" action="?token=${escapeHtml(encodeURIComponent(token))}"><button type="submit" name="List-Unsubscribe" value="One-Click" style="font-size:1.1em;padding:.5em 1.2em">Unsubscribe</button></form>`,
  });
}
