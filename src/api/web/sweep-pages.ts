/**
 * The sweep pages: GET /sweeps (the form: strategy, universe or symbols, period, the values to
 * sweep with the strategy's documented ranges as defaults, the gate set), POST /sweeps (queues an
 * API v1 sweep job, then 303 to its job page, which follows it and links its result), GET
 * /sweeps/{id} (the sweep report's own body: heatmap, parallel coordinates, every combination and
 * the gate verdict), and GET /static/web-sweep-chart.js, the static script that draws its charts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DataError } from '../../errors.js';
import { plotlyDataHtml } from '../../report/plotly-html.js';
import { loadSweepReport, sweepView } from '../../report/render-sweep.js';
import { HttpError } from '../http-json.js';
import { plotlyPath, STATIC } from './static-files.js';
import { chosenCommon, fieldErrors } from './strategy-form.js';
import { SWEEP_FIELDS, sweepStrategiesView, sweepSubmission } from './sweep-form.js';
import { allow, type Field, type WebKit } from './web-kit.js';

/** The gate set the form offers (the configuration's default set). */
const DEFAULT_GATE_SET = 'default';

/** @example const sweeps = startSweepPages(kit); if (sweeps.serves(path)) await sweeps.route(req, res, method, path) */
export function startSweepPages(kit: WebKit) {
  function formPage(req: IncomingMessage, res: ServerResponse, status: number, form: URLSearchParams, errors: readonly Field[]): void {
    const session = kit.session(req);
    const view = {
      csrf: session.csrf,
      universes: kit.universes(),
      strategies: sweepStrategiesView(form),
      // A refused form keeps its gate set as typed (empty: not gated); a new one offers the default.
      chosen: { ...chosenCommon(form), gateSet: form.has('csrf') ? (form.get('gateSet') ?? '') : DEFAULT_GATE_SET },
      errors,
      fieldErrors: fieldErrors(errors, SWEEP_FIELDS),
    };
    kit.page(req, res, status, 'web-sweeps', view, { session });
  }

  async function submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await kit.postedForm(req);
    const submission = sweepSubmission(form, kit.universes());
    if (!submission.ok) return formPage(req, res, 400, form, submission.fields);
    return kit.queue(res, 'sweep', submission.body, (status, errors) => formPage(req, res, status, form, errors));
  }

  async function sweepPage(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    if (!/^[1-9]\d{0,15}$/.test(id)) throw new HttpError(404, `no sweep ${JSON.stringify(id.slice(0, 100))}`);
    const report = await kit.withDb(async (db) => {
      try {
        return await loadSweepReport(db, Number(id));
      } catch (error) {
        // Unknown, or no combination stored (none yet, or every one failed): nothing to show.
        if (error instanceof DataError) throw new HttpError(404, error.message);
        throw error;
      }
    });
    const view = sweepView(report, {}, (figure) => plotlyDataHtml(figure.data, figure.layout, figure.height));
    kit.page(
      req,
      res,
      200,
      'web-sweep',
      { ...view, sweepId: report.sweepId, plotlySrc: plotlyPath(), chartScript: STATIC.sweepChart },
      { charts: true },
    );
  }

  return {
    serves: (path: string) => path === '/sweeps' || /^\/sweeps\/[^/]+$/.test(path),
    async route(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
      if (path === '/sweeps') {
        allow(method, ['GET', 'HEAD', 'POST']);
        if (method === 'POST') return submit(req, res);
        return formPage(req, res, 200, new URLSearchParams(), []);
      }
      allow(method, ['GET', 'HEAD']);
      return sweepPage(req, res, path.slice('/sweeps/'.length));
    },
  };
}
