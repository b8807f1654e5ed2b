/**
 * The model portfolio pages (step 4 and the portfolio page):
 * GET /portfolios/{name}: holdings, rebalances, drawdown and alerts, the since-start chart against
 *   the benchmark, and the subscription form;
 * GET|POST /portfolios/{name}/allocation: the allocation of its targets as a lump sum or a SIP, and
 *   (button "store") the same queued through the API v1 as another model portfolio;
 * POST /portfolios/{name}/subscribers: subscribes an email address (as `momentum subscribers add`);
 * the chart (portfolio-chart.ts) is drawn by STATIC.charts from a JSON block (no inline script).
 */
import Handlebars from 'handlebars';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotFoundError, ValidationError } from '../../errors.js';
import { unsubscribeLink, addSubscriber } from '../../mail/subscriber-store.js';
import { getPortfolio, rebalances } from '../../portfolio/portfolio-store.js';
import { plotlyJson } from '../../report/plotly-html.js';
import type { TemplateName } from '../../report/templates.js';
import { HttpError } from '../http-json.js';
import { ApiError, type ApiV1 } from '../v1/api-v1.js';
import type { WithDb } from '../v1/job-runner.js';
import { allocationChoice, allocationFields, allocationJobBody, allocationPreview, type FieldError } from './allocation-form.js';
import { sinceStartFigure } from './portfolio-chart.js';
import { portfolioView } from './portfolio-views.js';
import { plotlyPath, STATIC } from './static-files.js';
import { portfolioPath } from './web-views.js';

/** What the pages take from the web application: its rendering, forms and checks. */
export interface PageKit {
  readonly withDb: WithDb;
  readonly api: ApiV1;
  /** Renders a page; `charts`: the policy of a page that draws charts. */
  page(req: IncomingMessage, res: ServerResponse, status: number, name: TemplateName, view: object, charts?: boolean): void;
  /** The session's CSRF token (for the forms of a page). */
  csrf(req: IncomingMessage): string;
  /** A form POST's fields, once its content type and CSRF token are checked (HttpError 415/403 otherwise). */
  readForm(req: IncomingMessage): Promise<URLSearchParams>;
  redirect(res: ServerResponse, location: string): void;
  allow(method: string, allowed: readonly string[]): void;
  /** The benchmark of a universe (by name; null: the default). */
  benchmark(universe: string | null): string;
  /** Where mailed links point (MOMENTUM_PUBLIC_URL). */
  readonly publicUrl: string | undefined;
}

export interface PortfolioPages {
  serves(path: string): boolean;
  route(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void>;
}

const PAGE = /^\/portfolios\/([^/]+)(\/allocation|\/subscribers)?$/;

/** @example const pages = portfolioPages(kit); if (pages.serves(path)) await pages.route(req, res, method, path) */
export function portfolioPages(kit: PageKit): PortfolioPages {
  const plotly = plotlyPath();

  async function portfolioPage(req: IncomingMessage, res: ServerResponse, name: string, status = 200, subscribe?: SubscribeForm) {
    const view = await kit.withDb((db) => portfolioView(db, name, kit.benchmark, new Date().toISOString().slice(0, 10)));
    kit.page(
      req,
      res,
      status,
      'web-portfolio',
      {
        ...view,
        title: `Model portfolio ${view.portfolio.name}`,
        path: portfolioPath(view.portfolio.name),
        csrf: kit.csrf(req),
        plotly,
        chartScript: STATIC.charts,
        chartData: view.chart ? new Handlebars.SafeString(plotlyJson({ 'since-start': sinceStartFigure(view.chart) })) : null,
        subscribe: subscribe ?? { fields: { email: '', name: '', amount: String(view.portfolio.request.amount) }, errors: {} },
      },
      true,
    );
  }

  async function allocationPage(req: IncomingMessage, res: ServerResponse, method: string, name: string): Promise<void> {
    const form = method === 'POST' ? await kit.readForm(req) : new URLSearchParams();
    const { portfolio, latest } = await kit.withDb(async (db) => {
      const stored = await getPortfolio(db, name);
      return { portfolio: stored, latest: (await rebalances(db, stored.id, 1))[0] };
    });
    if (!latest) throw new HttpError(404, `${portfolio.name} has no rebalance yet`);
    const render = (status: number, errors: readonly FieldError[], preview: ReturnType<typeof allocationPreview> | null) =>
      kit.page(req, res, status, 'web-allocation', {
        title: `Allocate ${portfolio.name}`,
        path: portfolioPath(portfolio.name),
        portfolio,
        latest,
        csrf: kit.csrf(req),
        fields: allocationFields(form, portfolio),
        errors,
        fieldErrors: Object.fromEntries(errors.map((e) => [e.path, e.message])),
        preview,
      });
    if (method !== 'POST') return render(200, [], null);
    const chosen = allocationChoice(form);
    if (!chosen.ok) return render(400, chosen.fields, null);
    const preview = allocationPreview(portfolio, latest, chosen.choice);
    if (form.get('action') !== 'store') return render(200, [], preview);
    if (preview.stored)
      return render(
        400,
        [{ path: 'name', message: `this is ${portfolio.name} as stored already: change the amount or the plan` }],
        preview,
      );
    try {
      const job = await kit.api.submitJob('portfolio', allocationJobBody(portfolio, latest, chosen.choice, form.get('name')?.trim() ?? ''));
      kit.redirect(res, `/jobs/${encodeURIComponent(job.id)}`);
    } catch (error) {
      if (error instanceof ApiError && error.fields) return render(error.status, error.fields.map(underForm), preview);
      if (error instanceof ValidationError) return render(400, [underForm({ path: error.field, message: error.reason })], preview);
      if (error instanceof ApiError) throw new HttpError(error.status, error.message, { headers: { ...error.headers } });
      throw error;
    }
  }

  async function subscribe(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const form = await kit.readForm(req);
    const fields = { email: form.get('email') ?? '', name: form.get('name') ?? '', amount: form.get('amount')?.trim() ?? '' };
    try {
      const subscriber = await kit.withDb((db) =>
        addSubscriber(db, {
          portfolio: name,
          email: fields.email,
          name: fields.name,
          amount: fields.amount === '' ? Number.NaN : Number(fields.amount),
        }),
      );
      kit.page(req, res, 201, 'web-subscribed', {
        title: 'Subscribed',
        path: portfolioPath(subscriber.portfolio),
        subscriber,
        unsubscribeUrl: unsubscribeLink({ publicUrl: kit.publicUrl }, subscriber.unsubscribeToken),
      });
    } catch (error) {
      if (!(error instanceof ValidationError) || !['email', 'name', 'amount'].includes(error.field)) throw error;
      await portfolioPage(req, res, name, 400, { fields, errors: { [error.field]: error.reason } });
    }
  }

  return {
    serves: (path) => PAGE.test(path),
    async route(req, res, method, path) {
      const [, encoded, sub] = PAGE.exec(path)!;
      const name = decodeName(encoded!);
      try {
        if (sub === '/allocation') {
          kit.allow(method, ['GET', 'HEAD', 'POST']);
          return await allocationPage(req, res, method, name);
        }
        if (sub === '/subscribers') {
          kit.allow(method, ['POST']);
          return await subscribe(req, res, name);
        }
        kit.allow(method, ['GET', 'HEAD']);
        return await portfolioPage(req, res, name);
      } catch (error) {
        if (error instanceof NotFoundError) throw new HttpError(404, `no model portfolio ${JSON.stringify(name.slice(0, 100))}`);
        throw error;
      }
    },
  };
}

interface SubscribeForm {
  readonly fields: { readonly email: string; readonly name: string; readonly amount: string };
  readonly errors: Readonly<Record<string, string>>;
}

/** A job body's path as the allocation form's field: `request.amount` is the amount field. */
function underForm(error: FieldError): FieldError {
  return { path: error.path.replace(/^request\./, '').replace(/^sip\./, ''), message: error.message };
}

function decodeName(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new HttpError(404, 'no such model portfolio');
  }
}
