/**
 * Step 3's pages: GET /backtests/{id} (a stored backtest's tearsheet, and the form that simulates
 * it out of sample), POST /backtests/{id}/simulations (queues the API v1 simulation job, then 303
 * to its job page, which follows it to the result beside the in-sample figures). The charts are
 * drawn by STATIC.charts with the plotly bundle (static-files.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotFoundError } from '../../errors.js';
import { HttpError } from '../http-json.js';
import { backtestView, type SimulationChoice } from './backtest-views.js';
import { simulationChoice, simulationSubmission } from './simulation-form.js';
import { plotlyPath, STATIC } from './static-files.js';
import { fieldErrors } from './strategy-form.js';
import { allow, type Field, type WebKit } from './web-kit.js';

const PAGE = /^\/backtests\/(\d{1,15})$/;
const SIMULATE = /^\/backtests\/(\d{1,15})\/simulations$/;

/** @example const backtests = backtestPages(kit); if (backtests.serves(path)) await backtests.route(req, res, method, path) */
export function backtestPages(kit: WebKit) {
  const plotly = plotlyPath();

  async function backtestPage(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    id: number,
    chosen: SimulationChoice | null,
    errors: readonly Field[],
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
    kit.page(req, res, status, 'web-backtest', { ...page, plotlyPath: plotly, chartsScript: STATIC.charts }, { session, charts: true });
  }

  return {
    serves: (path: string) => PAGE.test(path) || SIMULATE.test(path),
    async route(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
      allow(method, SIMULATE.test(path) ? ['POST'] : ['GET', 'HEAD']);
      const page = PAGE.exec(path);
      if (page) return backtestPage(req, res, 200, Number(page[1]), null, []);
      const id = Number(SIMULATE.exec(path)![1]);
      const form = await kit.postedForm(req);
      return kit.queue(res, 'simulation', simulationSubmission(id, form), (status, errors) =>
        backtestPage(req, res, status, id, simulationChoice(form), errors),
      );
    },
  };
}
