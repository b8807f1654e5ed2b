/**
 * What the web application's page modules share: the security headers of every page, the method
 * check, and the kit a page module (sweep-pages.ts) is given to answer its pages as web-app.ts does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TemplateName } from '../../report/templates.js';
import { HttpError } from '../http-json.js';
import type { JobKind } from '../v1/api-job-store.js';
import type { WithDb } from '../v1/job-runner.js';
import type { Session } from './web-session.js';
import type { WebUniverse } from './web-views.js';

export const POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * The pages with plotly charts: scripts stay 'self' only, but styles may be inline, as plotly.js
 * sets them on the elements it draws and the reports' own body carries its style element.
 */
export const CHART_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

export const SECURITY_HEADERS = {
  'Content-Security-Policy': POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

/** What a page module (backtest-pages.ts, sweep-pages.ts) is given to answer its pages as these do. */
export interface WebKit {
  readonly withDb: WithDb;
  readonly universes: () => readonly WebUniverse[];
  /** Renders a page with the security headers, in `session` (default the request's); `charts`: the policy of a page that draws charts. */
  page(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    name: TemplateName,
    view: object,
    options?: { readonly session?: Session; readonly charts?: boolean },
  ): void;
  /** The session of the request (its CSRF token for the form, its cookie when new). */
  session(req: IncomingMessage): Session;
  /** A posted form, after its content type and CSRF token are checked (415, 403). */
  postedForm(req: IncomingMessage): Promise<URLSearchParams>;
  /** Queues an API v1 job and 303s to its page, or calls `refused` with the fields at fault. */
  queue(
    res: ServerResponse,
    kind: JobKind,
    body: unknown,
    refused: (status: number, errors: readonly Field[]) => void | Promise<void>,
  ): Promise<void>;
}

export type Field = { path: string; message: string };

/** Refuses (405, with Allow) a method the page does not take. */
export function allow(method: string, allowed: readonly string[]): void {
  if (!allowed.includes(method))
    throw new HttpError(405, `this page accepts ${allowed.join(', ')}, not ${method}`, { headers: { Allow: allowed.join(', ') } });
}

/** A static file of the pages (a stylesheet, a script), revalidated on each use. */
export function sendStatic(res: ServerResponse, method: string, contentType: string, body: Buffer): void {
  res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
  res.end(method === 'HEAD' ? undefined : body);
}
