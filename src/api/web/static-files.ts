/**
 * The files the pages load, served from one place: the stylesheet and the chart scripts (files in
 * reports/, read once) and the plotly.js bundle (plotly-asset.ts: named by its content, cached for
 * good, gzipped). The Content-Security-Policy allows scripts and styles only from such files.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { plotlyBundleName } from '../../report/plotly-html.js';
import { packageRoot } from '../../util/package-root.js';
import { serveAsset } from '../plotly-asset.js';
import { allow, sendStatic } from './web-kit.js';

/** The paths of the pages' files, as the templates link them. */
export const STATIC = {
  css: '/static/web.css',
  /** Draws every `data-chart` box of a page from its JSON block (the backtest's tearsheet, the portfolio's chart). */
  charts: '/static/web-charts.js',
  sweepChart: '/static/web-sweep-chart.js',
} as const;

const TYPES: Readonly<Record<string, string>> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** The plotly.js bundle's path (its name changes with its content). */
export function plotlyPath(): string {
  return `/static/${plotlyBundleName()}`;
}

/** @example const files = staticFiles(); if (files.serves(path)) files.serve(req, res, method, path) */
export function staticFiles() {
  const files = new Map<string, { body: Buffer; type: string }>(
    Object.values(STATIC).map((path) => {
      const name = path.slice('/static/'.length);
      return [path, { body: readFileSync(join(packageRoot(), 'reports', name)), type: TYPES[name.slice(name.lastIndexOf('.'))]! }];
    }),
  );
  const plotly = plotlyPath();
  return {
    serves: (path: string) => files.has(path) || path === plotly,
    serve(req: IncomingMessage, res: ServerResponse, method: string, path: string): void {
      allow(method, ['GET', 'HEAD']);
      if (path === plotly) return serveAsset(req, res, path.slice('/static/'.length));
      const file = files.get(path)!;
      sendStatic(res, method, file.type, file.body);
    },
  };
}
