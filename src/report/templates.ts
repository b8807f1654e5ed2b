/**
 * The Handlebars templates in reports/: `<name>.html.hbs` and `<name>.txt.hbs` per report, and
 * partials in reports/partials/ (`<partial>.html.hbs`, `<partial>.txt.hbs`). HTML and text are
 * compiled by two isolated Handlebars instances (never the global one), so their partials and
 * helpers cannot leak into other code. HTML escapes every value; text does not (a text part is not
 * markup). Both are strict: a template naming a field the view lacks throws instead of printing "".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { ConfigError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';
import {
  formatDate,
  formatDays,
  formatDuration,
  formatInstant,
  formatMoney,
  formatNumber,
  formatPercent,
  formatPoints,
  formatShares,
  formatSignedPercent,
} from './report-format.js';

export type TemplateName =
  | 'rebalance'
  | 'rebalance-interactive'
  | 'tearsheet'
  | 'tearsheet-fragment'
  | 'sweep'
  | 'sweep-fragment'
  | 'drawdown-alert'
  | 'job-failure'
  | 'mail-refused'
  | 'web-home'
  | 'web-strategies'
  | 'web-job'
  | 'web-message'
  | 'web-login'
  | 'web-portfolio'
  | 'web-allocation'
  | 'web-subscribed'
  | 'web-backtest'
  | 'web-sweeps'
  | 'web-sweep';

export interface ReportTemplates {
  /** The folder the templates were read from. */
  readonly dir: string;
  html(name: TemplateName, view: object): string;
  text(name: TemplateName, view: object): string;
}

type Kind = 'html' | 'txt';

/** The templates under the package's reports/ folder, loaded once. */
let cached: ReportTemplates | undefined;
export function reportTemplates(): ReportTemplates {
  cached ??= loadReportTemplates();
  return cached;
}

/**
 * Reads and compiles every template and partial in `dir` (default: the package's reports/).
 * @example loadReportTemplates().html('job-failure', view)
 */
export function loadReportTemplates(dir = join(packageRoot(), 'reports')): ReportTemplates {
  const engines = { html: createEngine('html'), txt: createEngine('txt') };
  const compile = (kind: Kind, source: string) =>
    engines[kind].compile(source, { strict: true, noEscape: kind === 'txt', preventIndent: kind === 'html' });
  const partialsDir = join(dir, 'partials');
  for (const file of safeList(partialsDir)) {
    const match = /^([a-z0-9-]+)\.(html|txt)\.hbs$/.exec(file);
    if (!match) continue;
    const kind = match[2] as Kind;
    engines[kind].registerPartial(match[1]!, compile(kind, readFileSync(join(partialsDir, file), 'utf8')));
  }
  const templates = new Map<string, CompiledTemplate>();
  for (const file of safeList(dir)) {
    const match = /^([a-z0-9-]+)\.(html|txt)\.hbs$/.exec(file);
    if (match) templates.set(`${match[1]}.${match[2]}`, compile(match[2] as Kind, readFileSync(join(dir, file), 'utf8')));
  }
  const render = (name: TemplateName, kind: Kind, view: object) => {
    const template = templates.get(`${name}.${kind}`);
    if (!template)
      throw new ConfigError(`report template ${join(dir, `${name}.${kind}.hbs`)} is missing: restore it from the momentum package`);
    return template(view);
  };
  return { dir, html: (name, view) => render(name, 'html', view), text: (name, view) => render(name, 'txt', view) };
}

type CompiledTemplate = ReturnType<typeof Handlebars.compile>;

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    throw new ConfigError(
      `cannot read the report templates in ${dir} (${(error as Error).message}): the folder ships with momentum as reports/`,
    );
  }
}

/** A Handlebars instance of its own with the report helpers. */
function createEngine(kind: Kind): typeof Handlebars {
  const hb = Handlebars.create();
  // Handlebars passes its options object last; helpers see only the template's arguments.
  const helper = (name: string, fn: (...args: never[]) => unknown) =>
    hb.registerHelper(name, (...args: unknown[]) => (fn as (...a: unknown[]) => unknown)(...args.slice(0, -1)));
  const digits = (d: unknown, fallback: number) => (typeof d === 'number' ? d : fallback);
  helper('percent', (x: number | null, d?: number) => formatPercent(x, digits(d, 1)));
  helper('signedPercent', (x: number | null, d?: number) => formatSignedPercent(x, digits(d, 1)));
  helper('points', (x: number | null, d?: number) => formatPoints(x, digits(d, 1)));
  helper('money', (x: number | null, currency: string) => formatMoney(x, currency));
  helper('number', (x: number | null, d?: number) => formatNumber(x, digits(d, 2)));
  helper('shares', (x: number | null) => formatShares(x));
  helper('date', (iso: string | null) => formatDate(iso));
  helper('instant', (value: string | Date | null) => formatInstant(value));
  helper('days', (n: number | null) => formatDays(n));
  helper('duration', (from: string | Date | null, to: string | Date | null) => formatDuration(from, to));
  helper('eq', (a: unknown, b: unknown) => a === b);
  helper('gt', (a: number, b: number) => a > b);
  helper('lt', (a: number, b: number) => a < b);
  helper('or', (...xs: unknown[]) => xs.some(Boolean));
  helper('and', (...xs: unknown[]) => xs.every(Boolean));
  helper('not', (x: unknown) => !x);
  /** A figure that is there (0 included), unlike #if. */
  helper('present', (x: unknown) => x !== null && x !== undefined);
  helper('plural', (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`);
  helper('upper', (s: string) => String(s).toUpperCase());
  /** Colour for a signed figure: green up, red down, grey flat. */
  helper('signColor', (x: number | null) =>
    x === null || !Number.isFinite(x) || Math.abs(x) < 5e-4 ? '#6b7280' : x > 0 ? '#1a7f37' : '#b42318',
  );
  if (kind === 'txt') {
    // Column alignment for the plain-text tables.
    helper('padEnd', (value: unknown, width: number) => String(value ?? '').padEnd(width));
    helper('padStart', (value: unknown, width: number) => String(value ?? '').padStart(width));
    helper('rule', (width: number, char?: string) => (typeof char === 'string' ? char : '-').repeat(width));
  }
  return hb;
}
