/**
 * `optimizer: 'mpo'`: the strategy's targets become upper bounds, and multi-period optimisation
 * (src/mpo, the model of ../shared/MPO.md) decides how far toward them to trade from the current
 * weights, trading costs against expected returns. Forecasts use the `mpo` strategy's documented
 * mapping (src/strategies/momentum-forecast.ts): shrunk 12-1 momentum per month, decaying over a
 * three-month horizon; the plan is not liquidated at its end. The cost per unit traded is the
 * linear term of the portfolio's TransactionCost.
 */
import { TransactionCost, type CostModel } from '../backtest/transaction-cost.js';
import { OptimisationError } from '../errors.js';
import { planFirstStep } from '../mpo/first-step.js';
import { loadHighs } from '../mpo/highs-solver.js';
import { longOnlyProblem, startingWeights } from '../mpo/mpo-problem.js';
import { forecastPath } from '../strategies/momentum-forecast.js';
import type { PortfolioTargets, TargetHolding } from './targets.js';

/**
 * New targets: each symbol's post-trade weight of the plan's first month, between 0 and the
 * strategy's target (or its current weight, so MPO may keep a position the strategy leaves only
 * when selling would cost more than it gains). `current` holds weights by symbol (the rest is cash).
 * An OptimisationError when the optimiser finds no optimal plan.
 */
export async function optimiseTargets(
  targets: PortfolioTargets,
  current: Readonly<Record<string, number>>,
  costs: CostModel,
): Promise<PortfolioTargets> {
  await loadHighs();
  const planned = targets.universe.filter((h) => h.price > 0 && (h.targetWeight > 0 || (current[h.symbol] ?? 0) > 0));
  if (planned.length === 0) return targets;
  const initial = startingWeights(planned.map((h) => current[h.symbol] ?? 0));
  const problem = longOnlyProblem({
    risky: planned.map((h) => h.symbol),
    initial,
    returns: planned.map((h) => forecastPath(h.forecast)),
    maxWeight: Float64Array.from(planned, (h, i) => Math.max(h.targetWeight, initial[i]!)),
    transactionCost: new TransactionCost(costs).linear,
  });
  const first = firstStepOf(problem);
  const weightOf = new Map(planned.map((h, i) => [h.symbol, Math.max(0, first[i]!)]));
  const clean = (w: number) => (w < 1e-9 ? 0 : w);
  const universe = targets.universe.map((h): TargetHolding => {
    const planWeight = weightOf.get(h.symbol);
    if (planWeight === undefined) return h;
    const weight = clean(planWeight);
    return { ...h, targetWeight: weight, reason: `${h.reason}; MPO ${pct(weight)} of the strategy's ${pct(h.targetWeight)}` };
  });
  const holdings = universe
    .filter((h) => h.targetWeight > 0)
    .sort((a, b) => b.targetWeight - a.targetWeight || a.symbol.localeCompare(b.symbol));
  const invested = holdings.reduce((sum, h) => sum + h.targetWeight, 0);
  const note =
    targets.holdings.length > 0 && holdings.length === 0
      ? `the MPO optimiser finds no position worth its trading costs at these forecasts: the portfolio stays all cash (optimizer 'none' follows the strategy)`
      : targets.note;
  return { ...targets, universe, holdings, cashTarget: Math.max(0, 1 - invested), note };
}

/** planFirstStep, its error saying what to do here. */
function firstStepOf(problem: Parameters<typeof planFirstStep>[0]): Float64Array {
  try {
    return planFirstStep(problem);
  } catch (error) {
    if (!(error instanceof OptimisationError)) throw error;
    throw new OptimisationError(error.status, `${error.message}; use optimizer 'none'`, { cause: error });
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
