/**
 * Interactive Plotly charts as HTML snippets, with plotly.js loaded once per page rather than once
 * per chart. The bundle is plotly.js's cartesian partial bundle (1.5 MB minified: bar, box,
 * contour, heatmap, histogram, histogram2d(contour), image, pie, scatter, scatterternary, violin;
 * no 3D, maps or WebGL traces), because every chart here is one of those and the full bundle is
 * 4.8 MB minified (10 MB not).
 *
 * A chart is a div and a script that draws it as soon as `window.Plotly` exists: at once when the
 * page has it, else queued until plotly.js arrives. plotly.js comes either from a `<script src>`
 * (the served report: the bundle is a static asset, fetched and cached once) or from
 * `plotlyLoader()`, the bundle gzipped and base64-encoded inline (~0.66 MB), decompressed by the
 * browser (DecompressionStream): a notebook shows it once, in its first cell, and each chart after
 * it adds only its data. The data is JSON with `<` escaped, so no value can close the script
 * element. NaN becomes null: plotly draws a gap.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

export interface PlotlyHtmlOptions {
  /** CSS height of the chart, default 480px. */
  readonly height?: number;
  /**
   * Put `plotlyLoader()` before the chart (default true: the snippet works alone). false when the
   * page already loads plotly.js once (`plotlyLoader()`, `notebookPlotter`, or a `<script src>`).
   */
  readonly includeBundle?: boolean;
}

/** Where charts wait for plotly.js (a page global shared by every chart and loader on the page). */
const QUEUE = '__momentumPlotlyQueue';

let bundle: string | undefined;
let bundleName: string | undefined;
let loader: string | undefined;

/** The plotly.js bundle's source (the cartesian partial bundle, minified), read once. */
export function plotlyBundle(): string {
  bundle ??= readFileSync(createRequire(import.meta.url).resolve('plotly.js-cartesian-dist-min'), 'utf8');
  return bundle;
}

/**
 * A file name for the bundle that changes with its content (`plotly-<sha256 prefix>.min.js`), so a
 * server may let browsers cache it for good.
 */
export function plotlyBundleName(): string {
  bundleName ??= `plotly-${createHash('sha256').update(plotlyBundle()).digest('hex').slice(0, 16)}.min.js`;
  return bundleName;
}

/**
 * A `<script>` that loads plotly.js into the page once (a second copy on the same page does
 * nothing) and then draws the charts that were waiting for it.
 * @example tslab.display.html(plotlyLoader()) // once, then plotlyHtml(data, layout, { includeBundle: false })
 */
export function plotlyLoader(): string {
  loader ??= `<script>(function () {
  var w = window;
  if (w.Plotly || w.__momentumPlotlyLoading) return;
  w.__momentumPlotlyLoading = true;
  var packed = atob(${JSON.stringify(gzipSync(plotlyBundle(), { level: 9 }).toString('base64'))});
  var bytes = new Uint8Array(packed.length);
  for (var i = 0; i < packed.length; i++) bytes[i] = packed.charCodeAt(i);
  new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text().then(function (code) {
    var script = document.createElement('script');
    script.textContent = code;
    document.head.appendChild(script);
    var waiting = w.${QUEUE} || [];
    w.${QUEUE} = [];
    waiting.forEach(function (draw) { draw(w.Plotly); });
  });
})();</script>\n`;
  return loader;
}

/** @example tslab.display.html(plotlyHtml([{ x: dates, y: equity, type: 'scatter', name: 'equity' }], { title: { text: 'Equity' } })) */
export function plotlyHtml(data: readonly object[], layout: object = {}, options: PlotlyHtmlOptions = {}): string {
  const id = `plot-${randomBytes(6).toString('hex')}`;
  const draw = `function (Plotly) { Plotly.newPlot(${JSON.stringify(id)}, ${plotlyJson(data)}, ${plotlyJson(layout)}, { responsive: true }); }`;
  return `${options.includeBundle === false ? '' : plotlyLoader()}<div id="${id}" style="width:100%;height:${options.height ?? 480}px"></div>
<script>(function (draw) { var w = window; if (w.Plotly) draw(w.Plotly); else (w.${QUEUE} = w.${QUEUE} || []).push(draw); })(${draw});</script>`;
}

/**
 * A chart for a page whose Content-Security-Policy allows no inline script: its data and layout in
 * a `<script type="application/json">` (never executed) beside the div a static script draws it in.
 * @example plotlyDataHtml([{ z: [[1, 2]], type: 'heatmap' }], {}, 300) // '<div class="plotly-figure" ...'
 */
export function plotlyDataHtml(data: readonly object[], layout: object, height = 480): string {
  return `<div class="plotly-figure" data-height="${Math.round(height)}"><script type="application/json">${plotlyJson({ data, layout })}</script><div class="plotly-chart"></div></div>`;
}

/**
 * For notebooks: shows plotly.js's loader once (in the cell that calls this) through `display`
 * (tslab's), and returns a function that shows a chart without it, so an executed notebook carries
 * the bundle once, however many charts follow.
 * @example const plot = notebookPlotter(tslab.display); plot([{ y: [1, 2, 3] }], { title: { text: 'Three' } }, { height: 300 })
 */
export function notebookPlotter(display: {
  html(html: string): void;
}): (data: readonly object[], layout?: object, options?: PlotlyHtmlOptions) => void {
  display.html(plotlyLoader());
  return (data, layout = {}, options = {}) => display.html(plotlyHtml(data, layout, { ...options, includeBundle: false }));
}

/**
 * Chart data as JSON that can sit inside a `<script>` element (`<` escaped, so no value closes it),
 * typed arrays as arrays and NaN as null.
 * @example `<script type="application/json">${plotlyJson({ data, layout })}</script>`
 */
export function plotlyJson(value: unknown): string {
  return JSON.stringify(value, jsonValue).replace(/</g, '\\u003c');
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
