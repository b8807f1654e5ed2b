/**
 * The web application's pages, server-rendered from reports/web-*.html.hbs over the API v1:
 * GET / (the stored data at a glance), GET /strategies (choose a strategy and a universe), POST
 * /strategies (queues a backtest or a model portfolio through the API v1, then 303 to its job page),
 * GET /jobs/{id} (follows the job, reloading itself, then shows what it made), GET /static/web.css,
 * step 3's backtest pages (backtest-pages.ts), the model portfolio pages of portfolio-pages.ts (step
 * 4's allocation, the portfolio page), the sweep pages (sweep-pages.ts), and GET/POST /login, POST
 * /logout when the server needs a token (sign-in.ts).
 *
 * Every page carries a strict Content-Security-Policy (no inline script, one stylesheet file; a
 * page with charts also allows inline styles, see CHART_POLICY), nosniff and a same-origin
 * referrer policy; every form POST must carry the session's CSRF token (403 without).
 * Authentication is the server's (server.ts), as for the API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_BENCHMARK } from '../../config.js';
import { ValidationError } from '../../errors.js';
import { reportTemplates, type TemplateName } from '../../report/templates.js';
import { HttpError } from '../http-json.js';
import { findJob, type JobKind } from '../v1/api-job-store.js';
import { ApiError, type ApiV1 } from '../v1/api-v1.js';
import type { WithDb } from '../v1/job-runner.js';
import { backtestPages } from './backtest-pages.js';
import { readForm } from './form-body.js';
import { portfolioPages } from './portfolio-pages.js';
import { SIGN_IN_PATHS, signInPages } from './sign-in.js';
import { staticFiles } from './static-files.js';
import { chosenCommon, fieldErrors, strategySubmission } from './strategy-form.js';
import { startSweepPages } from './sweep-pages.js';
import { allow, CHART_POLICY, SECURITY_HEADERS, type WebKit } from './web-kit.js';
import { webSessions, type Session } from './web-session.js';
import { homeView, jobView, strategiesView, type WebUniverse } from './web-views.js';

export interface WebOptions {
  /** The configuration's named universes, read at each request (the file may change). */
  readonly universes: () => readonly WebUniverse[];
  /** Where mailed links (a subscriber's unsubscribe link) point: MOMENTUM_PUBLIC_URL. */
  readonly publicUrl?: string | undefined;
}

/** What the pages take from the server. */
export interface WebServer {
  readonly withDb: WithDb;
  readonly api: ApiV1;
  /** The server's token: pages need it, or signing in with it, when set. */
  readonly token: string | undefined;
  /** The address's budget for wrong tokens (server.ts): seconds to wait, 0 to go on. */
  readonly budgetWait: (req: IncomingMessage) => number;
}

export interface WebApp {
  /** Whether this path is one of the pages. */
  serves(path: string): boolean;
  /** Whether the request may see this page without the bearer token: signed in, or the sign-in page. */
  admits(req: IncomingMessage, path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void>;
}

/** Seconds between reloads of a job's page while the job runs. */
const REFRESH_SECONDS = 2;
const MESSAGE_TITLES: Readonly<Record<number, string>> = {
  403: 'Form refused',
  404: 'Not found',
  429: 'Busy',
  405: 'Not allowed here',
  413: 'Too large',
  415: 'Not a form',
};
const KIND_TITLES: Readonly<Record<string, string>> = {
  backtest: 'Backtest',
  portfolio: 'Model portfolio',
  simulation: 'Out-of-sample simulation',
  sweep: 'Sweep',
};

/** @example const web = startWebApp(options, { withDb, api }); if (web.serves(path)) await web.handle(req, res, method, path) */
export function startWebApp(options: WebOptions, server: WebServer): WebApp {
  const sessions = webSessions();
  // One session per request: a page's forms carry the token of the cookie it sets.
  const requestSessions = new WeakMap<IncomingMessage, Session>();
  const sessionOf = (req: IncomingMessage): Session => {
    const session = requestSessions.get(req) ?? sessions.of(req);
    requestSessions.set(req, session);
    return session;
  };
  const files = staticFiles();
  const { withDb, api, token } = server;
  const signIn = signInPages({
    token,
    sessions,
    budgetWait: server.budgetWait,
    render: (req, res, status, view, session) => page(req, res, status, 'web-login', view, session),
    redirect,
  });

  function page(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    name: TemplateName,
    view: object,
    session = sessionOf(req),
    charts = false,
  ): void {
    // The layout's sign-out button: only where signing in means something.
    const signOut = token !== undefined && session.signedIn ? session.csrf : false;
    const html = reportTemplates().html(name, { ...view, signOut });
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(html)),
      ...SECURITY_HEADERS,
      ...(charts ? { 'Content-Security-Policy': CHART_POLICY } : {}),
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
    const session: Session = sessionOf(req);
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

  /** 303 to `location`; `session` when the answer gives the browser a new one (signing in). */
  function redirect(res: ServerResponse, location: string, session?: Session): void {
    res.writeHead(303, { Location: location, ...SECURITY_HEADERS, ...(session?.setCookie ? { 'Set-Cookie': session.setCookie } : {}) });
    res.end();
  }

  const portfolios = portfolioPages({
    withDb,
    api,
    page: (req, res, status, name, view, charts) => page(req, res, status, name, view, sessionOf(req), charts),
    csrf: (req) => sessionOf(req).csrf,
    readForm: (req) => readForm(req, sessions),
    redirect,
    allow,
    benchmark: (universe) => options.universes().find((u) => u.name === universe)?.benchmark ?? DEFAULT_BENCHMARK,
    publicUrl: options.publicUrl,
  });

  /** Queues the job and answers 303 to its page; a refusal of the body comes back by field, to show beside the form's fields. */
  async function queueJob(res: ServerResponse, kind: JobKind, body: Record<string, unknown>) {
    try {
      const job = await api.submitJob(kind, body);
      redirect(res, `/jobs/${encodeURIComponent(job.id)}`);
      return undefined;
    } catch (error) {
      if (error instanceof ApiError && error.fields) return { status: error.status, fields: error.fields };
      if (error instanceof ValidationError) return { status: 400, fields: [{ path: error.field, message: error.reason }] };
      if (error instanceof ApiError) throw new HttpError(error.status, error.message, { headers: { ...error.headers } });
      throw error;
    }
  }

  async function submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req, sessions);
    const submission = strategySubmission(form, options.universes());
    if (!submission.ok) return strategiesPage(req, res, 400, form, submission.fields);
    const refused = await queueJob(res, submission.kind, submission.body);
    if (refused) return strategiesPage(req, res, refused.status, form, refused.fields);
  }

  /** What the page modules are given (web-kit.ts). */
  const kit: WebKit = {
    withDb,
    universes: options.universes,
    page: (req, res, status, name, view, options = {}) =>
      page(req, res, status, name, view, options.session ?? sessionOf(req), options.charts),
    session: sessionOf,
    postedForm: (req) => readForm(req, sessions),
    queue: async (res, kind, body, refused) => {
      const refusal = await queueJob(res, kind, body as Record<string, unknown>);
      if (refusal) await refused(refusal.status, refusal.fields);
    },
  };
  const backtests = backtestPages(kit);
  const sweepPages = startSweepPages(kit);

  return {
    serves: (path) =>
      path === '/' ||
      path === '/strategies' ||
      files.serves(path) ||
      SIGN_IN_PATHS.includes(path) ||
      /^\/jobs\/[^/]+$/.test(path) ||
      portfolios.serves(path) ||
      backtests.serves(path) ||
      sweepPages.serves(path),
    admits: (req, path) => token === undefined || signIn.admits(req, path),
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
    if (portfolios.serves(path)) return portfolios.route(req, res, method, path);
    if (files.serves(path)) return files.serve(req, res, method, path);
    if (SIGN_IN_PATHS.includes(path)) return signIn.handle(req, res, method, path);
    if (sweepPages.serves(path)) return sweepPages.route(req, res, method, path);
    if (path === '/') {
      allow(method, ['GET', 'HEAD']);
      const view = await withDb((db) => homeView(db, options.universes()));
      return page(req, res, 200, 'web-home', view);
    }
    if (backtests.serves(path)) return backtests.route(req, res, method, path);
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

function isHead(req: IncomingMessage): boolean {
  return req.method === 'HEAD';
}
