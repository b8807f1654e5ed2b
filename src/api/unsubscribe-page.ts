/**
 * The unsubscribe link of every subscriber mail: GET /unsubscribe?token=T (a person clicking it) or
 * POST (the one-click List-Unsubscribe of RFC 8058, from a mail client). Public: the token is the
 * credential. Answers a small HTML page; an unknown token is a 404 page, a database that cannot be
 * reached a 503 page (the details go to the log, not to the public), never a stack trace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage, ValidationError } from '../errors.js';
import type { UnsubscribeHandler } from './server-options.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(res: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body></html>`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(html)),
    'Cache-Control': 'no-store',
  });
  res.end(html);
}

/** @example await serveUnsubscribe(handler, req, res, console.error) // for GET|POST /unsubscribe */
export async function serveUnsubscribe(
  handler: UnsubscribeHandler,
  req: IncomingMessage,
  res: ServerResponse,
  log: (text: string) => void,
): Promise<void> {
  req.resume(); // a one-click POST body (List-Unsubscribe=One-Click) carries nothing we need
  const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token')?.trim() ?? '';
  if (token === '') return page(res, 400, 'No unsubscribe token', 'The link is incomplete: use the whole link from the email.');
  let removed: Awaited<ReturnType<UnsubscribeHandler>>;
  try {
    removed = await handler(token);
  } catch (error) {
    if (error instanceof ValidationError) return page(res, 404, 'Unknown unsubscribe link', 'This link does not match a subscription.');
    log(`unsubscribe failed: ${errorMessage(error)}`);
    return page(
      res,
      503,
      'Please try again later',
      'The subscription service is busy or down; nothing was changed. Try the link again in a few minutes.',
    );
  }
  if (removed.length === 0) return page(res, 200, 'Already unsubscribed', 'This address receives no more mail for this portfolio.');
  const what = removed.map((r) => `${r.email} from ${r.portfolio}`).join(', ');
  page(res, 200, 'Unsubscribed', `Unsubscribed ${what}. No more reports or alerts will be sent.`);
}
