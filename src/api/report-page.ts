/**
 * A subscriber's interactive report page behind its signed link (report/report-link.ts):
 * GET /reports/FILE?expires=..&sig=.. answers `<reports dir>/FILE` when the signature is this
 * installation's and the link has not expired; 403 for a link that is not (a changed file name,
 * expiry or signature), 410 once expired, 404 when the page is gone. The page holds one person's
 * figures: never cached, not indexed, its address never sent on as a referrer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { formatDate } from '../report/report-format.js';
import { checkReportLink } from '../report/report-link.js';
import { acceptsGzip } from './content-encoding.js';
import { sendPage } from './html-page.js';
import type { ReportPages } from './server-options.js';

/**
 * Scripts: the page's own (inline chart data) and the plotly.js asset from this server; plotly
 * styles its charts inline. Nothing else loads.
 */
const POLICY =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** @example await serveReportPage(pages, req, res, 'core-2024-05-31-s7.html') */
export async function serveReportPage(pages: ReportPages, req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const check = checkReportLink(pages.secret, file, query.get('expires'), query.get('sig'));
  if (!check.ok && check.reason === 'invalid')
    return sendPage(res, 403, {
      title: 'This report link is not valid',
      text: 'The link was changed or cut short: open it again from the email, as a whole.',
    });
  if (!check.ok)
    return sendPage(res, 410, {
      title: 'This report link has expired',
      text: `It worked until ${formatDate(check.expiredAt.toISOString().slice(0, 10))}. Your latest report email has a current link.`,
    });
  let html: Buffer;
  try {
    html = await readFile(join(pages.dir, file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return sendPage(res, 404, { title: 'This report is no longer kept', text: 'Your latest report email links to a current one.' });
  }
  // Its chart data is most of it (a few hundred KB over decades of days): gzip takes it to about a quarter.
  const zipped = acceptsGzip(req.headers['accept-encoding']);
  const body = zipped ? gzipSync(html) : html;
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    ...(zipped ? { 'Content-Encoding': 'gzip' } : {}),
    'Content-Length': String(body.length),
    Vary: 'Accept-Encoding',
    'Cache-Control': 'private, no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Robots-Tag': 'noindex',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': POLICY,
  });
  res.end(body);
}
