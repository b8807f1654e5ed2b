/**
 * The multi-period optimisation problem as the model reads it (mpo-model.ts): camelCase settings,
 * weights and returns as typed arrays by asset and period, every default resolved. In-process
 * callers (the `mpo` strategy, the portfolio optimiser) build it directly; the HTTP adapter
 * (mpo-request.ts) maps the compatible JSON of ../shared/MPO.md onto it.
 */
import type { SolverName } from './solver.js';

/** The cash asset's name: every problem holds it, with no return and a floor of `minCashBalance`. */
export const CASH = 'CASH';

/**
 * The risk term - aversion * risk(h_t) of each period, its inputs in `risky` order: a covariance
 * or a factor model (the variance, a QP), or equally likely return scenarios (MAD or CVaR, an LP).
 */
export type MpoRisk =
  | { readonly measure: 'covariance'; readonly aversion: number; readonly covariance: readonly Float64Array[] }
  | {
      readonly measure: 'factors';
      readonly aversion: number;
      /** loadings[i][q]: asset i's loading on factor q. */
      readonly loadings: readonly Float64Array[];
      readonly factorCovariance: readonly Float64Array[];
      readonly idiosyncratic: Float64Array;
    }
  | { readonly measure: 'mad'; readonly aversion: number; readonly scenarios: readonly Float64Array[] }
  /** `level` is CVaR's alpha: the risk is the mean loss of the worst 1 - alpha share of the scenarios. */
  | { readonly measure: 'cvar'; readonly aversion: number; readonly level: number; readonly scenarios: readonly Float64Array[] };

/** The settings that have defaults (MPO_DEFAULTS). */
export interface MpoSettings {
  readonly minCashBalance: number;
  /** Upper bound on the sum of |post-trade weight| of the non-cash assets. */
  readonly maxLeverage: number;
  /** Upper bound on |trade| of a non-cash asset in one period. */
  readonly maxTradeSize: number;
  readonly tradeAversion: number;
  /** Cost per unit of weight traded (0.001 = 10 bps): the linear term of a TransactionCost. */
  readonly transactionCost: number;
  readonly allowShort: boolean;
  /** Cost per period per unit of short weight. */
  readonly shortBorrowCost: number;
  /** Whether cash trades pay transactionCost too (the compatible model charges them). */
  readonly costOnCash: boolean;
  /** Sell everything after the last period (the compatible model); false leaves the final weights free. */
  readonly liquidateAtEnd: boolean;
  readonly solver: SolverName;
}

export interface MpoProblem extends MpoSettings {
  /** Every asset, CASH included, in the order answers keep. */
  readonly assets: readonly string[];
  /** The non-cash assets in `assets` order. */
  readonly risky: readonly string[];
  readonly periods: number;
  /** Weights at time 1, in `assets` order, summing to 1. */
  readonly initial: Float64Array;
  /** returns[i][t - 1]: the estimated return of risky asset i in period t. */
  readonly returns: readonly Float64Array[];
  /** Bounds of each non-cash post-trade weight, in `risky` order (long-only lifts the lower one to 0). */
  readonly minWeight: Float64Array;
  readonly maxWeight: Float64Array;
  /** null: no risk term. */
  readonly risk: MpoRisk | null;
  /** Seconds the solver may take. */
  readonly timeLimit?: number;
}

/** The defaults of MPO.md (the compatible request's) and of the extensions, which keep the compatible model exact. */
export const MPO_DEFAULTS = {
  minWeight: -1,
  maxWeight: 1,
  minCashBalance: 0,
  maxLeverage: 1,
  maxTradeSize: 1,
  tradeAversion: 1,
  transactionCost: 0.001,
  allowShort: false,
  shortBorrowCost: 0,
  costOnCash: true,
  liquidateAtEnd: true,
  solver: 'highs',
} as const satisfies MpoSettings & { readonly minWeight: number; readonly maxWeight: number };

/**
 * Weights at time 1 for `held` non-cash weights (negatives read as 0) and the rest in cash, scaled
 * to sum to 1 and with the rounding left on cash (the model keeps the sum fixed and may end all in
 * cash, so a sum of 1 + 5e-7 would be infeasible). Cash comes last.
 * @example startingWeights([0.3, 0.5]) // Float64Array [0.3, 0.5, 0.2]
 */
export function startingWeights(held: ArrayLike<number>): Float64Array {
  const weights = Float64Array.from({ length: held.length + 1 }, (_, i) => (i < held.length ? Math.max(0, held[i]!) : 0));
  let sum = 0;
  for (let i = 0; i < held.length; i++) sum += weights[i]!;
  weights[held.length] = Math.max(0, 1 - sum);
  const total = sum + weights[held.length]!;
  for (let i = 0; i < weights.length; i++) weights[i] = weights[i]! / total;
  return cashTakesRounding(weights, held.length);
}

/** Weights that sum to 1 within rounding, the difference moved onto cash (at `cashIndex`). */
export function cashTakesRounding(weights: Float64Array, cashIndex: number): Float64Array {
  const total = weights.reduce((sum, w) => sum + w, 0);
  const settled = Float64Array.from(weights);
  settled[cashIndex] = weights[cashIndex]! + 1 - total;
  return settled;
}

/**
 * The receding-horizon problem of the `mpo` strategy and the portfolio optimiser: long-only over
 * `risky` (cash last), from weights at time 1, not liquidated after its last period (so holding a
 * position needs only to beat its costs in), the other settings as given or their defaults.
 * @example longOnlyProblem({ risky: ['SPY'], initial: startingWeights([0]), returns: [forecastPath(0.01)], maxWeight: Float64Array.of(0.3) })
 */
export function longOnlyProblem(
  input: {
    readonly risky: readonly string[];
    readonly initial: Float64Array;
    readonly returns: readonly Float64Array[];
    readonly maxWeight: Float64Array;
  } & Partial<MpoSettings>,
): MpoProblem {
  const { risky, initial, returns, maxWeight, ...settings } = input;
  return {
    ...MPO_DEFAULTS,
    liquidateAtEnd: false,
    ...settings,
    assets: [...risky, CASH],
    risky,
    periods: returns[0]?.length ?? 0,
    initial,
    returns,
    minWeight: new Float64Array(risky.length),
    maxWeight,
    risk: null,
  };
}
