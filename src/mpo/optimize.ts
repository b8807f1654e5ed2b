/**
 * `optimizeMultiPeriod(request)`: the compatible answer of POST /api/run. Validates the request,
 * builds the model, solves it (HiGHS by default, `solver: "glpk"` for GLPK) and returns weights
 * for times 1..P+1 and trades for periods 1..P for every asset, CASH included, with `status` 0 when
 * optimal and 1 (plus a `message`) otherwise.
 */
import { performance } from 'node:perf_hooks';
import { loadedGlpk, loadGlpk, solveWithGlpk } from './glpk-solver.js';
import { loadedHighs, loadHighs, solveWithHighs } from './highs-solver.js';
import { buildMpoModel, type MpoModel } from './mpo-model.js';
import type { MpoProblem } from './mpo-problem.js';
import { parseMpoRequest } from './mpo-request.js';
import { solvedValue, type Solution, type SolveOptions } from './solver.js';

type ByPeriod = Record<string, number | null>;

export interface MpoResponse {
  readonly output: { readonly weights: Record<string, ByPeriod>; readonly trades: Record<string, ByPeriod> };
  readonly status: 0 | 1;
  readonly message?: string;
}

/** What the optimiser did besides the response: for logs, tests and benchmarks. */
export interface MpoRun {
  readonly response: MpoResponse;
  readonly solution: Solution;
  readonly problem: MpoProblem;
  readonly built: MpoModel;
  readonly buildSeconds: number;
}

export interface OptimizeOptions extends SolveOptions {
  /** Upper bound on the request's own time_limit (the server's cap). */
  readonly maxTimeLimit?: number;
}

/**
 * @example const { output, status } = await optimizeMultiPeriod({ initial_weights: { SPY: 0, CASH: 1 }, estimated_returns: { SPY: { '1': 0.01 } } })
 */
export async function optimizeMultiPeriod(request: unknown, options: OptimizeOptions = {}): Promise<MpoResponse> {
  return (await runMultiPeriod(request, options)).response;
}

export async function runMultiPeriod(request: unknown, options: OptimizeOptions = {}): Promise<MpoRun> {
  const problem = parseMpoRequest(request);
  if (problem.solver === 'glpk') await loadGlpk();
  else await loadHighs();
  return solveProblem(problem, options);
}

/** Solves a problem with an already loaded solver (synchronous: the backtest's policy calls it per rebalance). */
export function solveProblem(problem: MpoProblem, options: OptimizeOptions = {}): MpoRun {
  const started = performance.now();
  const built = buildMpoModel(problem);
  const buildSeconds = (performance.now() - started) / 1000;
  const requested = problem.timeLimit ?? options.timeLimit;
  const timeLimit = options.maxTimeLimit !== undefined ? Math.min(requested ?? options.maxTimeLimit, options.maxTimeLimit) : requested;
  const solveOptions = timeLimit === undefined ? {} : { timeLimit };
  const solution =
    problem.solver === 'glpk'
      ? solveWithGlpk(loadedGlpk(), built.model, solveOptions)
      : solveWithHighs(loadedHighs(), built.model, solveOptions);
  return { response: responseOf(problem, built, solution), solution, problem, built, buildSeconds };
}

function responseOf(problem: MpoProblem, built: MpoModel, solution: Solution): MpoResponse {
  const series = (vars: readonly number[]): ByPeriod => Object.fromEntries(vars.map((v, k) => [String(k + 1), solvedValue(solution, v)]));
  const output = {
    weights: Object.fromEntries(problem.assets.map((a, i) => [a, series(built.w[i]!)])),
    trades: Object.fromEntries(problem.assets.map((a, i) => [a, series(built.z[i]!)])),
  };
  if (solution.status === 'optimal') return { output, status: 0 };
  const why: Record<Exclude<Solution['status'], 'optimal'>, string> = {
    infeasible:
      'infeasible: no weights satisfy every constraint (check min_cash_balance, max_weight, max_trade_size against the initial weights)',
    unbounded: 'unbounded: the objective can grow without limit',
    'time-limit': 'the solver reached its time limit before proving optimality',
    error: 'the solver did not reach an optimal solution',
  };
  return { output, status: 1, message: `${why[solution.status]} (${solution.detail})` };
}
