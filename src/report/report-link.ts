/**
 * Signed links to the interactive report pages (`<MOMENTUM_HOME>/reports/<file>`), which `momentum
 * serve` answers at `<public URL>/reports/<file>?expires=<unix seconds>&sig=<signature>`. The
 * signature is HMAC-SHA256 under the installation's link secret of `<file>\n<expires>` (base64url):
 * only this installation can make a link, a link opens one page only, and changing the file or
 * the expiry breaks it.
 *
 * Links expire (default 90 days after the mail, MOMENTUM_REPORT_LINK_DAYS): a page holds a
 * subscriber's amounts and holdings and a mail is easily forwarded, while a report older than a
 * few rebalances is of little use. Changing the secret revokes every link at once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { MS_PER_DAY } from '../data/bar.js';

export const DEFAULT_REPORT_LINK_DAYS = 90;

/** A page name the link can carry: what `slug` and a date make, nothing that leaves the folder. */
const FILE = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)*\.html$/;

export function isReportFile(file: string): boolean {
  return FILE.test(file) && file.length <= 200;
}

function signature(secret: string, file: string, expires: number): string {
  return createHmac('sha256', secret).update(`${file}\n${expires}`).digest('base64url');
}

/**
 * The signed link to a report page, valid for `days` after `now`.
 * @example reportLink('https://momentum.example.com', secret, 'core-2024-05-31-s7.html') // { url: '.../reports/core-2024-05-31-s7.html?expires=...&sig=...', expiresAt }
 */
export function reportLink(
  baseUrl: string,
  secret: string,
  file: string,
  options: { readonly now?: number; readonly days?: number } = {},
): { readonly url: string; readonly expiresAt: Date } {
  if (!isReportFile(file)) throw new Error(`not a report page name: ${JSON.stringify(file)}`);
  const expires = Math.floor(((options.now ?? Date.now()) + (options.days ?? DEFAULT_REPORT_LINK_DAYS) * MS_PER_DAY) / 1000);
  const url = `${baseUrl.replace(/\/+$/, '')}/reports/${file}?expires=${expires}&sig=${signature(secret, file, expires)}`;
  return { url, expiresAt: new Date(expires * 1000) };
}

export type ReportLinkCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'expired'; readonly expiredAt: Date };

/**
 * Whether a request's file, `expires` and `sig` are a link this installation signed and that has
 * not expired. The signature is compared in constant time; it is checked before the expiry, so a
 * forged link is told "invalid", never "expired".
 * @example checkReportLink(secret, 'core-2024-05-31-s7.html', url.searchParams.get('expires'), url.searchParams.get('sig'))
 */
export function checkReportLink(
  secret: string,
  file: string,
  expires: string | null,
  sig: string | null,
  now: number = Date.now(),
): ReportLinkCheck {
  if (!isReportFile(file) || expires === null || !/^\d{1,12}$/.test(expires) || sig === null) return { ok: false, reason: 'invalid' };
  const expected = Buffer.from(signature(secret, file, Number(expires)));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  const expiredAt = new Date(Number(expires) * 1000);
  return expiredAt.getTime() <= now ? { ok: false, reason: 'expired', expiredAt } : { ok: true };
}
