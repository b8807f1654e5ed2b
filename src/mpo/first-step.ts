/**
 * Receding-horizon planning (model predictive control, Boyd et al. 2017, section 5): solve the
 * multi-period problem from the current weights and trade only the first period's step. The `mpo`
 * strategy plans so at each rebalance of a backtest, the portfolio optimiser at each rebalance of
 * a model portfolio.
 */
import { OptimisationError } from '../errors.js';
import type { MpoProblem } from './mpo-problem.js';
import { solveProblem } from './optimize.js';
import { solvedValue } from './solver.js';

/**
 * The post-trade weights of the plan's first period (w at time 2), in `problem.assets` order, with
 * an already loaded solver; an OptimisationError when the solver proves no optimum.
 * @example await loadHighs(); planFirstStep(problem) // Float64Array [0.1, 0.1, 0.8]
 */
export function planFirstStep(problem: MpoProblem): Float64Array {
  const { solution, built, response } = solveProblem(problem);
  if (solution.status !== 'optimal')
    throw new OptimisationError(solution.status, `the MPO optimiser found no optimal plan (${response.message ?? solution.status})`);
  return Float64Array.from(built.w, (w, i) => solvedValue(solution, w[1]!) ?? problem.initial[i]!);
}
