/**
 * HiGHS (npm `highs`, WebAssembly) for LinearModels, LP and convex QP. The model goes in as
 * arrays (ModelData), not LP text: measured ~8x faster to load at (500 assets, 52 periods).
 * Quadratic objectives are scaled up (x1000) before solving: with Hessian entries around 1e-4
 * the WebAssembly build stalls or misreports the QP as non-convex (RECIPES.md).
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import type { Highs, ModelData } from 'highs';
import type { LinearModel } from './linear-model.js';
import type { Solution, SolveOptions, SolveStatus } from './solver.js';

type HighsLoader = (options?: object) => Promise<Highs>;
// The package's types declare an ESM default export on a CommonJS module: load it with require.
const highsLoader = createRequire(import.meta.url)('highs') as HighsLoader;

let loading: Promise<Highs> | undefined;
let loaded: Highs | undefined;

/** Loads the WebAssembly runtime once; later solves are synchronous. */
export async function loadHighs(): Promise<Highs> {
  loading ??= highsLoader().then((highs) => (loaded = highs));
  return loading;
}

/** The loaded runtime, for synchronous callers that awaited loadHighs() first. */
export function loadedHighs(): Highs {
  if (!loaded) throw new Error('HiGHS is not loaded yet: await loadHighs() first');
  return loaded;
}

const QP_SCALE = 1000;

export function toHighsModel(highs: Highs, model: LinearModel, scale: number): ModelData {
  const sign = model.sense === 'maximize' ? -1 : 1; // HiGHS gets a minimisation
  const infinity = (v: number) => (v === Infinity ? highs.infinity : v === -Infinity ? -highs.infinity : v);
  const data: ModelData = {
    numCols: model.columns,
    numRows: model.rows,
    sense: highs.constants.objectiveSense.minimize,
    colCost: model.cost.map((c) => sign * scale * c),
    colLower: model.lower.map(infinity),
    colUpper: model.upper.map(infinity),
    rowLower: model.rowLower.map(infinity),
    rowUpper: model.rowUpper.map(infinity),
    matrix: {
      format: 'csr',
      numRows: model.rows,
      numCols: model.columns,
      starts: model.rowStarts,
      indices: model.rowIndices,
      values: model.rowValues,
    },
  };
  if (model.quadratic.length === 0) return data;
  // minimise sign*scale*(c'x + sum coef x_i x_j) = c''x + 1/2 x'Qx: Q_ij = Q_ji = sign*scale*coef (i < j), Q_ii = 2*sign*scale*coef.
  const byColumn = new Map<number, Map<number, number>>();
  for (const { i, j, coef } of model.quadratic) {
    const column = byColumn.get(i) ?? new Map<number, number>();
    byColumn.set(i, column);
    const value = sign * scale * coef * (i === j ? 2 : 1);
    column.set(j, (column.get(j) ?? 0) + value);
  }
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (let col = 0; col < model.columns; col++) {
    const column = byColumn.get(col);
    for (const row of [...(column?.keys() ?? [])].sort((a, b) => a - b)) {
      indices.push(row);
      values.push(column!.get(row)!);
    }
    starts.push(indices.length);
  }
  return { ...data, hessian: { format: 'triangular', dimension: model.columns, starts, indices, values } };
}

/**
 * Solves and never throws: a failed run comes back as status 'error' with HiGHS's words.
 * The WebAssembly QP solver sometimes aborts ("run failed") on small convex QPs that solve
 * once regularised, so a QP gets one retry with a small proximal term before giving up.
 * @example const solution = solveWithHighs(await loadHighs(), model, { timeLimit: 30 })
 */
export function solveWithHighs(highs: Highs, model: LinearModel, options: SolveOptions = {}): Solution {
  const started = performance.now();
  const first = runOnce(highs, model, options, undefined);
  if (first.status === 'optimal' || model.quadratic.length === 0 || first.status === 'infeasible') return finish(first);
  const retry = runOnce(highs, model, options, QP_RETRY_REGULARIZATION);
  return finish(retry.status === 'error' ? { ...retry, detail: `${first.detail}; retried: ${retry.detail}` } : retry);

  function finish(solution: Omit<Solution, 'seconds'>): Solution {
    return { ...solution, seconds: (performance.now() - started) / 1000 };
  }
}

const QP_RETRY_REGULARIZATION = 1e-6;

function runOnce(highs: Highs, model: LinearModel, options: SolveOptions, qpRegularization: number | undefined): Omit<Solution, 'seconds'> {
  const scale = model.quadratic.length > 0 ? QP_SCALE : 1;
  return highs.withModel(toHighsModel(highs, model, scale), (m) => {
    m.options.set('output_flag', false);
    // Dual simplex: measured 3-8x faster than HiGHS's own choice on the MPO LPs of every size benchmarked.
    if (model.quadratic.length === 0) m.options.set('simplex_strategy', 1);
    if (qpRegularization !== undefined) m.options.set('qp_regularization_value', qpRegularization);
    if (options.timeLimit !== undefined) m.options.set('time_limit', options.timeLimit);
    try {
      m.run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { status: 'error' as const, objective: Number.NaN, x: new Float64Array(0), detail: `HiGHS: ${message}` };
    }
    const code = m.getModelStatus();
    const names = highs.constants.modelStatus;
    const status: SolveStatus =
      code === names.optimal
        ? 'optimal'
        : code === names.infeasible
          ? 'infeasible'
          : code === names.unbounded || code === names.unboundedOrInfeasible
            ? 'unbounded'
            : code === names.timeLimit
              ? 'time-limit'
              : 'error';
    const detail = Object.entries(names).find(([, value]) => value === code)?.[0] ?? `model status ${code}`;
    const x = Float64Array.from(m.getSolution().colValue ?? []);
    const sign = model.sense === 'maximize' ? -1 : 1;
    const objective = status === 'optimal' ? (sign * m.getObjectiveValue()) / scale : Number.NaN;
    return { status, objective, x, detail: `HiGHS: ${detail}` };
  });
}
