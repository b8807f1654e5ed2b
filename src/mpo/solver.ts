import type { Var } from './linear-model.js';

/** What a solver returns for a LinearModel, in the model's own sense and scale. */
export type SolveStatus = 'optimal' | 'infeasible' | 'unbounded' | 'time-limit' | 'error';

export interface Solution {
  readonly status: SolveStatus;
  /** Objective value in the model's sense (NaN when not solved). */
  readonly objective: number;
  /** Column values (empty when the solver returned none). */
  readonly x: Float64Array;
  /** The solver's own words, for messages. */
  readonly detail: string;
  /** Seconds spent in the solver. */
  readonly seconds: number;
}

export type SolverName = 'highs' | 'glpk';

export interface SolveOptions {
  /** Seconds before the solver gives up (status 'time-limit'). */
  readonly timeLimit?: number;
}

/**
 * A variable's value when it means something (an optimum, or the best point found before a time
 * limit), else null; solver noise below 1e-12 and -0 read as 0.
 * @example solvedValue(solution, w[0][1]) // 0.1
 */
export function solvedValue(solution: Solution, v: Var): number | null {
  const x = solution.status === 'optimal' || solution.status === 'time-limit' ? solution.x[v] : undefined;
  if (x === undefined || Number.isNaN(x)) return null;
  return Math.abs(x) < 1e-12 ? 0 : x;
}
