/**
 * A sweep's results as HTML: a page of its own (`momentum report sweep`) or a fragment for a
 * notebook cell, with the heatmap of a metric over two parameters, the parallel-coordinates view,
 * the table of every combination, and the gate verdict (PBO, DSR per combination) when the sweep
 * was gated. Read from each combination's stored metrics (never its equity curve); plotly.js is
 * loaded once per page, as for the tearsheet.
 */
import Handlebars from 'handlebars';
import { getBacktest, sweepBacktestIds } from '../backtest/backtest-store.js';
import type { Database } from '../db/database.js';
import { DataError } from '../errors.js';
import { latestGateResults, type StoredGateResult } from '../research/gate-runner.js';
import { plotlyHtml } from './plotly-html.js';
import { formatInstant, formatNumber, MISSING } from './report-format.js';
import { sweepHeatmapFigure, sweepParallelFigure } from './sweep-charts.js';
import {
  formatMetric,
  rankRows,
  SWEEP_METRICS,
  sweepHeatmap,
  sweptParams,
  type HeatmapOptions,
  type SweepMetricKey,
  type SweepRow,
} from './sweep-view.js';
import type { PlotlyFigure } from './tearsheet-charts.js';
import { reportTemplates } from './templates.js';
import { pagePlotly, type TearsheetRenderOptions } from './render-tearsheet.js';

/** A stored sweep: its combinations and, when it was gated, each one's latest verdict of that sweep. */
export interface SweepReport {
  readonly sweepId: number;
  readonly strategy: string;
  readonly rows: readonly SweepRow[];
  readonly verdicts: ReadonlyMap<number, StoredGateResult>;
}

export type SweepRenderOptions = TearsheetRenderOptions & HeatmapOptions;

/** @example const report = await loadSweepReport(db, 3); sweepHeatmap(report.rows, { metric: 'cagr' }) */
export async function loadSweepReport(db: Database, sweepId: number): Promise<SweepReport> {
  const ids = await sweepBacktestIds(db, sweepId);
  if (ids.length === 0) throw new DataError(`sweep ${sweepId} has no stored backtests (or does not exist); see momentum backtests list`);
  const rows: SweepRow[] = [];
  let strategy = '';
  for (const id of ids) {
    const stored = await getBacktest(db, id);
    strategy = stored.spec.strategy;
    rows.push({ backtestId: id, params: stored.spec.params, metrics: stored.metrics });
  }
  const verdicts = new Map([...(await latestGateResults(db, ids))].filter(([, v]) => v.sweepId === sweepId));
  return { sweepId, strategy, rows, verdicts };
}

/**
 * @example writeFileSync('sweep.html', await sweepHtml(db, 3, { metric: 'sharpe', x: 'lookback', y: 'topPct' }))
 * @example tslab.display.html(await sweepHtml(db, 3, { fragment: true, includeBundle: false }))
 */
export async function sweepHtml(db: Database, sweepId: number, options: SweepRenderOptions = {}): Promise<string> {
  return renderSweep(await loadSweepReport(db, sweepId), options);
}

/** The metric columns of the table, the one the charts show first. */
const TABLE_METRICS: readonly SweepMetricKey[] = ['sharpe', 'sortino', 'cagr', 'volatility', 'max-drawdown', 'total-return', 'trades'];

/** @example renderSweep(await loadSweepReport(db, 3), { metric: 'cagr' }) // "<!DOCTYPE html>..." */
export function renderSweep(report: SweepReport, options: SweepRenderOptions = {}): string {
  const plot = (figure: PlotlyFigure) => plotlyHtml(figure.data, figure.layout, { height: figure.height, includeBundle: false });
  return reportTemplates().html(options.fragment ? 'sweep-fragment' : 'sweep', sweepView(report, options, plot, pagePlotly(options)));
}

/**
 * The view of reports/partials/sweep-body.html.hbs; `plot` makes each chart's markup (trusted: it
 * is not escaped), `bundle` the markup that loads plotly.js.
 * @example reportTemplates().html('sweep', sweepView(report, {}, (f) => plotlyHtml(f.data, f.layout), pagePlotly({})))
 */
export function sweepView(report: SweepReport, options: HeatmapOptions, plotMarkup: (figure: PlotlyFigure) => string, bundle = '') {
  const heatmap = sweepHeatmap(report.rows, options);
  const metric = heatmap.metric;
  const params = sweptParams(report.rows);
  const plot = (figure: PlotlyFigure) => new Handlebars.SafeString(plotMarkup(figure));
  const metrics = [metric, ...TABLE_METRICS.filter((k) => k !== metric)];
  const gated = report.verdicts.size > 0;
  return {
    title: `Sweep ${report.sweepId}: ${report.strategy}, ${report.rows.length} combinations`,
    subtitle: `Swept: ${params.length > 0 ? params.join(', ') : 'nothing (one combination)'}; ranked by ${SWEEP_METRICS[metric].label}. Percents are of the starting capital or per year, as labelled; ratios are annualised.`,
    gate: gated ? gateSummary(report) : null,
    columns: [...params, ...metrics.map((k) => SWEEP_METRICS[k].column), ...(gated ? ['PSR', 'DSR', 'gates'] : [])],
    rows: rankRows(report.rows, metric).map((row, i) => {
      const verdict = report.verdicts.get(row.backtestId);
      return {
        rank: i + 1,
        backtestId: row.backtestId,
        cells: [
          ...params.map((p) => String(row.params[p] ?? MISSING)),
          ...metrics.map((k) => formatMetric(SWEEP_METRICS[k].unit, SWEEP_METRICS[k].of(row.metrics))),
          ...(gated
            ? [
                formatNumber(verdict?.statistics.psr, 3),
                formatNumber(verdict?.statistics.dsr, 3),
                verdict ? (verdict.passed ? 'passed' : 'failed') : MISSING,
              ]
            : []),
        ],
      };
    }),
    plots: {
      bundle: new Handlebars.SafeString(bundle),
      heatmap: plot(sweepHeatmapFigure(heatmap)),
      parallel: plot(sweepParallelFigure(report.rows, metric, params)),
    },
  };
}

/** The sweep's verdict in one line: the family's PBO and how many combinations passed. */
function gateSummary(report: SweepReport): { text: string; pbo: string } {
  const verdicts = [...report.verdicts.values()];
  const latest = verdicts.reduce((a, b) => (b.evaluatedAt > a.evaluatedAt ? b : a));
  const s = latest.statistics;
  const passed = verdicts.filter((v) => v.passed).length;
  const pbo =
    s.pbo === null
      ? `no PBO (${s.pboNote ?? 'not computed'})`
      : `PBO ${formatNumber(s.pbo, 3)} over ${formatNumber(s.pboSplits, 0)} CSCV splits`;
  return {
    pbo: s.pbo === null ? MISSING : formatNumber(s.pbo, 3),
    text: `Gated with the ${latest.gateSet} gates (${formatInstant(latest.evaluatedAt)}): ${pbo}; ${s.trials} trials in the family; ${passed} of ${report.rows.length} combinations passed. PSR and DSR are probabilities (the DSR deflates by the trials).`,
  };
}
