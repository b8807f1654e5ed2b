/**
 * Step 3's views, read with the stores' own queries: a stored backtest's tearsheet (the report's
 * own tables and charts, tearsheetView) with what its out-of-sample simulation would run on, and a
 * finished simulation beside its in-sample backtest (the tearsheet's summary rows, two columns).
 */
import Handlebars from 'handlebars';
import { getBacktest } from '../../backtest/backtest-store.js';
import { dataSummary } from '../../data/price-store.js';
import type { Database } from '../../db/database.js';
import { plotlyJson } from '../../report/plotly-html.js';
import { loadTearsheets, summaryRows, tearsheetView } from '../../report/render-tearsheet.js';
import { formatNumber } from '../../report/report-format.js';
import type { PlotlyFigure } from '../../report/tearsheet-charts.js';
import { latestGateResults } from '../../research/gate-runner.js';
import { getSimulation, outOfSamplePeriod } from '../../research/simulate.js';

/** The simulation form's fields as typed (or their defaults). */
export interface SimulationChoice {
  readonly from: string;
  readonly to: string;
  readonly ignoreGates: boolean;
  readonly allowOverlap: boolean;
}

/**
 * A backtest's page: the tearsheet (each chart an empty box named by `data-chart`, its figure in
 * `charts`, drawn by /static/web-charts.js: the page runs no inline script), and the simulation
 * form's defaults: from the day after the backtest's period to the latest stored bar.
 */
export async function backtestView(db: Database, id: number) {
  const stored = await getBacktest(db, id);
  const charts: Record<string, PlotlyFigure> = {};
  const tearsheet = tearsheetView(await loadTearsheets(db, [id]), (figure, name) => {
    charts[name] = figure;
    return new Handlebars.SafeString(`<div class="web-chart" data-chart="${name}"></div>`);
  });
  const series = await dataSummary(db, { symbols: [...stored.symbols], interval: stored.spec.interval });
  const dataEnd = series.reduce<string | null>((latest, s) => (latest === null || s.last > latest ? s.last : latest), null);
  const from = outOfSamplePeriod(stored, {}).from;
  return {
    backtest: {
      id: stored.id,
      role: stored.role,
      strategy: stored.spec.strategy,
      universe: stored.spec.universe,
      periodFrom: stored.periodFrom,
      periodTo: stored.periodTo,
    },
    tearsheet: { ...tearsheet, heading: false },
    chartData: new Handlebars.SafeString(plotlyJson(charts)),
    dataEnd: dataEnd?.slice(0, 10) ?? null,
    // Only a backtest of its own is simulated (a simulation's run is already out of sample).
    simulable: stored.role === 'backtest',
    unseenData: dataEnd !== null && dataEnd.slice(0, 10) >= from,
    defaults: { from, to: '', ignoreGates: false, allowOverlap: false } satisfies SimulationChoice,
  };
}

/** A finished simulation beside its in-sample backtest: the tearsheet's summary figures, and the gate verdict it ran under. */
export async function simulationView(db: Database, simulationId: number) {
  const simulation = await getSimulation(db, simulationId);
  if (!simulation) return null;
  const inSample = await getBacktest(db, simulation.backtestId);
  const outOfSample = await getBacktest(db, simulation.oosBacktestId);
  const gate = (await latestGateResults(db, [inSample.id])).get(inSample.id) ?? null;
  return {
    id: simulation.id,
    backtestId: inSample.id,
    oosBacktestId: outOfSample.id,
    strategy: inSample.spec.strategy,
    universe: inSample.spec.universe,
    ignoredGates: simulation.ignoredGates,
    columns: [
      { label: 'In sample', backtestId: inSample.id },
      { label: 'Out of sample', backtestId: outOfSample.id },
    ],
    rows: summaryRows([inSample.metrics, outOfSample.metrics]),
    sharpeRatio: formatNumber(simulation.comparison.sharpeRatio, 2),
    gate: gate && {
      gateSet: gate.gateSet,
      passed: gate.passed,
      failures: gate.checks.filter((c) => c.status === 'fail').map((c) => c.reason),
    },
  };
}
