/**
 * GET /assets/<plotlyBundleName()>: the plotly.js bundle the served report pages load, once per
 * browser: its name changes with its content, so it is cached for a year as immutable, answers
 * If-None-Match with 304, and goes gzipped (~0.5 MB instead of 1.5 MB) to clients that accept it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { plotlyBundle, plotlyBundleName } from '../report/plotly-html.js';
import { acceptsGzip } from './content-encoding.js';
import { sendPage } from './html-page.js';

let asset: { readonly name: string; readonly plain: Buffer; readonly gzip: Buffer } | undefined;

function bundleAsset() {
  if (!asset) {
    const plain = Buffer.from(plotlyBundle(), 'utf8');
    asset = { name: plotlyBundleName(), plain, gzip: gzipSync(plain, { level: 9 }) };
  }
  return asset;
}

/** @example serveAsset(req, res, 'plotly-0123456789abcdef.min.js') */
export function serveAsset(req: IncomingMessage, res: ServerResponse, name: string): void {
  const { name: bundleName, plain, gzip } = bundleAsset();
  if (name !== bundleName) return sendPage(res, 404, { title: 'No such file', text: `There is no asset ${name.slice(0, 100)} here.` });
  const etag = `"${bundleName}"`;
  const headers = {
    'Content-Type': 'text/javascript; charset=utf-8',
    'Cache-Control': 'public, max-age=31536000, immutable',
    ETag: etag,
    Vary: 'Accept-Encoding',
    'X-Content-Type-Options': 'nosniff',
  };
  if ((req.headers['if-none-match'] ?? '').split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const zipped = acceptsGzip(req.headers['accept-encoding']);
  const body = zipped ? gzip : plain;
  res.writeHead(200, { ...headers, ...(zipped ? { 'Content-Encoding': 'gzip' } : {}), 'Content-Length': String(body.length) });
  res.end(body);
}
