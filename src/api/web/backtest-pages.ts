/**
 * Step 3's pages: GET /backtests/{id} (a stored backtest's tearsheet, and the form that simulates
 * it out of sample), POST /backtests/{id}/simulations (queues the API v1 simulation job, then 303
 * to its job page, which follows it to the result beside the in-sample figures), and the scripts
 * the charts need: /static/plotly-<hash>.min.js (the bundle, plotly-asset.ts) and /static/web-charts.js.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { NotFoundError } from '../../errors.js';
import { plotlyBundleName } from '../../report/plotly-html.js';
import type { TemplateName } from '../../report/templates.js';
import { packageRoot } from '../../util/package-root.js';
import { HttpError } from '../http-json.js';
import { serveAsset } from '../plotly-asset.js';
import type { JobKind } from '../v1/api-job-store.js';
import type { WithDb } from '../v1/job-runner.js';
import { backtestView, type SimulationChoice } from './backtest-views.js';
import { simulationChoice, simulationSubmission } from './simulation-form.js';
import { fieldErrors } from './strategy-form.js';
import type { Session } from './web-session.js';

type FieldError = { readonly path: string; readonly message: string };

/** What the pages take from the web application (web-app.ts): its database, rendering and forms. */
export interface WebKit {
  readonly withDb: WithDb;
  session(req: IncomingMessage): Session;
  /** A page with the security headers; `charts`: the policy of a page that draws charts. */
  page(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    name: TemplateName,
    view: object,
    session: Session,
    charts?: boolean,
  ): void;
  /** A POSTed form, refused (415, 403) unless it is one carrying the session's CSRF token. */
  readForm(req: IncomingMessage): Promise<URLSearchParams>;
  /** Queues an API v1 job and answers 303 to its page; or the refusal by field (with its status). */
  queueJob(
    res: ServerResponse,
    kind: JobKind,
    body: Record<string, unknown>,
  ): Promise<{ status: number; fields: readonly FieldError[] } | undefined>;
  allow(method: string, allowed: readonly string[]): void;
}

const PAGE = /^\/backtests\/(\d{1,15})$/;
const SIMULATE = /^\/backtests\/(\d{1,15})\/simulations$/;
const CHARTS_SCRIPT = '/static/web-charts.js';

/** @example const backtests = backtestPages(kit); if (backtests.serves(path)) await backtests.route(req, res, method, path) */
export function backtestPages(kit: WebKit) {
  const chartsScript = readFileSync(join(packageRoot(), 'reports', 'web-charts.js'));
  const plotlyPath = `/static/${plotlyBundleName()}`;

  async function backtestPage(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    id: number,
    chosen: SimulationChoice | null,
    errors: readonly FieldError[],
  ): Promise<void> {
    const view = await kit
      .withDb((db) => backtestView(db, id))
      .catch((error: unknown) => {
        if (error instanceof NotFoundError) throw new HttpError(404, `no backtest ${id}`);
        throw error;
      });
    const session = kit.session(req);
    const title = `Backtest ${id}: ${view.backtest.strategy}${view.backtest.universe ? ` on ${view.backtest.universe}` : ''}`;
    const page = { ...view, title, csrf: session.csrf, chosen: chosen ?? view.defaults, errors, fieldErrors: fieldErrors(errors) };
    kit.page(req, res, status, 'web-backtest', { ...page, plotlyPath, chartsScript: CHARTS_SCRIPT }, session, true);
  }

  return {
    serves: (path: string) => PAGE.test(path) || SIMULATE.test(path) || path === CHARTS_SCRIPT || path === plotlyPath,
    async route(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
      kit.allow(method, SIMULATE.test(path) ? ['POST'] : ['GET', 'HEAD']);
      if (path === plotlyPath) return serveAsset(req, res, plotlyPath.slice('/static/'.length));
      if (path === CHARTS_SCRIPT) {
        res.writeHead(200, {
          'Content-Type': 'text/javascript; charset=utf-8',
          'Cache-Control': 'no-cache',
          'X-Content-Type-Options': 'nosniff',
        });
        res.end(method === 'HEAD' ? undefined : chartsScript);
        return;
      }
      const page = PAGE.exec(path);
      if (page) return backtestPage(req, res, 200, Number(page[1]), null, []);
      const id = Number(SIMULATE.exec(path)![1]);
      const form = await kit.readForm(req);
      const refused = await kit.queueJob(res, 'simulation', simulationSubmission(id, form));
      if (refused) return backtestPage(req, res, refused.status, id, simulationChoice(form), refused.fields);
    },
  };
}
