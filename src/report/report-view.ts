/**
 * Small pieces every report view needs: a checked unsubscribe link, a one-line subject, file
 * names and the inline chart images (PNG attachments referenced from the HTML as `cid:`).
 */
import { ValidationError } from '../errors.js';
import { equityDrawdownPng, sinceStartPng, type ChartSize } from './charts.js';
import type { MailAttachment } from '../mail/mail-content.js';
import type { PerformanceSeries, SinceStartSeries } from './report-models.js';

/** Content width of the emails (640px container less its padding): charts are drawn at this width. */
export const CONTENT_WIDTH = 592;
export const EQUITY_CHART_HEIGHT = 340;
/** Charts are rasterised at twice their layout size so they stay sharp on high-density screens. */
export const DEFAULT_PIXEL_RATIO = 2;

/** An inline image: the attachment and what the template needs for its <img>. */
export interface InlineImage {
  readonly attachment: MailAttachment;
  readonly view: { readonly src: string; readonly width: number; readonly height: number; readonly alt: string };
}

/**
 * A link that is safe in an href: http(s) or mailto only (escaping alone would let `javascript:` through).
 * Null and undefined pass as null.
 */
export function checkedLink(url: string | null | undefined, field: string): string | null {
  if (url === null || url === undefined) return null;
  if (!/^(https?:\/\/|mailto:)\S+$/i.test(url)) {
    throw new ValidationError(field, `expected an http(s):// or mailto: link without spaces, got ${JSON.stringify(url)}`);
  }
  return url;
}

/** A subject on one line (no header folding tricks through a name with a newline). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A file-name-safe form of a name: "Growth ETFs" -> "growth-etfs". */
export function slug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'portfolio'
  );
}

export function pngImage(filename: string, cid: string, png: Buffer, size: ChartSize, alt: string): InlineImage {
  return {
    attachment: { filename, contentType: 'image/png', content: png, cid },
    view: { src: `cid:${cid}`, width: size.width, height: size.height, alt },
  };
}

/** The equity and drawdown chart as an inline image. */
export function equityImage(series: PerformanceSeries | null, pixelRatio: number): InlineImage {
  const size = { width: CONTENT_WIDTH, height: EQUITY_CHART_HEIGHT, pixelRatio };
  return pngImage('equity-drawdown.png', 'equity-drawdown@momentum', equityDrawdownPng(series, size), size, 'Equity and drawdown chart');
}

export const SINCE_START_CHART_HEIGHT = 300;

/** The reader's portfolio since they started against the benchmark, as an inline image. */
export function sinceStartImage(series: SinceStartSeries, pixelRatio: number): InlineImage {
  const size = { width: CONTENT_WIDTH, height: SINCE_START_CHART_HEIGHT, pixelRatio };
  const against = series.benchmark ? ` against ${series.benchmark.symbol}` : '';
  return pngImage(
    'since-start.png',
    'since-start@momentum',
    sinceStartPng(series, size),
    size,
    `Your portfolio since you started${against}`,
  );
}

/** Figures that are not finite numbers become null (shown as "–"). */
export function finiteOrNull(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}
