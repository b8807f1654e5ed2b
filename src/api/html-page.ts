/**
 * The small HTML pages the server shows people who follow a mailed link (unsubscribe, report
 * links): a title, a paragraph, and optionally trusted markup (a form). Never cached, and the
 * address (which carries a token or a signature) is not sent on as a referrer.
 */
import type { ServerResponse } from 'node:http';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface PageContent {
  readonly title: string;
  /** Plain text (escaped). */
  readonly text: string;
  /** Markup put after the text as is: build it with escapeHtml. */
  readonly trustedHtml?: string;
}

/** @example sendPage(res, 404, { title: 'Unknown link', text: 'Use the whole link from the email.' }) */
export function sendPage(res: ServerResponse, status: number, page: PageContent, headers: Record<string, string> = {}): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(page.title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto;padding:0 1em"><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.text)}</p>${page.trustedHtml ?? ''}</body></html>`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(html)),
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    ...headers,
  });
  res.end(html);
}
