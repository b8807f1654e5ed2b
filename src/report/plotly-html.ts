/**
 * A self-contained interactive Plotly chart as HTML: a div and the plotly.js bundle inlined, so it
 * works offline (notebooks through tslab.display.html, the HTML report). The data is JSON with
 * `<` escaped, so no value can close the script element. NaN becomes null: plotly draws a gap.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface PlotlyHtmlOptions {
  /** CSS height of the chart, default 480px. */
  readonly height?: number;
  /** Inline the plotly.js bundle (default true); false when the page already loaded it. */
  readonly includeBundle?: boolean;
}

let bundle: string | undefined;

/** The plotly.js-dist bundle's source, read once. */
export function plotlyBundle(): string {
  bundle ??= readFileSync(createRequire(import.meta.url).resolve('plotly.js-dist'), 'utf8');
  return bundle;
}

/** @example tslab.display.html(plotlyHtml([{ x: dates, y: equity, type: 'scatter', name: 'equity' }], { title: { text: 'Equity' } })) */
export function plotlyHtml(data: readonly object[], layout: object = {}, options: PlotlyHtmlOptions = {}): string {
  const id = `plot-${randomBytes(6).toString('hex')}`;
  const json = (value: unknown) => JSON.stringify(value, jsonValue).replace(/</g, '\\u003c');
  const script = options.includeBundle === false ? '' : `<script>${plotlyBundle()}</script>\n`;
  return `<div id="${id}" style="width:100%;height:${options.height ?? 480}px"></div>
${script}<script>Plotly.newPlot(${JSON.stringify(id)}, ${json(data)}, ${json(layout)}, { responsive: true });</script>`;
}

/** Typed arrays as plain arrays, non-finite numbers as null (plotly's gap). */
function jsonValue(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/** Epoch-ms dates as ISO strings for a plotly x axis (typed arrays are not JSON arrays). */
export function isoDates(dates: ArrayLike<number>): string[] {
  return Array.from(dates, (t) => new Date(t).toISOString().slice(0, 10));
}
