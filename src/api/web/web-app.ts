/**
 * The web application's pages, server-rendered from reports/web-*.html.hbs over the API v1:
 * GET / (the stored data at a glance), GET /strategies (choose a strategy and a universe), POST
 * /strategies (queues a backtest or a model portfolio through the API v1, then 303 to its job page),
 * GET /jobs/{id} (follows the job, reloading itself, then shows what it made), GET /static/web.css;
 * the sweep pages (sweep-pages.ts).
 *
 * Every page carries a strict Content-Security-Policy (nothing inline: no scripts at all, one
 * stylesheet file), nosniff and a same-origin referrer policy; every form POST must carry the
 * session's CSRF token (403 without). Authentication is the server's (server.ts), as for the API.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ValidationError } from '../../errors.js';
import { reportTemplates, type TemplateName } from '../../report/templates.js';
import { packageRoot } from '../../util/package-root.js';
import { HttpError, readBody } from '../http-json.js';
import { serveAsset } from '../plotly-asset.js';
import { findJob, type JobKind } from '../v1/api-job-store.js';
import { ApiError, type ApiV1 } from '../v1/api-v1.js';
import type { WithDb } from '../v1/job-runner.js';
import { startSweepPages } from './sweep-pages.js';
import { allow, POLICY, SECURITY_HEADERS, sendStatic, type Field } from './web-kit.js';
import { chosenCommon, fieldErrors, strategySubmission } from './strategy-form.js';
import { webSessions, type Session } from './web-session.js';
import { homeView, jobView, strategiesView, type WebUniverse } from './web-views.js';

export interface WebOptions {
  /** The configuration's named universes, read at each request (the file may change). */
  readonly universes: () => readonly WebUniverse[];
}

export interface WebApp {
  /** Whether this path is one of the pages. */
  serves(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void>;
}

/** Seconds between reloads of a job's page while the job runs. */
const REFRESH_SECONDS = 2;
const FORM_LIMIT = 64 * 1024;
const MESSAGE_TITLES: Readonly<Record<number, string>> = {
  403: 'Form refused',
  404: 'Not found',
  429: 'Busy',
  405: 'Not allowed here',
  413: 'Too large',
  415: 'Not a form',
};
const KIND_TITLES: Readonly<Record<string, string>> = { backtest: 'Backtest', portfolio: 'Model portfolio', sweep: 'Sweep' };

/** @example const web = startWebApp(options, { withDb, api }); if (web.serves(path)) await web.handle(req, res, method, path) */
export function startWebApp(options: WebOptions, server: { readonly withDb: WithDb; readonly api: ApiV1 }): WebApp {
  const sessions = webSessions();
  const css = readFileSync(join(packageRoot(), 'reports', 'web.css'));
  const { withDb, api } = server;

  function page(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    name: TemplateName,
    view: object,
    session = sessions.of(req),
    policy = POLICY,
  ): void {
    const html = reportTemplates().html(name, view);
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(html)),
      ...SECURITY_HEADERS,
      'Content-Security-Policy': policy,
      ...(session.setCookie ? { 'Set-Cookie': session.setCookie } : {}),
    });
    res.end(isHead(req) ? undefined : html);
  }

  function strategiesPage(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    form: URLSearchParams,
    errors: readonly { path: string; message: string }[],
  ): void {
    const session: Session = sessions.of(req);
    const field = (name: string) => form.get(name) ?? '';
    page(
      req,
      res,
      status,
      'web-strategies',
      {
        csrf: session.csrf,
        universes: options.universes(),
        strategies: strategiesView(),
        chosen: {
          ...chosenCommon(form),
          name: field('name'),
          amount: field('amount'),
          asOf: field('asOf'),
          ignoreGates: form.get('ignoreGates') === 'on',
        },
        errors,
        fieldErrors: fieldErrors(errors),
      },
      session,
    );
  }

  async function postedForm(req: IncomingMessage): Promise<URLSearchParams> {
    if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? ''))
      throw new HttpError(415, 'the form is sent as application/x-www-form-urlencoded');
    const form = new URLSearchParams((await readBody(req, FORM_LIMIT)).toString('utf8'));
    if (!sessions.csrfMatches(req, form.get('csrf')))
      throw new HttpError(403, 'The form has expired or did not come from this application: reload the page and send it again.');
    return form;
  }

  async function queue(
    res: ServerResponse,
    kind: JobKind,
    body: unknown,
    refused: (status: number, errors: readonly Field[]) => void,
  ): Promise<void> {
    try {
      const job = await api.submitJob(kind, body);
      res.writeHead(303, { Location: `/jobs/${encodeURIComponent(job.id)}`, ...SECURITY_HEADERS });
      res.end();
    } catch (error) {
      if (error instanceof ApiError && error.fields) return refused(error.status, error.fields);
      if (error instanceof ValidationError) return refused(400, [{ path: error.field, message: error.reason }]);
      if (error instanceof ApiError) throw new HttpError(error.status, error.message, { headers: { ...error.headers } });
      throw error;
    }
  }

  async function submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await postedForm(req);
    const submission = strategySubmission(form, options.universes());
    if (!submission.ok) return strategiesPage(req, res, 400, form, submission.fields);
    return queue(res, submission.kind, submission.body, (status, errors) => strategiesPage(req, res, status, form, errors));
  }

  const sweepPages = startSweepPages({
    withDb,
    universes: options.universes,
    page: (req, res, status, name, view, options = {}) =>
      page(req, res, status, name, view, options.session ?? sessions.of(req), options.policy),
    session: (req) => sessions.of(req),
    postedForm,
    queue,
  });

  return {
    serves: (path) =>
      path === '/' ||
      path === '/strategies' ||
      path === '/static/web.css' ||
      isPlotly(path) ||
      /^\/jobs\/[^/]+$/.test(path) ||
      sweepPages.serves(path),
    async handle(req, res, method, path) {
      try {
        await route(req, res, method, path);
      } catch (error) {
        // A refusal people see as a page (the server answers anything else, logged, as JSON).
        if (!(error instanceof HttpError) || res.headersSent) throw error;
        if (!req.complete) res.setHeader('Connection', 'close');
        req.resume();
        for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
        page(req, res, error.status, 'web-message', { title: MESSAGE_TITLES[error.status] ?? 'Not possible', text: error.message });
      }
    },
  };

  async function route(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    if (path === '/static/web.css') {
      allow(method, ['GET', 'HEAD']);
      return sendStatic(res, method, 'text/css; charset=utf-8', css);
    }
    if (isPlotly(path)) {
      allow(method, ['GET', 'HEAD']);
      return serveAsset(req, res, path.slice('/static/'.length));
    }
    if (sweepPages.serves(path)) return sweepPages.route(req, res, method, path);
    if (path === '/') {
      allow(method, ['GET', 'HEAD']);
      const view = await withDb((db) => homeView(db, options.universes()));
      return page(req, res, 200, 'web-home', view);
    }
    if (path === '/strategies') {
      allow(method, ['GET', 'HEAD', 'POST']);
      if (method === 'POST') return submit(req, res);
      return strategiesPage(req, res, 200, new URLSearchParams(), []);
    }
    allow(method, ['GET', 'HEAD']);
    const id = path.slice('/jobs/'.length);
    const view = await withDb(async (db) => {
      const job = await findJob(db, id);
      return job && jobView(db, job);
    });
    if (!view) throw new HttpError(404, `no job ${JSON.stringify(id.slice(0, 100))}`);
    const title = `${KIND_TITLES[view.job.kind] ?? view.job.kind}: ${view.job.status}`;
    return page(req, res, 200, 'web-job', { ...view, title, refresh: view.running ? REFRESH_SECONDS : false });
  }
}

/** plotly.js for the chart pages, as the report pages load it (plotly-asset.ts: cached for good, gzipped). */
function isPlotly(path: string): boolean {
  return /^\/static\/plotly-[0-9a-f]+\.min\.js$/.test(path);
}

function isHead(req: IncomingMessage): boolean {
  return req.method === 'HEAD';
}
