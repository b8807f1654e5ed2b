/**
 * Where the interactive report pages go and how a mail links to one: each subscriber's page of a
 * rebalance is a file in `<MOMENTUM_HOME>/reports/`, named after the portfolio, the day and the
 * subscriber, which `momentum serve` answers behind a signed link (report-link.ts) and which loads
 * plotly.js from the server's /assets (fetched once, then cached by the browser).
 */
import { join } from 'node:path';
import type { Environment } from '../config.js';
import { linkSecret } from './link-secret.js';
import { plotlyBundleName } from './plotly-html.js';
import { reportLink } from './report-link.js';
import { slug } from './report-view.js';
import { makePrivateDir, writePrivateFile } from '../util/private-files.js';
import { publicBaseUrl } from '../mail/subscriber-store.js';

export type PagesEnv = Pick<Environment, 'home' | 'publicUrl' | 'linkSecret' | 'reportLinkDays'>;

export interface PageLink {
  /** The page's file name in `<home>/reports/`. */
  readonly file: string;
  readonly url: string;
  readonly expiresAt: Date;
}

/**
 * The page of a subscriber's rebalance report and its signed link, valid MOMENTUM_REPORT_LINK_DAYS.
 * @example const page = subscriberPage(env, 'core', '2024-05-31', 7) // { file: 'core-2024-05-31-s7.html', url, expiresAt }
 */
export function subscriberPage(env: PagesEnv, portfolio: string, asOf: string, subscriberId: number, now?: number): PageLink {
  const file = `${slug(portfolio)}-${asOf}-s${subscriberId}.html`;
  return {
    file,
    ...reportLink(publicBaseUrl(env), linkSecret(env), file, { days: env.reportLinkDays, ...(now === undefined ? {} : { now }) }),
  };
}

/** The plotly.js a served page loads: the server's asset, relative to /reports/ so a path prefix in MOMENTUM_PUBLIC_URL still works. */
export function servedPlotlySrc(): string {
  return `../assets/${plotlyBundleName()}`;
}

/** Writes a page to `<home>/reports/FILE`, readable by its owner only (it holds a subscriber's money); returns its path. */
export function writeReportPage(env: Pick<Environment, 'home'>, file: string, html: string): string {
  const folder = join(env.home, 'reports');
  makePrivateDir(folder);
  const path = join(folder, file);
  writePrivateFile(path, html);
  return path;
}
