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
